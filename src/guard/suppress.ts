/**
 * Suppressions in resource Metadata: cfn-guard's own `guard: {SuppressedRules: [...]}` (also
 * spelled `cfn-guard:`) and ours, `iac-action: {SuppressedRules: [{Rule, Reason}]}`. An entry is
 * a rule name or control id, or a map with Rule and Reason; one without a reason still applies
 * but is a warning, and every suppression is listed in the report for review.
 */
import type { Finding, SuppressionEntry } from '../model/findings.js';
import { findingOf } from '../model/rules.js';
import { shorten } from '../model/text.js';
import { child, isMap, isScalar, isSeq, type ParsedTemplate } from '../model/template.js';
import type { Control } from './pack.js';
import { GUARD_RULES } from './rules.js';

export const SUPPRESSION_KEYS = ['guard', 'cfn-guard', 'iac-action'] as const;

interface Declared extends SuppressionEntry {
  column: number;
}

export interface Suppressed {
  findings: Finding[];
  suppressions: SuppressionEntry[];
}

export function applySuppressions(
  findings: readonly Finding[],
  templates: readonly ParsedTemplate[],
  controls: readonly Control[],
): Suppressed {
  const declared = new Map<string, Declared[]>();
  for (const template of templates) {
    for (const s of declaredSuppressions(template))
      declared.set(`${s.file}\0${s.logicalId}`, [
        ...(declared.get(`${s.file}\0${s.logicalId}`) ?? []),
        s,
      ]);
  }
  const rulesOfControl = new Map(controls.map((c) => [c.id, c.ruleNames]));
  const kept: Finding[] = [];
  for (const f of findings) {
    const entries =
      f.source === 'cfn-guard' && f.logicalId
        ? declared.get(`${f.file}\0${f.logicalId}`)
        : undefined;
    const match = entries?.find(
      (s) => s.rule === f.ruleId || rulesOfControl.get(f.ruleId)?.includes(s.rule),
    );
    if (match) match.suppressed++;
    else kept.push(f);
  }
  const all = [...declared.values()].flat();
  for (const s of all) {
    if (s.reason) continue;
    kept.push(
      findingOf(GUARD_RULES.suppressionWithoutReason, {
        file: s.file,
        line: s.line,
        column: s.column,
        logicalId: s.logicalId,
        message: `${s.logicalId} suppresses ${s.rule} without a reason: write {Rule: ${s.rule}, Reason: ...} under Metadata.iac-action.SuppressedRules.`,
      }),
    );
  }
  return { findings: kept, suppressions: all.map(({ column: _column, ...entry }) => entry) };
}

function declaredSuppressions(template: ParsedTemplate): Declared[] {
  const out: Declared[] = [];
  const resources = child(template.root, 'Resources');
  if (!isMap(resources)) return out;
  for (const resource of resources.entries) {
    const metadata = child(resource.value, 'Metadata');
    for (const key of SUPPRESSION_KEYS) {
      const list = child(child(metadata, key), 'SuppressedRules');
      if (!isSeq(list)) continue;
      for (const item of list.items) {
        const rule = isScalar(item) ? item : child(item, 'Rule');
        const reason = child(item, 'Reason');
        if (!isScalar(rule) || rule.value === null || rule.value === '') continue;
        out.push({
          file: template.file,
          line: item.start.line,
          column: item.start.column,
          logicalId: resource.key,
          rule: String(rule.value),
          ...(isScalar(reason) && String(reason.value ?? '').trim()
            ? { reason: shorten(String(reason.value).trim(), 300) }
            : {}),
          suppressed: 0,
        });
      }
    }
  }
  return out;
}
