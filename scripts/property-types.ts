// Write the digest of CloudFormation property types that Guard resolution reads (see
// src/guard/property-types.ts): for each resource type, the properties whose schema type is
// boolean or a number, as a tree of property names (`*` for the items of a list), from the
// schemas the installed cfn-lint ships. CloudFormation converts a string it is given there
// ('true', '35') to that type, so rules must see the converted value; everywhere else a string
// stays a string (an account id stays '123456789012'). Usage:
// `tsx scripts/property-types.ts src/guard/property-types.json` (committed; rerun when cfn-lint
// is upgraded).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';

const DUMP = String.raw`
import json
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as M
import cfnlint.version

SCALARS = {'boolean': 'b', 'integer': 'n', 'number': 'n'}

def kind(schema):
    t = schema.get('type')
    types = t if isinstance(t, list) else [t]
    # Only a property that can be nothing else: one that also takes a string keeps the string.
    found = {SCALARS.get(x) for x in types}
    return found.pop() if len(found) == 1 and None not in found else None

def tree(schema, root, depth=0, seen=()):
    if depth > 16: return None
    ref = schema.get('$ref', '')
    if ref.startswith('#/definitions/'):
        name = ref.split('/')[-1]
        if name in seen: return None
        schema = {**root.get('definitions', {}).get(name, {}), **{k: v for k, v in schema.items() if k != '$ref'}}
        seen = seen + (name,)
    scalar = kind(schema)
    if scalar: return scalar
    out = {}
    for key, value in schema.get('properties', {}).items():
        sub = tree(value, root, depth + 1, seen)
        if sub: out[key] = sub
    items = schema.get('items')
    if isinstance(items, dict):
        sub = tree(items, root, depth + 1, seen)
        if sub: out['*'] = sub
    return out or None

types = {}
for t in sorted(M.get_resource_types('us-east-1')):
    s = M.get_resource_schema('us-east-1', t).schema
    found = tree({'properties': s.get('properties', {})}, s)
    if found: types[t] = found
print(json.dumps({'cfnLint': cfnlint.version.__version__, 'types': types}))
`;

const target = process.argv[2];
if (!target) throw new Error('usage: tsx scripts/property-types.ts <output file>');
const dump = JSON.parse(
  execFileSync('python3', ['-c', DUMP], { maxBuffer: 64 << 20 }).toString(),
) as { cfnLint: string; types: Record<string, unknown> };
// One line per resource type keeps the committed file's diffs readable.
const text = `{"cfnLint":${JSON.stringify(dump.cfnLint)},"types":{\n${Object.entries(dump.types)
  .map(([type, tree]) => `${JSON.stringify(type)}:${JSON.stringify(tree)}`)
  .join(',\n')}\n}}\n`;
await fs.writeFile(target, text);
console.log(
  `${target}: ${Object.keys(dump.types).length} types, ${(text.length / 1024).toFixed(0)} KiB`,
);
