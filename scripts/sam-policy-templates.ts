// Write the digest of AWS SAM's policy templates (S3ReadPolicy, DynamoDBCrudPolicy, ...) that the
// policy stage expands (see src/policies/sam-templates.ts), from policy_templates.json of the
// aws-sam-translator that the installed cfn-lint depends on. Usage:
// `tsx scripts/sam-policy-templates.ts src/policies/sam-policy-templates.json` (committed; rerun
// when cfn-lint, and with it the translator, is upgraded).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';

const DUMP = `
import json, os, samtranslator
path = os.path.join(os.path.dirname(samtranslator.__file__), 'policy_templates_data', 'policy_templates.json')
print(json.dumps({'version': samtranslator.__version__, 'templates': json.load(open(path))['Templates']}))
`;

const target = process.argv[2];
if (!target) throw new Error('usage: tsx scripts/sam-policy-templates.ts <output file>');
const dump = JSON.parse(
  execFileSync('python3', ['-c', DUMP], { maxBuffer: 64 << 20 }).toString(),
) as {
  version: string;
  templates: Record<string, { Definition: unknown; Parameters?: Record<string, unknown> }>;
};
// The definition and its parameter names; descriptions stay in SAM's documentation.
const templates = Object.fromEntries(
  Object.entries(dump.templates).map(([name, { Definition, Parameters }]) => [
    name,
    { parameters: Object.keys(Parameters ?? {}), definition: Definition },
  ]),
);
const text = `${JSON.stringify({ source: `aws-sam-translator ${dump.version} policy_templates.json`, templates }).replaceAll('},"', '},\n"')}\n`;
await fs.writeFile(target, text);
console.log(
  `${target}: ${Object.keys(templates).length} templates, ${(text.length / 1024).toFixed(0)} KiB`,
);
