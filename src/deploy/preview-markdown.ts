import type { DeploymentEntry, ResourceChangeEntry, StackPlanEntry } from '../core/findings.js';

/** Escape text from templates and AWS for markdown tables and HTML-capable renderers. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#~])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

const ACTION_LABEL: Record<ResourceChangeEntry['action'], string> = {
  add: '➕ add',
  modify: '✏️ modify',
  replace: '♻️ replace',
  'may-replace': '⚠️ may replace',
  remove: '🗑️ remove',
  import: '📥 import',
  dynamic: '❔ dynamic',
};

const STATUS_LABEL: Record<StackPlanEntry['status'], string> = {
  changes: 'changes',
  'no-changes': 'no changes',
  failed: '❌ failed',
  blocked: '⛔ blocked',
};

/**
 * The change-set preview as markdown: blocked stateful changes first, then one table per stack,
 * then IAM changes, and deployment outcomes when there are any.
 */
export function renderPlanMarkdown(
  plan: readonly StackPlanEntry[],
  deployments: readonly DeploymentEntry[] = [],
): string {
  const e = escapeMarkdown;
  const out: string[] = ['## Change sets', ''];
  const blocked = plan.flatMap((p) => p.changes.filter((c) => c.blocked).map((c) => ({ p, c })));
  if (blocked.length) {
    out.push(
      '> [!CAUTION]',
      '> These changes would destroy stored data and are blocked unless input `allow-replacement` names them:',
      ...blocked.map(
        ({ p, c }) =>
          `> - **${e(c.logicalId)}** (${e(c.resourceType)}) in stack ${e(p.stackName)}: ${ACTION_LABEL[c.action]}${c.replacementCauses.length ? ` because of ${c.replacementCauses.map(e).join(', ')}` : ''}`,
      ),
      '',
    );
  }
  out.push('| Stack | Region | Status | Changes |', '| --- | --- | --- | --- |');
  for (const p of plan) {
    out.push(
      `| ${e(p.stackName)} | ${e(p.region)} | ${STATUS_LABEL[p.status]} | ${p.changes.length} |`,
    );
  }
  out.push('');
  for (const p of plan) {
    const kind = p.changeSetType
      ? ` (${p.changeSetType === 'CREATE' ? 'new stack' : 'update'})`
      : '';
    out.push(`### ${e(p.stackName)}${kind}`, '');
    if (p.message) out.push(`> ${e(p.message)}`, '');
    if (p.status === 'no-changes') out.push('No changes.', '');
    if (p.changes.length) {
      out.push(
        '| Action | Logical id | Type | Replacement caused by |',
        '| --- | --- | --- | --- |',
      );
      for (const c of p.changes) {
        const flags = [
          c.stateful ? '💾 stateful' : '',
          c.blocked ? '⛔ blocked' : '',
          c.retained ? 'retained' : '',
        ]
          .filter(Boolean)
          .join(', ');
        out.push(
          `| ${ACTION_LABEL[c.action]}${flags ? ` (${flags})` : ''} | ${e(c.logicalId)} | ${e(c.resourceType)} | ${c.replacementCauses.map(e).join(', ')} |`,
        );
      }
      out.push('');
    }
    if (p.iamChanges.length) {
      out.push('<details><summary>IAM and resource policy changes</summary>', '');
      out.push(...p.iamChanges.map((line) => `- ${e(line)}`), '', '</details>', '');
    }
  }
  if (deployments.length) {
    out.push(
      '## Deployments',
      '',
      '| Stack | Result | Final status | Details |',
      '| --- | --- | --- | --- |',
    );
    for (const d of deployments) {
      const details = [
        d.failure ? `${d.failure.logicalId}: ${d.failure.reason}` : '',
        d.message ?? '',
      ]
        .filter(Boolean)
        .map(e)
        .join(' — ');
      out.push(`| ${e(d.stackName)} | ${d.status} | ${e(d.stackStatus ?? '')} | ${details} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
