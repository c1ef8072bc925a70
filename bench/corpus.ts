import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * A corpus of mid-sized, realistic templates (buckets, queues, roles with inline policies,
 * functions, alarms) that differ in size, so sharding by size has something to balance.
 */
export async function writeCorpus(dir: string, count: number): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `stack-${String(i).padStart(3, '0')}.yaml`);
    await fs.writeFile(file, template(i));
    files.push(file);
  }
  return files;
}

function template(i: number): string {
  const services = 1 + (i % 5);
  let resources = '';
  for (let s = 0; s < services; s++) {
    resources += `
  Queue${s}:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "\${AWS::StackName}-q${s}"
      MessageRetentionPeriod: ${60 + s}
      VisibilityTimeout: 30
  Bucket${s}:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      VersioningConfiguration:
        Status: Enabled
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
  Role${s}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: access
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action:
                  - sqs:SendMessage
                  - sqs:ReceiveMessage
                Resource: !GetAtt Queue${s}.Arn
              - Effect: Allow
                Action: s3:GetObject
                Resource: !Sub "\${Bucket${s}.Arn}/*"
  Function${s}:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role${s}.Arn
      Timeout: 30
      Code:
        ZipFile: |
          def handler(event, context):
              return {"ok": True}
      Environment:
        Variables:
          QUEUE: !Ref Queue${s}
          BUCKET: !Ref Bucket${s}
  Alarm${s}:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions:
        - Name: FunctionName
          Value: !Ref Function${s}
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
`;
  }
  return `AWSTemplateFormatVersion: "2010-09-09"
Description: Generated bench stack ${i}
Parameters:
  Environment:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
Conditions:
  IsProd: !Equals [!Ref Environment, prod]
Resources:${resources}
Outputs:
  FirstQueue:
    Value: !Ref Queue0
    Condition: IsProd
`;
}
