/**
 * The stack manifest's JSON Schema. The code validates manifests with it (src/deploy/schema-check.ts)
 * and schemas/iac-stacks.schema.json publishes it for editors; a test keeps the file equal to this.
 */

const scalar = { type: ['string', 'number', 'boolean'] };

const stackKeys = {
  template: {
    type: 'string',
    minLength: 1,
    description:
      'Repository-relative template path; *.njk templates are rendered with the environment. Omitted for a stack of the CDK cloud assembly input templates names, keyed by its stack name or artifact id: the entry adds to what the assembly says.',
  },
  'stack-name': {
    type: 'string',
    minLength: 1,
    maxLength: 128,
    description: 'CloudFormation stack name; ${environment} is replaced. Default: the stack id.',
  },
  parameters: {
    type: 'object',
    description:
      "Parameter values. ${environment} and ${stacks.<id>.outputs.<OutputKey>} (a depends-on stack's output) are replaced.",
    additionalProperties: { anyOf: [scalar, { type: 'array', items: scalar }] },
  },
  'parameter-files': {
    type: 'array',
    description:
      'YAML or JSON files: a map of parameter values, or [{ParameterKey, ParameterValue}] as CloudFormation writes them.',
    items: { type: 'string', minLength: 1 },
  },
  tags: { type: 'object', additionalProperties: scalar },
  capabilities: {
    type: 'array',
    items: { enum: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'] },
  },
  'termination-protection': { type: 'boolean' },
  'disable-rollback': {
    type: 'boolean',
    description: 'Keep failed resources for debugging instead of rolling back.',
  },
  'stack-policy': {
    description:
      'Stack policy set on create and update (SetStackPolicy): the policy document, or the repository-relative path of a JSON file holding it.',
    anyOf: [
      { type: 'object', required: ['Statement'] },
      { type: 'string', minLength: 1 },
    ],
  },
  'role-arn': { type: 'string', description: 'CloudFormation service role.' },
  region: {
    type: 'string',
    pattern: '^([a-z]{2}(-[a-z]+)+-\\d+)?$',
    description: "Default: the action's aws-region.",
  },
  'depends-on': {
    type: 'array',
    description: 'Stack ids deployed before this one.',
    items: { type: 'string', minLength: 1 },
  },
};

function omit<T extends object, K extends keyof T>(object: T, ...keys: K[]): Omit<T, K> {
  return Object.fromEntries(
    Object.entries(object).filter(([key]) => !(keys as string[]).includes(key)),
  ) as Omit<T, K>;
}

/** Keys an environment may override: all but the template's place in the graph. */
const overridable = omit(stackKeys, 'depends-on');
/** Keys that make sense for every stack. */
const defaultable = omit(stackKeys, 'template', 'stack-name', 'depends-on');

export const MANIFEST_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://github.com/iac-action/iac-action/schemas/iac-stacks.schema.json',
  title: 'iac-action stack manifest',
  description: 'Maps each CloudFormation stack to its template, parameters, tags and dependencies.',
  type: 'object',
  required: ['stacks'],
  additionalProperties: false,
  properties: {
    defaults: {
      type: 'object',
      description: 'Applied to every stack; stacks add to (tags, capabilities) or override them.',
      additionalProperties: false,
      properties: defaultable,
    },
    stacks: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_-]*$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ...stackKeys,
          environments: {
            type: 'object',
            description: 'Per-environment overrides of the keys above.',
            additionalProperties: {
              type: 'object',
              additionalProperties: false,
              properties: overridable,
            },
          },
        },
      },
    },
  },
} as const;
