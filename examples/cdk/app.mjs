// A small data platform as a CDK app: a lake bucket, a Glue database and an Athena workgroup in
// a nested stack, a crawler role with a deliberate policy problem, a function
// (a file asset), and the same stack in a Stage.
import { fileURLToPath } from 'node:url';
import { App, CfnOutput, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase } from 'aws-cdk-lib/aws-glue';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Code, Function, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';

class Catalog extends NestedStack {
  constructor(scope, id, props) {
    super(scope, id, props);
    new CfnDatabase(this, 'LakeDatabase', {
      catalogId: this.account,
      databaseInput: { name: 'lake' },
    });
    new CfnWorkGroup(this, 'Analysts', {
      name: 'analysts',
      workGroupConfiguration: {
        resultConfiguration: { outputLocation: `s3://${props.resultsBucket}/athena/` },
      },
    });
  }
}

class LakeStack extends Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const lake = new Bucket(this, 'Lake', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
    });
    const crawler = new Role(this, 'CrawlerRole', {
      assumedBy: new ServicePrincipal('glue.amazonaws.com'),
    });
    lake.grantRead(crawler);
    // Deliberate problem: "s3:GetObjects" is not an IAM action.
    crawler.addToPolicy(new PolicyStatement({ actions: ['s3:GetObjects'], resources: ['*'] }));
    new Catalog(this, 'Catalog', { resultsBucket: lake.bucketName });
    // A file asset: published to the bootstrap bucket before the stack deploys.
    const compactor = new Function(this, 'Compactor', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromAsset(fileURLToPath(new URL('handler', import.meta.url))),
      environment: { LAKE_BUCKET: lake.bucketName },
    });
    lake.grantReadWrite(compactor);
    new CfnOutput(this, 'LakeBucketName', { value: lake.bucketName });
  }
}

class Production extends Stage {
  constructor(scope, id, props) {
    super(scope, id, props);
    new LakeStack(this, 'Lake', { env: { account: '123456789012', region: 'eu-west-1' } });
  }
}

const app = new App();
new LakeStack(app, 'LakeDev', { env: { account: '123456789012', region: 'us-east-2' } });
new Production(app, 'Prod');
app.synth();
