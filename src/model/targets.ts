import type { StackSpec } from './stacks.js';
import type { ParsedTemplate } from './template.js';

/**
 * One entry of the work list every stage after parsing reads: a template file, its parsed
 * template, and the stacks of the manifest that deploy it, each with its own parameter values.
 * The join of stacks to templates happens once, where the list is built.
 */
export interface Target {
  /** Repository-relative path of the file the user edits. */
  file: string;
  template: ParsedTemplate;
  /** Empty when no stack of the manifest deploys it (or a run reads no manifest). */
  stacks: StackSpec[];
}
