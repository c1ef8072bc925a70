import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { S3Client } from '@aws-sdk/client-s3';

/**
 * The SDK modules, loaded on first use so validate-only runs never pay for them; the bundle keeps
 * each in a chunk of its own under dist/lib/.
 */
export const cloudFormationSdk = () => import('@aws-sdk/client-cloudformation');
export const s3Sdk = () => import('@aws-sdk/client-s3');
export type CloudFormationSdk = Awaited<ReturnType<typeof cloudFormationSdk>>;

/** One client per region, created on demand: stacks may live in different regions. */
export interface AwsClients {
  cloudFormation(region: string): Promise<CloudFormationClient>;
  s3(region: string): Promise<S3Client>;
}

/**
 * Real clients: the standard credential chain (so OIDC through configure-aws-credentials works
 * as is), adaptive retries against throttling, and the endpoint override for private endpoints
 * and local test servers.
 */
export function realAwsClients(options: { endpointUrl?: string }): AwsClients {
  const cache = new Map<string, Promise<unknown>>();
  const common = (region: string) => ({
    region,
    retryMode: 'adaptive',
    maxAttempts: 8,
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
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
  };
}
