import { defineRules } from '../model/rules.js';

export const LINT_RULES = defineRules({
  notChecked: {
    id: 'L1001',
    source: 'cfn-lint',
    severity: 'error',
    title: 'cfn-lint could not check this file (timed out, killed by a signal, crashed)',
    description:
      'cfn-lint stopped on this file: it ran past input cfn-lint-timeout, was killed by a signal (SIGSEGV on very deep nesting, SIGKILL when memory ran out) or exited without a report. The other templates were checked without it; the message says which it was.',
    tags: ['cfn-lint', 'limits'],
  },
});
