// Write the digest of CloudFormation resource schemas that policy resolution reads (see
// src/policies/resource-names.ts): for each type what Ref returns and the attributes Fn::GetAtt
// can name and, where the schema's pattern says, the ARN format, from the schemas the installed
// cfn-lint ships. Usage:
// `tsx scripts/resource-schemas.ts src/policies/resource-schemas.json` (committed; rerun when
// cfn-lint is upgraded).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';

// The ARN format comes from the pattern of the type's own ARN attribute where the schema gives one
// with a literal service (`^arn:aws[-a-z]*:bedrock:[a-z0-9-]+:[0-9]{12}:agent/[0-9a-zA-Z]{10}$`
// becomes `arn:{P}:bedrock:{R}:{A}:agent/{name}`): service, whether region and account are
// part of it, and the resource type's literal prefix. What follows the prefix stays the name.
const DUMP = String.raw`
import json, re
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as M
import cfnlint.version

def split(pattern):
    parts, current, depth, escaped = [], '', 0, False
    for ch in pattern:
        if escaped:
            current += ch; escaped = False; continue
        if ch == '\\':
            current += ch; escaped = True; continue
        if ch in '[(': depth += 1
        elif ch in '])': depth -= 1
        if ch == ':' and depth == 0:
            parts.append(current); current = ''
        else:
            current += ch
    return parts + [current]

def literal_prefix(text):
    out, i = '', 0
    while i < len(text):
        ch = text[i]
        if ch == '\\' and i + 1 < len(text) and text[i + 1] in '/-_.':
            out += text[i + 1]; i += 2; continue
        if ch in '[({\\.*+?^$|': break
        out += ch; i += 1
    return out

def arn_format(pattern):
    text = pattern.lstrip('^')
    if text.startswith('(') and not text.startswith('(aws'): text = text[1:]
    parts = split(text)
    if parts[0] != 'arn' or len(parts) < 6: return ''
    service = re.sub(r'^\(([a-z0-9-]+)\)$', r'\1', parts[2])
    if not re.fullmatch(r'[a-z0-9-]+', service): return ''
    prefix = literal_prefix(':'.join(parts[5:]))
    if prefix and not re.fullmatch(r'[A-Za-z0-9/_:-]+', prefix): return ''
    region = '{R}' if parts[3] else ''
    account = 'aws' if parts[4] == 'aws' else '{A}' if parts[4] else ''
    return 'arn:{P}:%s:%s:%s:%s{name}' % (service, region, account, prefix)

out = {}
for t in sorted(M.get_resource_types('us-east-1')):
    s = M.get_resource_schema('us-east-1', t).schema
    props = lambda key: ['.'.join(p.split('/')[2:]) for p in s.get(key, [])]
    arn = ''
    for name in ('Arn', t.split('::')[-1] + 'Arn'):
        schema = s.get('properties', {}).get(name, {})
        if 'pattern' in schema and name in props('readOnlyProperties'):
            arn = arn_format(schema['pattern']); break
    out[t] = {'ref': props('primaryIdentifier'), 'attributes': props('readOnlyProperties'), 'arn': arn}
print(json.dumps({'cfnLint': cfnlint.version.__version__, 'types': out}))
`;

const target = process.argv[2];
if (!target) throw new Error('usage: tsx scripts/resource-schemas.ts <output file>');
const dump = JSON.parse(
  execFileSync('python3', ['-c', DUMP], { maxBuffer: 64 << 20 }).toString(),
) as {
  cfnLint: string;
  types: Record<string, { ref: string[]; attributes: string[]; arn: string }>;
};
// One line per type, `ref|attribute attribute ...|arn format`: Ref is only knowable from a single
// identifier.
const types = Object.fromEntries(
  Object.entries(dump.types).map(([type, { ref, attributes, arn }]) => [
    type,
    `${ref.length === 1 ? ref[0] : ''}|${attributes.join(' ')}${arn ? `|${arn}` : ''}`,
  ]),
);
const text = `${JSON.stringify({ cfnLint: dump.cfnLint, types }, null, 0).replaceAll('","', '",\n"')}\n`;
await fs.writeFile(target, text);
console.log(
  `${target}: ${Object.keys(types).length} types, ${(text.length / 1024).toFixed(0)} KiB`,
);
