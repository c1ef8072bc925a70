import { clientOptions, type AnalyzerOptions } from './access-analyzer.js';

/** Reads managed policy documents from IAM: GetPolicy for the default version, GetPolicyVersion for it. */
export interface ManagedPolicyReader {
  /** The default version's document, parsed; throws what IAM answered. */
  document(arn: string): Promise<unknown>;
}

/** The real IAM client, its SDK loaded on first use. Each ARN is read once per run. */
export async function createManagedPolicyReader(
  options: AnalyzerOptions,
): Promise<ManagedPolicyReader> {
  const sdk = await import('@aws-sdk/client-iam');
  const client = new sdk.IAMClient(clientOptions(options));
  const read = new Map<string, Promise<unknown>>();
  return {
    document(arn) {
      let pending = read.get(arn);
      if (!pending) {
        pending = (async () => {
          const { Policy } = await client.send(new sdk.GetPolicyCommand({ PolicyArn: arn }));
          const { PolicyVersion } = await client.send(
            new sdk.GetPolicyVersionCommand({
              PolicyArn: arn,
              VersionId: Policy?.DefaultVersionId,
            }),
          );
          // IAM returns the document URL-encoded (RFC 3986).
          return JSON.parse(decodeURIComponent(PolicyVersion?.Document ?? '')) as unknown;
        })();
        read.set(arn, pending);
      }
      return pending;
    },
  };
}
