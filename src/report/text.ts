import type {
  Counts,
  DeploymentEntry,
  Report,
  ResourceChangeEntry,
  PropertyChange,
  StackPlanEntry,
} from '../model/findings.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** ", 12 files skipped: not templates", so a user sees what a folder scan did not check. */
export function skippedCount(report: Report, before: string): string {
  const n = report.skipped?.length ?? 0;
  return n ? `${before}${plural(n, 'file')} skipped: not templates` : '';
}

export function countsLine(c: Counts): string {
  return `${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${c.info} info`;
}

/** Like a compiler: `file:line:col severity ruleId message`, then one summary line. */
export function formatText(report: Report): string {
  const lines = report.findings.map(
    (f) =>
      `${f.file}:${f.line}:${f.column} ${f.severity} ${f.ruleId} ${f.logicalId ? `${f.logicalId}: ` : ''}${f.message}`,
  );
  for (const notice of report.notices) lines.push(`notice: ${notice}`);
  const s = report.summary;
  const tools = [
    report.cfnLintVersion ? `cfn-lint ${report.cfnLintVersion}` : '',
    report.policies.length
      ? `${report.policies.length} ${report.policies.length === 1 ? 'policy' : 'policies'} checked`
      : '',
  ]
    .filter(Boolean)
    .join(', ');
  const verdict = s.blocking
    ? `blocked: ${s.blockingCount} at or above fail-on "${s.failOn}"`
    : 'passed';
  lines.push(
    `${countsLine(s)} in ${plural(report.templates.length, 'template')}${tools ? ` (${tools})` : ''}${skippedCount(report, ', ')}: ${verdict}.`,
  );
  return lines.join('\n');
}

const SIGN: Record<ResourceChangeEntry['action'], string> = {
  add: '+',
  modify: '~',
  replace: '-/+',
  'may-replace': '~/+',
  remove: '-',
  import: '<-',
  dynamic: '?',
};

/** The change-set preview for a terminal or the log, like a plan: one line per resource change. */
export function formatPlanText(
  plan: readonly StackPlanEntry[],
  deployments: readonly DeploymentEntry[] = [],
): string {
  const lines: string[] = [];
  for (const p of plan) {
    const kind = p.changeSetType === 'CREATE' ? ', new stack' : '';
    const predicted = p.predictedFrom
      ? `, predicted without AWS from ${p.predictedFrom.slice(0, 7)}`
      : '';
    const unmanaged = p.unmanaged ? ', no longer managed' : '';
    lines.push(
      `stack ${p.stackName} (${p.region}${kind}${predicted}${unmanaged}): ${p.status === 'no-changes' ? 'no changes' : p.status === 'changes' ? `${p.changes.length} change${p.changes.length === 1 ? '' : 's'}` : p.status}`,
    );
    if (p.message) lines.push(`  ${p.message}`);
    for (const c of p.changes) {
      const flags = [
        c.stateful ? 'stateful' : '',
        c.blocked ? 'BLOCKED' : '',
        c.retained ? 'retained' : '',
      ]
        .filter(Boolean)
        .join(', ');
      const causes = c.replacementCauses.length
        ? ` because of ${c.replacementCauses.join(', ')}`
        : '';
      const renamed = c.renamedTo
        ? `, renamed to ${c.renamedTo}`
        : c.renamedFrom
          ? `, renamed from ${c.renamedFrom}`
          : '';
      // A nested stack's changes are indented under its stack resource.
      const indent = '  '.repeat(c.nestedIn ? c.nestedIn.split('/').length : 0);
      lines.push(
        `  ${indent}${SIGN[c.action].padEnd(4)}${c.action.padEnd(12)}${c.logicalId} (${c.resourceType})${renamed}${causes}${flags ? ` [${flags}]` : ''}`,
      );
      for (const property of c.properties ?? []) lines.push(`      ${propertyText(property)}`);
    }
    if (p.iamStatements)
      for (const c of p.iamStatements)
        lines.push(
          `  iam ${c.change === 'added' ? '+' : '-'} ${c.effect} ${c.actions.join(', ')} on ${c.resources.join(', ') || '(the resource)'}${c.principals.length ? ` for ${c.principals.join(', ')}` : ''}${c.condition ? ' (with a condition)' : ''} [${c.logicalId}${c.policyName === c.logicalId ? '' : ` ${c.policyName}`}]`,
        );
    else for (const change of p.iamChanges) lines.push(`  iam: ${change}`);
    if (p.driftNote) lines.push(`  drift: ${p.driftNote}`);
    for (const d of p.drift ?? []) {
      const fate = p.revertsDrift
        ? 'reverted'
        : d.overwritten
          ? 'overwritten by this change set'
          : 'kept';
      lines.push(`  drift: ${d.logicalId} (${d.resourceType}) ${d.status} [${fate}]`);
      for (const difference of d.differences)
        lines.push(
          `      ${difference.path}: ${difference.expected ?? '(none)'} → ${difference.actual ?? '(none)'} (template → live)`,
        );
    }
  }
  for (const d of deployments) {
    const failure = d.failure
      ? `: ${d.failure.logicalId}: ${d.failure.reason}`
      : d.message
        ? `: ${d.message}`
        : '';
    lines.push(
      `deploy ${d.stackName} (${d.region}): ${d.status}${d.stackStatus ? ` (${d.stackStatus})` : ''}${failure}`,
    );
  }
  const rollingBack = deployments.filter((d) => d.rollingBack).map((d) => d.stackName);
  if (rollingBack.length) lines.push(`left rolling back in AWS: ${rollingBack.join(', ')}`);
  return lines.join('\n');
}

/** `path: before → after`, with the replacement it causes. */
export function propertyText(p: PropertyChange): string {
  const values = `${p.before ?? '(none)'} → ${p.after ?? '(none)'}`;
  const replaces = p.replacement
    ? p.replacement === 'always'
      ? ' (requires replacement)'
      : ' (may require replacement)'
    : '';
  const live = p.live === undefined ? '' : `, reverts drift (live: ${p.live})`;
  return `${p.path}: ${values}${replaces}${p.causedBy ? `, caused by ${p.causedBy}` : ''}${live}`;
}
