import type { Report } from '../model/findings.js';

/** The machine-readable report: the same document the action writes to `report-json`. */
export function formatJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
