/**
 * AWS managed policies that hand a principal far more than a workload needs: administrator, IAM
 * and power user access, and full access to the services that hold data.
 */
const PRIVILEGED: Record<string, string> = {
  AdministratorAccess: 'every action on every resource',
  IAMFullAccess: 'all of IAM, with which it can grant itself anything',
  PowerUserAccess: 'every action outside IAM and Organizations',
  AmazonS3FullAccess: 'every S3 action on every bucket',
  AmazonDynamoDBFullAccess: 'every DynamoDB action on every table',
  AmazonRDSFullAccess: 'every RDS action on every database',
  AmazonRDSDataFullAccess: 'the RDS Data API on every database, with its secrets',
  AmazonRedshiftFullAccess: 'every Redshift action on every cluster',
  AmazonRedshiftDataFullAccess: 'the Redshift Data API on every cluster',
  AmazonAthenaFullAccess: 'every Athena action, and the S3 results of every workgroup',
  AWSGlueConsoleFullAccess: 'every Glue action, with the data it catalogues',
  AmazonKinesisFullAccess: 'every Kinesis action on every stream',
  AmazonSageMakerFullAccess: 'every SageMaker action, with broad S3 access',
  AmazonElasticMapReduceFullAccess: 'every EMR action on every cluster',
  AmazonOpenSearchServiceFullAccess: 'every OpenSearch action on every domain',
  AmazonDocDBFullAccess: 'every DocumentDB action on every cluster',
  AmazonNeptuneFullAccess: 'every Neptune action on every cluster',
  AmazonKeyspacesFullAccess: 'every Keyspaces action on every table',
  AmazonElastiCacheFullAccess: 'every ElastiCache action on every cache',
  AmazonMSKFullAccess: 'every MSK action on every cluster',
  SecretsManagerReadWrite: 'every secret, to read and change',
  AWSKeyManagementServicePowerUser: 'every KMS key, to create, tag and schedule deletion',
  AWSLakeFormationDataAdmin: 'administration of every Lake Formation permission',
};

/** The AWS managed policy an ARN names, when it is one of the privileged ones. */
export function privilegedPolicy(arn: string): { name: string; grants: string } | undefined {
  const match = /^arn:aws[\w-]*:iam::aws:policy\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(arn);
  const name = match?.[1];
  return name && Object.hasOwn(PRIVILEGED, name) ? { name, grants: PRIVILEGED[name]! } : undefined;
}
