import pLimit from 'p-limit';
import { UserError } from '../model/errors.js';
import {
  deniedActionNames,
  describeGrants,
  firstFew,
  grantedActions,
  grantedResources,
  grantsOf,
  newGrants,
} from './access.js';
import {
  failureKind,
  failureMessage,
  type CheckResult,
  type PolicyAnalyzer,
} from './access-analyzer.js';
import type { IamCatalogue } from './catalogue.js';
import type { PolicyType } from './extract.js';
import type { PolicyPath } from './resolve.js';
import { POLICY_RULES } from './rules.js';

/**
 * The checks a repository sets as guardrails: actions and resources no policy may grant
 * (denied-actions, denied-resources) and no access beyond the base commit's (check-no-new-access).
 * With Access Analyzer they are its billed CheckAccessNotGranted and CheckNoNewAccess calls;
 * offline, and to name what a FAIL is about, the policy's grants are read from the IAM catalogue.
 */
export interface GuardrailJob {
  text: string;
  document: unknown;
  policyType: PolicyType;
  /** A policy that only limits (VPC endpoint): it grants nothing to deny. */
  limitsOnly: boolean;
  /** The same policy at the base commit, when it existed there. */
  base?: { text: string; document: unknown };
}

export interface GuardrailIssue<T> {
  job: T;
  ruleId: string;
  source: 'access-analyzer' | 'policy-check';
  path: PolicyPath;
  message: string;
}

export interface GuardrailOptions {
  deniedActions: readonly string[];
  deniedResources: readonly string[];
  noNewAccess: boolean;
  /** What the base commit is called in messages. */
  baseName: string;
  catalogue: () => Promise<IamCatalogue>;
  /** Set when Access Analyzer decides; offline otherwise. */
  analyzer?: PolicyAnalyzer;
  concurrency: number;
}

/** The rules of these checks (the others are statement or document checks). */
export const GUARDRAIL_RULES = [POLICY_RULES.checkAccessNotGranted, POLICY_RULES.checkNoNewAccess];

/** Access Analyzer takes one access item of at most 100 actions or 100 resources per call. */
export const ACCESS_BATCH = 100;

/** The access checks take identity and resource policies (not SCPs or RCPs). */
const CHECKED_TYPES = new Set<PolicyType>(['IDENTITY_POLICY', 'RESOURCE_POLICY']);

export async function checkGuardrails<T extends GuardrailJob>(
  jobs: readonly T[],
  options: GuardrailOptions,
): Promise<{ issues: GuardrailIssue<T>[]; notices: string[] }> {
  const issues: GuardrailIssue<T>[] = [];
  const notices = new Set<string>();
  const denying = options.deniedActions.length + options.deniedResources.length > 0;
  const checked = jobs.filter((j) => CHECKED_TYPES.has(j.policyType));
  if (!checked.length || (!denying && !options.noNewAccess)) return { issues, notices: [] };
  const catalogue = await options.catalogue();
  const deniedNames = new Map<string, string[]>();
  for (const action of options.deniedActions)
    deniedNames.set(action, await deniedActionNames(action, catalogue));
  const limit = pLimit(options.concurrency);
  const calls = new Map<string, Promise<CheckResult | Error>>();
  /** Identical calls (same text and question) are made once; a failure comes back as an Error. */
  const ask = (key: unknown[], call: (a: PolicyAnalyzer) => Promise<CheckResult>) => {
    const id = JSON.stringify(key);
    let pending = calls.get(id);
    if (!pending) {
      pending = limit(() =>
        call(options.analyzer!).catch((error: unknown) => {
          const kind = failureKind(error);
          if (kind !== 'failed') throw error;
          return error instanceof Error ? error : new Error(String(error));
        }),
      );
      calls.set(id, pending);
    }
    return pending;
  };

  await Promise.all(
    checked.map(async (job) => {
      const grants = await grantsOf(job.document, job.policyType, catalogue);
      if (denying && !job.limitsOnly) {
        const offline: Hit[] = grants
          ? [
              ...grantedActions(grants, deniedNames).map((g) => ({
                ...g,
                kind: 'action' as const,
              })),
              ...grantedResources(grants, options.deniedResources).map((g) => ({
                ...g,
                kind: 'resource' as const,
              })),
            ]
          : [];
        let found = offline;
        if (options.analyzer) {
          const batches: { actions?: string[]; resources?: string[] }[] = [
            ...chunks(options.deniedActions, ACCESS_BATCH).map((actions) => ({ actions })),
            ...chunks(options.deniedResources, ACCESS_BATCH).map((resources) => ({ resources })),
          ];
          found = [];
          for (const access of batches) {
            const answer = await ask(['access', job.policyType, access, job.text], (a) =>
              a.checkAccessNotGranted({
                policyDocument: job.text,
                policyType: job.policyType,
                access: [access],
              }),
            ).catch((error: unknown) => denied(error, 'CheckAccessNotGranted'));
            const asked = new Set<string>(access.actions ?? access.resources ?? []);
            const named = offline.filter((f) => f.names.some((n) => asked.has(n)));
            if (answer instanceof Error) {
              notices.add(analyzerFallback('CheckAccessNotGranted', answer));
              found.push(...named);
            } else if (answer.result === 'FAIL') {
              // Access Analyzer says which statement, not which action: the catalogue names it.
              found.push(
                ...(named.length
                  ? named.map((f) => ({ ...f, names: f.names.filter((n) => asked.has(n)) }))
                  : [
                      {
                        path: statementPath(job.document, answer),
                        names: [...asked],
                        kind: access.actions ? ('action' as const) : ('resource' as const),
                        ...reasonOf(answer),
                      },
                    ]),
              );
            }
          }
        }
        for (const f of found) {
          const what = f.kind;
          const reason = f.reason ? ` (${f.reason})` : '';
          issues.push({
            job,
            ruleId: POLICY_RULES.checkAccessNotGranted.id,
            source: options.analyzer ? 'access-analyzer' : 'policy-check',
            path: f.path,
            message: `Grants the denied ${what}${f.names.length > 1 ? 's' : ''} ${firstFew(f.names, 5)} (input denied-${what}s)${reason}.`,
          });
        }
      }

      if (!options.noNewAccess || !job.base || job.base.text === job.text) return;
      const before = await grantsOf(job.base.document, job.policyType, catalogue);
      const added = grants && before ? newGrants(before, grants) : undefined;
      const withPrincipal = job.policyType === 'RESOURCE_POLICY';
      let message: string | undefined;
      if (options.analyzer) {
        const answer = await ask(['new', job.policyType, job.base.text, job.text], (a) =>
          a.checkNoNewAccess({
            newPolicyDocument: job.text,
            existingPolicyDocument: job.base!.text,
            policyType: job.policyType,
          }),
        ).catch((error: unknown) => denied(error, 'CheckNoNewAccess'));
        if (answer instanceof Error) {
          notices.add(analyzerFallback('CheckNoNewAccess', answer));
        } else {
          if (answer.result !== 'FAIL') return;
          const reason = answer.reasons?.map((r) => r.description).filter(Boolean)[0];
          message = added?.length
            ? `Newly allows ${describeGrants(added, withPrincipal)}, compared with ${options.baseName} (CheckNoNewAccess).`
            : `Allows more than at ${options.baseName} (CheckNoNewAccess): ${answer.message ?? ''}${reason ? ` ${reason}` : ''}`.trim();
          issues.push({
            job,
            ruleId: POLICY_RULES.checkNoNewAccess.id,
            source: 'access-analyzer',
            path: [],
            message,
          });
          return;
        }
      }
      if (!added) {
        notices.add(
          'A policy expands to too many action × resource pairs to compare with the base commit offline; give AWS credentials to compare it with Access Analyzer CheckNoNewAccess.',
        );
        return;
      }
      if (added.length)
        issues.push({
          job,
          ruleId: POLICY_RULES.checkNoNewAccess.id,
          source: 'policy-check',
          path: [],
          message: `Newly allows ${describeGrants(added, withPrincipal)}, compared with ${options.baseName}.`,
        });
    }),
  );
  return { issues, notices: [...notices] };
}

/** Denied actions or resources one statement grants. */
interface Hit {
  path: PolicyPath;
  names: string[];
  kind: 'action' | 'resource';
  /** Access Analyzer's reason, when the catalogue could not name what is granted. */
  reason?: string;
}

function reasonOf(answer: CheckResult): { reason?: string } {
  const reason = answer.reasons?.find((r) => r.description)?.description ?? answer.message;
  return reason ? { reason } : {};
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Missing credentials or permissions stop the run with what to grant. */
function denied(error: unknown, call: string): never {
  throw new UserError(
    `IAM Access Analyzer refused ${call}: ${failureMessage(error)}.`,
    failureKind(error) === 'credentials'
      ? 'Configure AWS credentials, or set policy-validation to offline.'
      : `Grant the role access-analyzer:${call}, or set policy-validation to offline.`,
  );
}

function analyzerFallback(call: string, error: Error): string {
  return `IAM Access Analyzer ${call} failed (${failureMessage(error)}), so the policies it could not check were checked offline.`;
}

/** The statement a check's first reason names, else the whole Statement element. */
function statementPath(document: unknown, answer: CheckResult): PolicyPath {
  const index = answer.reasons?.find((r) => r.statementIndex !== undefined)?.statementIndex;
  const list = (document as { Statement?: unknown } | undefined)?.Statement;
  return index !== undefined && Array.isArray(list) && index < list.length
    ? ['Statement', index]
    : ['Statement'];
}
