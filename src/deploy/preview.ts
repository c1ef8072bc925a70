import type { Change } from '@aws-sdk/client-cloudformation';
import type { ResourceChangeEntry } from '../model/findings.js';
import { STATEFUL_TYPES } from '../model/stateful.js';

/** Types whose changes alter who may do what: listed in the "permissions change" table. */
const IAM_TYPES =
  /^AWS::(IAM|SSO)::|^AWS::(S3::BucketPolicy|SQS::QueuePolicy|SNS::TopicPolicy|Lambda::Permission|SecretsManager::ResourcePolicy)$/;
/** Properties of other types that hold a policy. */
const POLICY_PROPERTIES = new Set([
  'AssumeRolePolicyDocument',
  'KeyPolicy',
  'ManagedPolicyArns',
  'Policies',
  'PolicyDocument',
  'PolicyText',
  'ResourcePolicy',
]);

/** Turn the change set's changes into the preview: one entry per resource, plus IAM changes. */
export function previewChanges(changes: readonly Change[]): {
  changes: ResourceChangeEntry[];
  iamChanges: string[];
} {
  const entries: ResourceChangeEntry[] = [];
  const iamChanges: string[] = [];
  for (const change of changes) {
    const rc = change.ResourceChange;
    if (change.Type !== 'Resource' || !rc) continue;
    const type = rc.ResourceType ?? 'unknown';
    const action = actionOf(rc.Action, rc.Replacement);
    const causes = new Set<string>();
    const touched = new Set<string>();
    for (const detail of rc.Details ?? []) {
      const target = detail.Target;
      const name = target?.Name ?? target?.Attribute;
      if (!name) continue;
      touched.add(name);
      if (target?.RequiresRecreation === 'Always') causes.add(name);
      if (target?.RequiresRecreation === 'Conditionally') causes.add(`${name} (conditionally)`);
    }
    const entry: ResourceChangeEntry = {
      logicalId: rc.LogicalResourceId ?? '?',
      resourceType: type,
      action,
      replacementCauses: action === 'replace' || action === 'may-replace' ? [...causes] : [],
      stateful: STATEFUL_TYPES.has(type),
      blocked: false,
    };
    if (rc.Action === 'Remove' && /Retain|Snapshot/.test(rc.PolicyAction ?? ''))
      entry.retained = true;
    entries.push(entry);
    const policyProps = [...touched].filter((p) => POLICY_PROPERTIES.has(p));
    if (IAM_TYPES.test(type) || policyProps.length) {
      const what = policyProps.length ? `: ${policyProps.join(', ')}` : '';
      iamChanges.push(`${action} ${type} ${entry.logicalId}${what}`);
    }
  }
  return { changes: entries, iamChanges };
}

function actionOf(action: string | undefined, replacement: string | undefined) {
  switch (action) {
    case 'Add':
      return 'add' as const;
    case 'Remove':
      return 'remove' as const;
    case 'Import':
      return 'import' as const;
    case 'Dynamic':
      return 'dynamic' as const;
    default:
      if (replacement === 'True') return 'replace' as const;
      if (replacement === 'Conditional') return 'may-replace' as const;
      return 'modify' as const;
  }
}
