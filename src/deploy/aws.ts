import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { S3Client } from '@aws-sdk/client-s3';
import type { RoleToAssume } from '../model/cdk.js';
import { UserError } from '../model/errors.js';

/**
 * The SDK modules, loaded on first use so validate-only runs never pay for them; the bundle keeps
 * each in a chunk of its own under dist/lib/.
 */
export const cloudFormationSdk = () => import('@aws-sdk/client-cloudformation');
export const s3Sdk = () => import('@aws-sdk/client-s3');
const stsSdk = () => import('@aws-sdk/client-sts');
export type CloudFormationSdk = Awaited<ReturnType<typeof cloudFormationSdk>>;

/** One client per region, created on demand: stacks may live in different regions. */
export interface AwsClients {
  cloudFormation(region: string): Promise<CloudFormationClient>;
  s3(region: string): Promise<S3Client>;
  /**
   * The same clients acting as a role (STS AssumeRole with the job's credentials), for the CDK
   * bootstrap roles. Assumed at once, so a role that cannot be assumed fails before anything else.
   */
  assumeRole(role: RoleToAssume, region: string): Promise<AwsClients>;
}

/** Sessions last an hour; a deploy longer than that gets fresh credentials on the way. */
const SESSION_SECONDS = 3600;
const REFRESH_BEFORE_MS = 5 * 60_000;

/**
 * Real clients: the standard credential chain (so OIDC through configure-aws-credentials works
 * as is), adaptive retries against throttling, and the endpoint override for private endpoints
 * and local test servers.
 */
export function realAwsClients(
  options: { endpointUrl?: string },
  credentials?: () => Promise<Credentials>,
): AwsClients {
  const cache = new Map<string, Promise<unknown>>();
  const common = (region: string) => ({
    region,
    retryMode: 'adaptive',
    maxAttempts: 8,
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    ...(credentials ? { credentials } : {}),
  });
  const once = <T>(key: string, make: () => Promise<T>): Promise<T> => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as Promise<T>;
  };
  return {
    cloudFormation: (region) =>
      once(`cfn:${region}`, async () => {
        const sdk = await cloudFormationSdk();
        return new sdk.CloudFormationClient(common(region));
      }),
    s3: (region) =>
      once(`s3:${region}`, async () => {
        const sdk = await s3Sdk();
        // Path-style keeps custom endpoints (moto, private endpoints) working without DNS tricks.
        return new sdk.S3Client({ ...common(region), forcePathStyle: !!options.endpointUrl });
      }),
    assumeRole: (role, region) =>
      once(`role:${role.arn}:${role.externalId ?? ''}:${region}`, async () => {
        const sdk = await stsSdk();
        const sts = new sdk.STSClient(common(region));
        let current: Credentials | undefined;
        const assume = async (): Promise<Credentials> => {
          if (current && current.expiration.getTime() - Date.now() > REFRESH_BEFORE_MS)
            return current;
          const answer = await sts
            .send(
              new sdk.AssumeRoleCommand({
                RoleArn: role.arn,
                RoleSessionName: 'iac-action',
                DurationSeconds: SESSION_SECONDS,
                ...(role.externalId ? { ExternalId: role.externalId } : {}),
              }),
            )
            .catch((error: unknown) => {
              throw new UserError(
                `Could not assume role ${role.arn}: ${error instanceof Error ? error.message : String(error)}`,
                "The CDK bootstrap roles must exist (run `cdk bootstrap` for this account and region) and the job's credentials need sts:AssumeRole on them (the roles trust the bootstrapped account).",
              );
            });
          const c = answer.Credentials;
          if (!c?.AccessKeyId || !c.SecretAccessKey)
            throw new UserError(`Could not assume role ${role.arn}: STS returned no credentials.`);
          current = {
            accessKeyId: c.AccessKeyId,
            secretAccessKey: c.SecretAccessKey,
            ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
            expiration: c.Expiration ?? new Date(Date.now() + SESSION_SECONDS * 1000),
          };
          return current;
        };
        await assume();
        return realAwsClients(options, assume);
      }),
  };
}

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration: Date;
}
