// Write the digest of CloudFormation resource schemas that policy resolution reads (see
// src/policies/resource-names.ts): for each type what Ref returns and the attributes Fn::GetAtt
// can name, from the schemas the installed cfn-lint ships. Usage:
// `tsx scripts/resource-schemas.ts src/policies/resource-schemas.json` (committed; rerun when
// cfn-lint is upgraded).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';

const DUMP = `
import json
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as M
import cfnlint.version
out = {}
for t in sorted(M.get_resource_types('us-east-1')):
    s = M.get_resource_schema('us-east-1', t).schema
    props = lambda key: ['.'.join(p.split('/')[2:]) for p in s.get(key, [])]
    out[t] = {'ref': props('primaryIdentifier'), 'attributes': props('readOnlyProperties')}
print(json.dumps({'cfnLint': cfnlint.version.__version__, 'types': out}))
`;

const target = process.argv[2];
if (!target) throw new Error('usage: tsx scripts/resource-schemas.ts <output file>');
const dump = JSON.parse(
  execFileSync('python3', ['-c', DUMP], { maxBuffer: 64 << 20 }).toString(),
) as {
  cfnLint: string;
  types: Record<string, { ref: string[]; attributes: string[] }>;
};
// One line per type, `ref|attribute attribute ...`: Ref is only knowable from a single identifier.
const types = Object.fromEntries(
  Object.entries(dump.types).map(([type, { ref, attributes }]) => [
    type,
    `${ref.length === 1 ? ref[0] : ''}|${attributes.join(' ')}`,
  ]),
);
const text = `${JSON.stringify({ cfnLint: dump.cfnLint, types }, null, 0).replaceAll('","', '",\n"')}\n`;
await fs.writeFile(target, text);
console.log(
  `${target}: ${Object.keys(types).length} types, ${(text.length / 1024).toFixed(0)} KiB`,
);
