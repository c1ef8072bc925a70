/**
 * Resource types whose replacement or deletion loses data. It holds every type of cfn-lint's
 * data/AdditionalSpecs/StatefulResources.json (a test keeps the two in step) plus the types the
 * product brief names that cfn-lint leaves out.
 */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'AWS::Backup::BackupVault',
  'AWS::CloudFormation::Stack',
  'AWS::Cognito::UserPool',
  'AWS::DocDB::DBCluster',
  'AWS::DocDB::DBInstance',
  'AWS::DynamoDB::GlobalTable',
  'AWS::DynamoDB::Table',
  'AWS::EC2::Volume',
  'AWS::EFS::FileSystem',
  'AWS::EMR::Cluster',
  'AWS::ElastiCache::CacheCluster',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::Elasticsearch::Domain',
  'AWS::FSx::FileSystem',
  'AWS::KMS::Key',
  'AWS::Kinesis::Stream',
  'AWS::Logs::LogGroup',
  'AWS::Neptune::DBCluster',
  'AWS::Neptune::DBInstance',
  'AWS::OpenSearchService::Domain',
  'AWS::Organizations::Account',
  'AWS::QLDB::Ledger',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
  'AWS::Redshift::Cluster',
  'AWS::S3::Bucket',
  'AWS::SDB::Domain',
  'AWS::SQS::Queue',
  'AWS::SecretsManager::Secret',
  // Not in cfn-lint's list, but data is lost all the same.
  'AWS::SageMaker::NotebookInstance',
  'AWS::S3Express::DirectoryBucket',
  'AWS::S3Tables::TableBucket',
]);
