import { defineRules } from './rules.js';

/** Rules about a file as a template: discovery (reading) and the parser both emit them. */
export const TEMPLATE_RULES = defineRules({
  syntax: {
    id: 'P1000',
    source: 'parser',
    severity: 'error',
    title: 'YAML or JSON syntax error',
    description:
      'The file is not valid YAML or JSON as CloudFormation reads it. The finding names the line and column; fix the syntax there.',
    tags: ['parser'],
  },
  tooLarge: {
    id: 'P1001',
    source: 'parser',
    severity: 'error',
    title: 'File over 1 MiB (CloudFormation’s own limit)',
    description:
      'CloudFormation accepts templates of at most 1 MB (through S3); larger files are not parsed. Split the template into nested stacks.',
    tags: ['parser', 'limits'],
  },
  notText: {
    id: 'P1002',
    source: 'parser',
    severity: 'error',
    title: 'Not UTF-8 text (binary content, UTF-16 or UTF-32)',
    description:
      'A template must be UTF-8 YAML or JSON text; the file holds invalid UTF-8 or NUL bytes, or starts with a UTF-16 or UTF-32 byte order mark. Save it as UTF-8.',
    tags: ['parser'],
  },
  empty: {
    id: 'P1003',
    source: 'parser',
    severity: 'error',
    title: 'Empty file',
    description: 'The file is empty; a template needs at least a Resources section.',
    tags: ['parser'],
  },
  tooDeep: {
    id: 'P1004',
    source: 'parser',
    severity: 'error',
    title: 'Nesting deeper than 100 levels, over 1,000 aliases or 500,000 values (alias bombs)',
    description:
      'The parser stops at these bounds so a hostile file cannot exhaust memory or time. Real templates stay far below them.',
    tags: ['parser', 'limits', 'security'],
    securitySeverity: '4.0',
  },
  duplicateKey: {
    id: 'P1005',
    source: 'parser',
    severity: 'error',
    title: 'Duplicate key in a mapping',
    description:
      'A key appears twice in one mapping; CloudFormation would keep only one of them. Remove or rename the duplicate.',
    tags: ['parser'],
  },
  notATemplate: {
    id: 'P1006',
    source: 'parser',
    severity: 'error',
    title: 'Not a CloudFormation template (no Resources / AWSTemplateFormatVersion)',
    description:
      'The file was named as a template but has neither a Resources section nor AWSTemplateFormatVersion at its top level.',
    tags: ['parser'],
  },
  unreadable: {
    id: 'P1007',
    source: 'parser',
    severity: 'error',
    title: 'File could not be read',
    description:
      'The file exists but could not be read; the message says why (permissions, a broken link).',
    tags: ['parser'],
  },
  tooManyResources: {
    id: 'P1009',
    source: 'parser',
    severity: 'error',
    title: 'More than 500 resources (CloudFormation’s own limit)',
    description:
      'CloudFormation accepts at most 500 resources in one template, so the template cannot be deployed; it is not given to cfn-lint, which would take minutes on it. Split it into nested stacks.',
    tags: ['parser', 'limits'],
  },
  unknownTag: {
    id: 'P1008',
    source: 'parser',
    severity: 'warning',
    title: 'Unknown YAML tag (not a CloudFormation short form)',
    description:
      'A tag such as !Rain::Embed or !ValueOf is no CloudFormation short form: CloudFormation rejects it unless a tool replaces it first. The value is kept as an opaque Fn:: intrinsic (as cfn-lint does), so the rest of the file is still checked; each tag is named once.',
    tags: ['parser'],
  },
});
