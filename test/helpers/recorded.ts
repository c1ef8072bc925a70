import {
  CloudFormationClient,
  type Change,
  type DescribeChangeSetOutput,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClients } from '../../src/deploy/aws.js';

/**
 * Recorded CloudFormation answers for what moto does not do, shaped as the API reference gives
 * them. Every test file using it resets the mock after each test.
 */
export const cfn = mockClient(CloudFormationClient);

export const recordedAws: AwsClients = {
  cloudFormation: async (region) =>
    new CloudFormationClient({ region, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
  s3: async (region) => new S3Client({ region }),
  assumeRole: async () => recordedAws,
};

/** DescribeStacks of one stack in a status. */
export const stackAt = (name: string, status: string, extra = {}) => ({
  Stacks: [
    { StackName: name, StackStatus: status as StackStatus, CreationTime: new Date(), ...extra },
  ],
});

/** DescribeChangeSet of a computed change set, ready to execute. */
export const readyChangeSet = (changes: Change[]): DescribeChangeSetOutput => ({
  Status: 'CREATE_COMPLETE',
  ExecutionStatus: 'AVAILABLE',
  Changes: changes,
});

/** A resource change without details. */
export const modify = (logicalId: string, type: string): Change => ({
  Type: 'Resource',
  ResourceChange: { Action: 'Modify', LogicalResourceId: logicalId, ResourceType: type },
});
