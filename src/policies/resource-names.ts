import schemas from './resource-schemas.json' with { type: 'json' };

/**
 * What `Ref` and `Fn::GetAtt` return for a resource that does not exist yet: names and ARNs built
 * the way AWS builds them, so a policy that points at its own stack's resources reads like the
 * deployed one. `{P}`, `{R}`, `{A}` are partition, region and account; `{name}` the physical name,
 * `{path}` the IAM path; `{{unresolved:...}}` a part AWS assigns. Types without a shape here follow
 * resource-schemas.json (scripts/resource-schemas.ts: what Ref returns and the GetAtt attributes
 * from the resource schemas, ARN formats from the CDK's service spec, else from the pattern in
 * cfn-lint's schema); with no ARN format from any of them, the ARN is unknown, not guessed.
 */
interface ResourceShape {
  /** Property that sets the physical name, as a path (Glue databases nest it). */
  nameProperty?: string[];
  /** Whether the IAM `Path` property is part of the ARN. */
  iamPath?: boolean;
  /** What the ARN keeps of the name property (an OIDC provider's URL without its scheme). */
  arnName?: (name: string) => string;
  /** What `Ref` returns. */
  ref: 'name' | 'arn' | string;
  arn: string;
  /** Other attributes; `Arn` is always there. */
  attributes?: Record<string, string>;
  /** Names that must be lower case (S3). */
  lowerCase?: boolean;
  /** The id AWS assigns at creation (a key id, a file system id): Ref returns it, a placeholder. */
  assignedId?: string;
  /** A property whose value picks a part of the ARN (`{variant}`): a load balancer's Type. */
  variant?: {
    property: string;
    values: Record<string, string>;
    /** The property's default. */ absent?: string;
  };
}

/** An ARN part AWS assigns at creation (an id after the name): a placeholder, never invented. */
const ASSIGNED = '{{unresolved:id}}';

const SHAPES: Record<string, ResourceShape> = {
  'AWS::MSK::Cluster': {
    nameProperty: ['ClusterName'],
    ref: 'arn',
    arn: 'arn:{P}:kafka:{R}:{A}:cluster/{name}/{{unresolved:uuid}}',
  },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': {
    nameProperty: ['Name'],
    ref: 'arn',
    arn: `arn:{P}:elasticloadbalancing:{R}:{A}:loadbalancer/{variant}/{name}/${ASSIGNED}`,
    variant: {
      property: 'Type',
      values: { application: 'app', network: 'net', gateway: 'gwy' },
      absent: 'application',
    },
    attributes: {
      LoadBalancerArn: `arn:{P}:elasticloadbalancing:{R}:{A}:loadbalancer/{variant}/{name}/${ASSIGNED}`,
      LoadBalancerName: '{name}',
    },
  },
  'AWS::ElasticLoadBalancingV2::TargetGroup': {
    nameProperty: ['Name'],
    ref: 'arn',
    arn: `arn:{P}:elasticloadbalancing:{R}:{A}:targetgroup/{name}/${ASSIGNED}`,
    attributes: { TargetGroupName: '{name}' },
  },
  'AWS::NetworkFirewall::RuleGroup': {
    nameProperty: ['RuleGroupName'],
    ref: 'arn',
    arn: 'arn:{P}:network-firewall:{R}:{A}:{variant}-rulegroup/{name}',
    variant: { property: 'Type', values: { STATEFUL: 'stateful', STATELESS: 'stateless' } },
  },
  'AWS::NetworkFirewall::Firewall': {
    nameProperty: ['FirewallName'],
    ref: 'arn',
    arn: 'arn:{P}:network-firewall:{R}:{A}:firewall/{name}',
  },
  'AWS::NetworkFirewall::FirewallPolicy': {
    nameProperty: ['FirewallPolicyName'],
    ref: 'arn',
    arn: 'arn:{P}:network-firewall:{R}:{A}:firewall-policy/{name}',
  },
  'AWS::S3::Bucket': {
    nameProperty: ['BucketName'],
    ref: 'name',
    arn: 'arn:{P}:s3:::{name}',
    lowerCase: true,
    attributes: {
      DomainName: '{name}.s3.amazonaws.com',
      RegionalDomainName: '{name}.s3.{R}.amazonaws.com',
      WebsiteURL: 'http://{name}.s3-website-{R}.amazonaws.com',
    },
  },
  'AWS::S3::AccessPoint': {
    nameProperty: ['Name'],
    ref: 'name',
    arn: 'arn:{P}:s3:{R}:{A}:accesspoint/{name}',
    lowerCase: true,
  },
  'AWS::S3Express::DirectoryBucket': {
    nameProperty: ['BucketName'],
    ref: 'name',
    arn: 'arn:{P}:s3express:{R}:{A}:bucket/{name}',
    lowerCase: true,
  },
  'AWS::S3Tables::TableBucket': {
    nameProperty: ['TableBucketName'],
    ref: 'arn',
    arn: 'arn:{P}:s3tables:{R}:{A}:bucket/{name}',
    lowerCase: true,
  },
  'AWS::SQS::Queue': {
    nameProperty: ['QueueName'],
    ref: 'https://sqs.{R}.amazonaws.com/{A}/{name}',
    arn: 'arn:{P}:sqs:{R}:{A}:{name}',
    attributes: { QueueUrl: 'https://sqs.{R}.amazonaws.com/{A}/{name}', QueueName: '{name}' },
  },
  'AWS::SNS::Topic': {
    nameProperty: ['TopicName'],
    ref: 'arn',
    arn: 'arn:{P}:sns:{R}:{A}:{name}',
    attributes: { TopicArn: 'arn:{P}:sns:{R}:{A}:{name}', TopicName: '{name}' },
  },
  'AWS::IAM::Role': {
    nameProperty: ['RoleName'],
    ref: 'name',
    iamPath: true,
    arn: 'arn:{P}:iam::{A}:role{path}{name}',
    attributes: { RoleId: '{{unresolved:RoleId}}' },
  },
  'AWS::IAM::User': {
    nameProperty: ['UserName'],
    ref: 'name',
    iamPath: true,
    arn: 'arn:{P}:iam::{A}:user{path}{name}',
  },
  'AWS::IAM::Group': {
    nameProperty: ['GroupName'],
    ref: 'name',
    iamPath: true,
    arn: 'arn:{P}:iam::{A}:group{path}{name}',
  },
  'AWS::IAM::ManagedPolicy': {
    nameProperty: ['ManagedPolicyName'],
    ref: 'arn',
    iamPath: true,
    arn: 'arn:{P}:iam::{A}:policy{path}{name}',
    attributes: { PolicyArn: 'arn:{P}:iam::{A}:policy{path}{name}' },
  },
  'AWS::IAM::OIDCProvider': {
    nameProperty: ['Url'],
    ref: 'arn',
    arn: 'arn:{P}:iam::{A}:oidc-provider/{name}',
    arnName: (url) => url.replace(/^https:\/\//i, ''),
  },
  'AWS::IAM::SAMLProvider': {
    nameProperty: ['Name'],
    ref: 'arn',
    arn: 'arn:{P}:iam::{A}:saml-provider/{name}',
  },
  'AWS::IAM::InstanceProfile': {
    nameProperty: ['InstanceProfileName'],
    ref: 'name',
    iamPath: true,
    arn: 'arn:{P}:iam::{A}:instance-profile{path}{name}',
  },
  'AWS::Lambda::Function': {
    nameProperty: ['FunctionName'],
    ref: 'name',
    arn: 'arn:{P}:lambda:{R}:{A}:function:{name}',
  },
  'AWS::Lambda::LayerVersion': {
    nameProperty: ['LayerName'],
    ref: 'arn',
    arn: 'arn:{P}:lambda:{R}:{A}:layer:{name}:1',
  },
  'AWS::KMS::Key': {
    ref: 'name',
    arn: 'arn:{P}:kms:{R}:{A}:key/{name}',
    assignedId: 'KeyId',
    attributes: { KeyId: '{name}' },
  },
  'AWS::KMS::Alias': {
    nameProperty: ['AliasName'],
    ref: 'name',
    arn: 'arn:{P}:kms:{R}:{A}:{name}',
  },
  'AWS::DynamoDB::Table': {
    nameProperty: ['TableName'],
    ref: 'name',
    arn: 'arn:{P}:dynamodb:{R}:{A}:table/{name}',
    attributes: {
      StreamArn: 'arn:{P}:dynamodb:{R}:{A}:table/{name}/stream/2020-01-01T00:00:00.000',
    },
  },
  'AWS::DynamoDB::GlobalTable': {
    nameProperty: ['TableName'],
    ref: 'name',
    arn: 'arn:{P}:dynamodb:{R}:{A}:table/{name}',
    attributes: {
      StreamArn: 'arn:{P}:dynamodb:{R}:{A}:table/{name}/stream/2020-01-01T00:00:00.000',
    },
  },
  'AWS::Logs::LogGroup': {
    nameProperty: ['LogGroupName'],
    ref: 'name',
    arn: 'arn:{P}:logs:{R}:{A}:log-group:{name}:*',
  },
  'AWS::SecretsManager::Secret': {
    nameProperty: ['Name'],
    ref: 'arn',
    arn: 'arn:{P}:secretsmanager:{R}:{A}:secret:{name}-{{unresolved:suffix}}',
    attributes: { Id: 'arn:{P}:secretsmanager:{R}:{A}:secret:{name}-{{unresolved:suffix}}' },
  },
  'AWS::Kinesis::Stream': {
    nameProperty: ['Name'],
    ref: 'name',
    arn: 'arn:{P}:kinesis:{R}:{A}:stream/{name}',
  },
  'AWS::Events::EventBus': {
    nameProperty: ['Name'],
    ref: 'name',
    arn: 'arn:{P}:events:{R}:{A}:event-bus/{name}',
  },
  'AWS::Events::Rule': {
    nameProperty: ['Name'],
    ref: 'name',
    arn: 'arn:{P}:events:{R}:{A}:rule/{name}',
  },
  'AWS::StepFunctions::StateMachine': {
    nameProperty: ['StateMachineName'],
    ref: 'arn',
    arn: 'arn:{P}:states:{R}:{A}:stateMachine:{name}',
  },
  'AWS::ECR::Repository': {
    nameProperty: ['RepositoryName'],
    ref: 'name',
    arn: 'arn:{P}:ecr:{R}:{A}:repository/{name}',
    lowerCase: true,
    attributes: { RepositoryUri: '{A}.dkr.ecr.{R}.amazonaws.com/{name}' },
  },
  'AWS::EFS::FileSystem': {
    ref: 'name',
    arn: 'arn:{P}:elasticfilesystem:{R}:{A}:file-system/{name}',
    assignedId: 'FileSystemId',
    attributes: { FileSystemId: '{name}' },
  },
  'AWS::OpenSearchService::Domain': {
    nameProperty: ['DomainName'],
    ref: 'name',
    arn: 'arn:{P}:es:{R}:{A}:domain/{name}',
    lowerCase: true,
    attributes: { DomainArn: 'arn:{P}:es:{R}:{A}:domain/{name}' },
  },
  'AWS::Elasticsearch::Domain': {
    nameProperty: ['DomainName'],
    ref: 'name',
    arn: 'arn:{P}:es:{R}:{A}:domain/{name}',
    lowerCase: true,
    attributes: { DomainArn: 'arn:{P}:es:{R}:{A}:domain/{name}' },
  },
  'AWS::Backup::BackupVault': {
    nameProperty: ['BackupVaultName'],
    ref: 'name',
    arn: 'arn:{P}:backup:{R}:{A}:backup-vault:{name}',
    attributes: { BackupVaultArn: 'arn:{P}:backup:{R}:{A}:backup-vault:{name}' },
  },
  'AWS::CodeArtifact::Domain': {
    nameProperty: ['DomainName'],
    ref: 'arn',
    arn: 'arn:{P}:codeartifact:{R}:{A}:domain/{name}',
    lowerCase: true,
    attributes: { Name: '{name}' },
  },
  'AWS::CloudTrail::Trail': {
    nameProperty: ['TrailName'],
    ref: 'name',
    arn: 'arn:{P}:cloudtrail:{R}:{A}:trail/{name}',
  },
  'AWS::ApiGateway::RestApi': {
    ref: 'name',
    arn: 'arn:{P}:apigateway:{R}::/restapis/{name}',
    assignedId: 'RestApiId',
    attributes: { RootResourceId: '{{unresolved:RootResourceId}}' },
  },
  'AWS::Glue::Database': {
    nameProperty: ['DatabaseInput', 'Name'],
    ref: 'name',
    arn: 'arn:{P}:glue:{R}:{A}:database/{name}',
    lowerCase: true,
  },
  'AWS::Athena::WorkGroup': {
    nameProperty: ['Name'],
    ref: 'name',
    arn: 'arn:{P}:athena:{R}:{A}:workgroup/{name}',
  },
  'AWS::RDS::DBInstance': {
    nameProperty: ['DBInstanceIdentifier'],
    ref: 'name',
    arn: 'arn:{P}:rds:{R}:{A}:db:{name}',
    lowerCase: true,
  },
  'AWS::RDS::DBCluster': {
    nameProperty: ['DBClusterIdentifier'],
    ref: 'name',
    arn: 'arn:{P}:rds:{R}:{A}:cluster:{name}',
    lowerCase: true,
  },
  'AWS::Redshift::Cluster': {
    nameProperty: ['ClusterIdentifier'],
    ref: 'name',
    arn: 'arn:{P}:redshift:{R}:{A}:cluster:{name}',
    lowerCase: true,
  },
  'AWS::SageMaker::ModelPackageGroup': {
    nameProperty: ['ModelPackageGroupName'],
    ref: 'name',
    arn: 'arn:{P}:sagemaker:{R}:{A}:model-package-group/{name}',
    attributes: { ModelPackageGroupArn: 'arn:{P}:sagemaker:{R}:{A}:model-package-group/{name}' },
  },
};

/** Where the stack would be deployed: the pseudo parameters. */
export interface AwsScope {
  partition: string;
  region: string;
  accountId: string;
}

/** A resource's physical name and, for IAM types, its path (`/` unless set). */
export interface PhysicalName {
  name: string;
  path?: string;
  /** The value of the shape's variant property, when the template sets one. */
  variant?: string;
}

interface Schema {
  /** The property Ref returns; '' when it is compound or unknown. */
  ref: string;
  /** The property that sets the physical name ('' when none does). */
  name: string;
  attributes: string[];
  arn: string | undefined;
}

/** The type's line of the schema digest. */
function schemaOf(type: string): Schema | undefined {
  const line = (schemas.types as Record<string, string>)[type];
  if (line === undefined) return undefined;
  const [ref = '', name = '', attributes = '', arn = ''] = line.split('|');
  return { ref, name, attributes: attributes ? attributes.split(' ') : [], arn: arn || undefined };
}

/** A custom resource's Ref and attributes are whatever its provider returns. */
function isCustom(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

function fill(
  pattern: string,
  physical: PhysicalName,
  env: AwsScope,
  variant?: ResourceShape['variant'],
): string {
  const given = physical.variant ?? variant?.absent;
  const part =
    variant && given !== undefined && Object.hasOwn(variant.values, given)
      ? variant.values[given]!
      : `{{unresolved:${variant?.property ?? 'variant'}}}`;
  return pattern
    .replaceAll('{P}', env.partition)
    .replaceAll('{R}', env.region)
    .replaceAll('{A}', env.accountId)
    .replaceAll('{path}', physical.path ?? '/')
    .replaceAll('{variant}', part)
    .replaceAll('{name}', physical.name);
}

export function nameProperty(type: string): string[] | undefined {
  const shape = SHAPES[type];
  if (shape) return shape.nameProperty;
  const name = schemaOf(type)?.name;
  return name ? [name] : undefined;
}

/** The property that picks a part of the type's ARN, when it has one. */
export function variantProperty(type: string): string | undefined {
  return SHAPES[type]?.variant?.property;
}

export function hasIamPath(type: string): boolean {
  return SHAPES[type]?.iamPath === true;
}

/**
 * The physical name when the template sets none: the logical id stands for the name AWS generates
 * from it; an id AWS assigns is a placeholder.
 */
export function generatedName(type: string, logicalId: string): string {
  const shape = SHAPES[type];
  if (shape?.assignedId) return `{{unresolved:${shape.assignedId}}}`;
  return shape?.lowerCase ? logicalId.toLowerCase() : logicalId;
}

/**
 * The resource's ARN: its shape's format, else the digest's; undefined when no source gives one
 * (a guess from the type's name would read as a real ARN).
 */
function arnOf(type: string, physical: PhysicalName, env: AwsScope): string | undefined {
  const shape = SHAPES[type];
  const name = shape?.arnName ? shape.arnName(physical.name) : physical.name;
  const format = shape?.arn ?? schemaOf(type)?.arn;
  return format && fill(format, { ...physical, name }, env, shape?.variant);
}

/**
 * What `Ref` returns for a resource with this physical name: the name when Ref returns the property
 * that sets it, the ARN when it returns that; undefined when it cannot be known (an id AWS
 * assigns, a compound identifier, a custom resource's answer, a type no schema describes).
 */
export function refValue(type: string, physical: PhysicalName, env: AwsScope): string | undefined {
  if (isCustom(type)) return undefined;
  const shape = SHAPES[type];
  if (shape) {
    if (shape.ref === 'name') return physical.name;
    if (shape.ref === 'arn') return arnOf(type, physical, env);
    return fill(shape.ref, physical, env);
  }
  const schema = schemaOf(type);
  if (!schema?.ref) return undefined;
  if (schema.ref === schema.name) return physical.name;
  return isArnName(schema.ref) ? arnOf(type, physical, env) : undefined;
}

/**
 * What `Fn::GetAtt` returns, or undefined for an attribute we cannot synthesise: the resource's
 * own ARN and name under the names that mean them, nothing invented for other attributes.
 */
export function attributeValue(
  type: string,
  attribute: string,
  physical: PhysicalName,
  env: AwsScope,
): string | undefined {
  if (isCustom(type)) return undefined;
  const shape = SHAPES[type];
  const pattern = shape?.attributes?.[attribute];
  if (pattern !== undefined) return fill(pattern, physical, env, shape?.variant);
  const schema = schemaOf(type);
  if (attribute.includes('.') || (schema && !schema.attributes.includes(attribute)))
    return undefined;
  const kind = type.split('::')[2] ?? '';
  const identifier = schema?.ref === attribute;
  if (attribute === 'Arn' || attribute === `${kind}Arn` || (identifier && isArnName(attribute)))
    return arnOf(type, physical, env);
  // The name is known where the template sets it (or AWS generates it from the logical id).
  const named = shape !== undefined || Boolean(schema?.name);
  if (named && (attribute === 'Name' || attribute === `${kind}Name` || identifier))
    return physical.name;
  return undefined;
}

function isArnName(property: string): boolean {
  return /(^|[a-z])(Arn|ARN)$/.test(property);
}
