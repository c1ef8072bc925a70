import pLimit from 'p-limit';
import type { AnalyzerLocation } from './locations.js';

/** One finding of ValidatePolicy, as the API returns it. */
export interface AnalyzerFinding {
  findingType?: string;
  issueCode?: string;
  findingDetails?: string;
  learnMoreLink?: string;
  locations?: AnalyzerLocation[];
}

/** The answer of CheckNoPublicAccess, CheckAccessNotGranted and CheckNoNewAccess. */
export interface CheckResult {
  result?: string;
  message?: string;
  reasons?: { description?: string; statementIndex?: number; statementId?: string }[];
}

/** The Access Analyzer calls the policy stage makes, so tests and the bench can swap them. */
export interface PolicyAnalyzer {
  /** ValidatePolicy, every page. */
  validatePolicy(input: {
    policyDocument: string;
    policyType: string;
    validatePolicyResourceType?: string;
  }): Promise<AnalyzerFinding[]>;
  checkNoPublicAccess(input: {
    policyDocument: string;
    resourceType: string;
  }): Promise<CheckResult>;
  /** `access` holds one item, of up to 100 actions or 100 resources (the API's limits). */
  checkAccessNotGranted(input: {
    policyDocument: string;
    policyType: string;
    access: { actions?: string[]; resources?: string[] }[];
  }): Promise<CheckResult>;
  checkNoNewAccess(input: {
    newPolicyDocument: string;
    existingPolicyDocument: string;
    policyType: string;
  }): Promise<CheckResult>;
}

export interface AnalyzerOptions {
  region: string;
  endpointUrl?: string;
  /** Only tests pass these; otherwise the SDK's standard credential chain finds them. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Retries on throttling and server errors (the SDK's adaptive mode). */
  maxAttempts?: number;
}

/** How the policy stage's AWS clients call: adaptive retries, time limits, the endpoint override. */
export function clientOptions(options: AnalyzerOptions) {
  return {
    region: options.region,
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 6,
    requestHandler: { requestTimeout: 30_000, connectionTimeout: 5_000 },
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
}

/**
 * The real Access Analyzer client. The SDK is imported here, on first use, so runs that never
 * call AWS start without evaluating it.
 */
export async function createAccessAnalyzer(options: AnalyzerOptions): Promise<PolicyAnalyzer> {
  // Eager: bundled into the same file (the CLI must stay one file) but evaluated only here.
  const sdk = await import('@aws-sdk/client-accessanalyzer');
  const client = new sdk.AccessAnalyzerClient(clientOptions(options));
  return {
    async validatePolicy(input) {
      const findings: AnalyzerFinding[] = [];
      for await (const page of sdk.paginateValidatePolicy(
        { client, pageSize: 100 },
        input as never,
      )) {
        findings.push(...((page.findings ?? []) as AnalyzerFinding[]));
      }
      return findings;
    },
    async checkNoPublicAccess(input) {
      return (await client.send(new sdk.CheckNoPublicAccessCommand(input as never))) as CheckResult;
    },
    async checkAccessNotGranted(input) {
      return (await client.send(
        new sdk.CheckAccessNotGrantedCommand(input as never),
      )) as CheckResult;
    },
    async checkNoNewAccess(input) {
      return (await client.send(new sdk.CheckNoNewAccessCommand(input as never))) as CheckResult;
    },
  };
}

/** Why a call failed, in the terms the user acts on. */
export type FailureKind = 'credentials' | 'denied' | 'failed';

export function failureKind(error: unknown): FailureKind {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (e?.name === 'CredentialsProviderError' || /credential/i.test(e?.name ?? ''))
    return 'credentials';
  if (
    e?.$metadata?.httpStatusCode === 403 ||
    e?.name === 'AccessDeniedException' ||
    e?.name === 'UnrecognizedClientException'
  )
    return 'denied';
  return 'failed';
}

export function failureMessage(error: unknown): string {
  const e = error as
    { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = e?.$metadata?.httpStatusCode;
  const name = e?.name && e.name !== 'Error' ? e.name : '';
  return [name, status ? `HTTP ${status}` : '', e?.message ?? String(error)]
    .filter(Boolean)
    .join(': ');
}

/** One job for the analyzer: a policy's text and the calls it needs. */
export interface AnalyzerJob {
  text: string;
  policyType: string;
  validatePolicyResourceType?: string;
  /** Set when CheckNoPublicAccess should run too. */
  publicAccessResourceType?: string;
}

export interface AnalyzerAnswer {
  findings: AnalyzerFinding[];
  publicAccess?: CheckResult;
}

export type AnalyzerOutcome<T> =
  | { job: T; ok: true; answer: AnalyzerAnswer }
  | { job: T; ok: false; error: unknown }
  | { job: T; ok: false; skipped: true };

/**
 * Run every job with at most `concurrency` calls at a time; identical documents (same text, type
 * and resource type) are sent once. After the first hard failure no new calls start: the rest
 * come back as skipped, so one outage gives one error rather than hundreds.
 */
export async function analyzeAll<T extends AnalyzerJob>(
  jobs: readonly T[],
  analyzer: PolicyAnalyzer,
  concurrency: number,
): Promise<AnalyzerOutcome<T>[]> {
  const limit = pLimit(concurrency);
  const calls = new Map<string, Promise<AnalyzerAnswer | typeof SKIPPED>>();
  let failed = false;
  const call = (job: T): Promise<AnalyzerAnswer | typeof SKIPPED> => {
    const key = JSON.stringify([
      job.policyType,
      job.validatePolicyResourceType,
      job.publicAccessResourceType,
      job.text,
    ]);
    let pending = calls.get(key);
    if (!pending) {
      pending = limit(async () => {
        if (failed) return SKIPPED;
        try {
          const [findings, publicAccess] = await Promise.all([
            analyzer.validatePolicy({
              policyDocument: job.text,
              policyType: job.policyType,
              ...(job.validatePolicyResourceType
                ? { validatePolicyResourceType: job.validatePolicyResourceType }
                : {}),
            }),
            job.publicAccessResourceType
              ? analyzer.checkNoPublicAccess({
                  policyDocument: job.text,
                  resourceType: job.publicAccessResourceType,
                })
              : Promise.resolve(undefined),
          ]);
          return { findings, ...(publicAccess ? { publicAccess } : {}) };
        } catch (error) {
          failed = true;
          throw error;
        }
      });
      calls.set(key, pending);
    }
    return pending;
  };
  return Promise.all(
    jobs.map(async (job): Promise<AnalyzerOutcome<T>> => {
      try {
        const answer = await call(job);
        return answer === SKIPPED ? { job, ok: false, skipped: true } : { job, ok: true, answer };
      } catch (error) {
        return { job, ok: false, error };
      }
    }),
  );
}

const SKIPPED = Symbol('skipped');
