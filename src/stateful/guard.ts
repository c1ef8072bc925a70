import type { Finding, ResourceChangeEntry, StackPlanEntry } from '../model/findings.js';
import { child, entry, isMap, isScalar, type ParsedTemplate } from '../model/template.js';
import { STATEFUL_TYPES } from '../model/stateful.js';
import { STATEFUL_RULES } from './rules.js';

export { STATEFUL_TYPES };

/**
 * True when input allow-replacement lets this logical id be replaced or removed; a resource of a
 * nested stack (`Storage/Bucket`) is allowed by its path or by its own logical id.
 */
export function replacementAllowed(logicalId: string, allow: readonly string[]): boolean {
  return (
    allow.includes('*') || allow.includes(logicalId) || allow.includes(logicalId.split('/').pop()!)
  );
}

/** A change that would destroy the stored data of a stateful resource. */
export function destroysData(change: ResourceChangeEntry): boolean {
  if (!change.stateful) return false;
  if (change.action === 'replace' || change.action === 'may-replace') return true;
  return change.action === 'remove' && !change.retained;
}

/**
 * Mark each data-destroying change of a plan as blocked unless allowed, and return one error per
 * blocked resource, placed at the resource in the template when it is known.
 */
export function guardPlan(
  entry: StackPlanEntry,
  allow: readonly string[],
  template: ParsedTemplate | undefined,
  templateFile: string,
): Finding[] {
  const findings: Finding[] = [];
  for (const change of entry.changes) {
    change.blocked = destroysData(change) && !replacementAllowed(change.logicalId, allow);
    if (!change.blocked) continue;
    // A renamed resource is found under its new name; a removed one is not in the template; a
    // nested stack's resource is shown at its stack resource.
    const resource = template
      ? resourceEntry(
          template,
          change.nestedIn?.split('/')[0] ?? change.renamedTo ?? change.logicalId,
        )
      : undefined;
    const verb =
      change.action === 'remove'
        ? 'delete'
        : change.action === 'may-replace'
          ? 'may replace'
          : 'replace';
    const causes = change.replacementCauses.length
      ? ` (because of ${change.replacementCauses.join(', ')})`
      : '';
    const nested = change.nestedIn ? ` (in nested stack ${change.nestedIn})` : '';
    const renamed = change.renamedTo
      ? `: its logical id was renamed to ${change.renamedTo}, so CloudFormation deletes it and creates a new, empty one`
      : '';
    const subject = entry.predictedFrom
      ? ` (predicted without AWS from the base commit ${entry.predictedFrom.slice(0, 7)}): the template change would`
      : ': the change set would';
    findings.push({
      source: 'change-set',
      ruleId: STATEFUL_RULES.blockedChange.id,
      severity: 'error',
      file: templateFile,
      line: resource?.keyStart.line ?? 0,
      column: resource?.keyStart.column ?? 0,
      logicalId: change.logicalId,
      message: `Stack ${entry.stackName}${subject} ${verb} ${change.resourceType} ${change.logicalId}${nested}${causes}${renamed}, which loses its data. Add "${change.logicalId}" to input allow-replacement if that is intended.`,
    });
  }
  if (findings.length) entry.status = 'blocked';
  return findings;
}

function resourceEntry(template: ParsedTemplate, logicalId: string) {
  return entry(child(template.root, 'Resources'), logicalId);
}

/**
 * Validation-time warning: a stateful resource without both DeletionPolicy and UpdateReplacePolicy
 * is deleted with its data when it is removed or replaced.
 */
export function statefulPolicyFindings(templates: readonly ParsedTemplate[]): Finding[] {
  const findings: Finding[] = [];
  for (const template of templates) {
    const resources = child(template.root, 'Resources');
    if (!isMap(resources)) continue;
    for (const resource of resources.entries) {
      const type = child(resource.value, 'Type');
      if (!isScalar(type) || typeof type.value !== 'string' || !STATEFUL_TYPES.has(type.value))
        continue;
      const missing = ['DeletionPolicy', 'UpdateReplacePolicy'].filter(
        (key) => !entry(resource.value, key),
      );
      if (!missing.length) continue;
      findings.push({
        source: 'stateful',
        ruleId: STATEFUL_RULES.unprotected.id,
        severity: 'warning',
        file: template.file,
        line: resource.keyStart.line,
        column: resource.keyStart.column,
        logicalId: resource.key,
        message: `${type.value} ${resource.key} holds data but has no ${missing.join(' or ')}: replacing or removing it deletes the data. Set both (e.g. Retain or Snapshot).`,
        helpUrl:
          'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html',
      });
    }
  }
  return findings;
}
