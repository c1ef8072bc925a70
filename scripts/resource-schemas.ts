// Write the digest of CloudFormation resource schemas that policy resolution reads (see
// src/policies/resource-names.ts): for each type what Ref returns, the property that names it,
// the attributes Fn::GetAtt can name and the ARN format, from the schemas the installed cfn-lint
// ships and the CDK's service spec (@aws-cdk/aws-service-spec, a devDependency: only the digest is
// bundled). Usage: `tsx scripts/resource-schemas.ts src/policies/resource-schemas.json`
// (committed; rerun when cfn-lint or the service spec is upgraded).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

// Where the CDK's service spec has no ARN template, the ARN format comes from the pattern of the
// type's own ARN attribute where cfn-lint's schema gives one with a literal service
// (`^arn:aws[-a-z]*:bedrock:[a-z0-9-]+:[0-9]{12}:agent/[0-9a-zA-Z]{10}$` becomes
// `arn:{P}:bedrock:{R}:{A}:agent/{name}`): service, whether region and account are part of it,
// and the resource type's literal prefix. What follows the prefix is the name only where it is
// one segment and the template sets what Ref returns (see arnFormat).
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
    resource = ':'.join(parts[5:])
    prefix = literal_prefix(resource)
    if prefix and not re.fullmatch(r'[A-Za-z0-9/_:-]+', prefix): return ''
    region = '{R}' if parts[3] else ''
    account = 'aws' if parts[4] == 'aws' else '{A}' if parts[4] else ''
    # More than one segment after the prefix (a schedule's group and name): not one name.
    rest = '{name}' if not re.search(r'[/:]', resource[len(prefix):]) else '{{unresolved:id}}'
    return 'arn:{P}:%s:%s:%s:%s%s' % (service, region, account, prefix, rest)

out = {}
for t in sorted(M.get_resource_types('us-east-1')):
    s = M.get_resource_schema('us-east-1', t).schema
    props = lambda key: ['.'.join(p.split('/')[2:]) for p in s.get(key, [])]
    arn = ''
    for name in ('Arn', t.split('::')[-1] + 'Arn'):
        schema = s.get('properties', {}).get(name, {})
        if 'pattern' in schema and name in props('readOnlyProperties'):
            arn = arn_format(schema['pattern']); break
    read_only = set(props('readOnlyProperties'))
    writable = [p for p in s.get('properties', {}) if p not in read_only]
    out[t] = {'ref': props('primaryIdentifier'), 'attributes': props('readOnlyProperties'), 'writable': writable, 'arn': arn}
print(json.dumps({'cfnLint': cfnlint.version.__version__, 'types': out}))
`;

const target = process.argv[2];
if (!target) throw new Error('usage: tsx scripts/resource-schemas.ts <output file>');
const dump = JSON.parse(
  execFileSync('python3', ['-c', DUMP], { maxBuffer: 64 << 20 }).toString(),
) as {
  cfnLint: string;
  types: Record<string, { ref: string[]; attributes: string[]; writable: string[]; arn: string }>;
};

/** A resource of the CDK's service spec (@aws-cdk/aws-service-spec, db.json.gz). */
interface SpecResource {
  cloudFormationType: string;
  primaryIdentifier?: string[];
  /** What Ref returns where it is not the primary identifier. */
  cfnRefIdentifier?: string[];
  attributes: Record<string, unknown>;
  properties: Record<string, unknown>;
  /** From the Service Authorization Reference: `arn:${Partition}:glue:${Region}:${Account}:job/${JobName}`. */
  arnTemplate?: string;
}
const require = createRequire(import.meta.url);
const specPackage = require.resolve('@aws-cdk/aws-service-spec/package.json');
const { version: specVersion } = require(specPackage) as { version: string };
const db = JSON.parse(
  gunzipSync(await fs.readFile(path.join(path.dirname(specPackage), 'db.json.gz'))).toString(),
) as { schema: { resource: { entities: SpecResource[] } } };
const spec = new Map(db.schema.resource.entities.map((r) => [r.cloudFormationType, r]));

const SCOPE: Record<string, string> = { Partition: '{P}', Region: '{R}', Account: '{A}' };

/**
 * Whether an ARN variable is the resource's own name: the variable is a property that names it
 * (`${AnalyzerName}`, `${JobName}` for a Glue job's `Name`, `${Name}` for a
 * firewall's `FirewallName`), or the property Ref returns under a
 * longer or shorter name (`${ProfileName}` for `ConnectorProfileName`). The property it names, or
 * undefined. An id (`${WorkspaceId}`) the template cannot set is never the name.
 */
function ownName(variable: string, kind: string, writable: Set<string>, ref: string) {
  const property = [
    variable,
    variable.startsWith(kind) ? variable.slice(kind.length) : '',
    kind + variable,
  ].find((candidate) => writable.has(candidate));
  if (property && (property === ref || /name$/i.test(property))) return property;
  const [v, r] = [variable.toLowerCase(), ref.toLowerCase()];
  if (writable.has(ref) && /name$/.test(v) && /name$/.test(r) && (v.endsWith(r) || r.endsWith(v)))
    return ref;
  return undefined;
}

/**
 * The ARN format with our placeholders, and the property that gives `{name}`: from the service
 * spec's template where it has one, else from cfn-lint's pattern, whose part after the resource
 * type is the name only where the template sets what Ref returns.
 */
function arnFormat(type: string, writable: Set<string>, ref: string, pattern: string) {
  const template = spec.get(type)?.arnTemplate;
  if (!template) {
    if (!pattern) return { arn: '', name: undefined };
    if (writable.has(ref)) return { arn: pattern, name: ref };
    return { arn: pattern.replace('{name}', '{{unresolved:id}}'), name: undefined };
  }
  const kind = type.split('::')[2]!;
  let name: string | undefined;
  // A few templates spell the partition out (`arn:aws:rds:...`).
  const arn = template
    .replace(/^arn:aws:/, 'arn:${Partition}:')
    .replace(/\$\{([A-Za-z0-9]+)\}/g, (_all, variable: string) => {
      if (SCOPE[variable]) return SCOPE[variable];
      const own = ownName(variable, kind, writable, ref);
      if (own && (name === undefined || name === own)) {
        name = own;
        return '{name}';
      }
      return `{{unresolved:${variable}}}`;
    });
  if (!/^arn:\{P\}:[a-z0-9-]+:[{}A-Za-z0-9:/._*-]*$/.test(arn)) throw new Error(`${type}: ${arn}`);
  return { arn, name };
}

// One line per type, `ref|name property|attribute attribute ...|arn format`: the property Ref
// returns ('' when it is compound or unknown), the property that sets the physical name, the
// Fn::GetAtt attributes, the ARN format ('' when no source gives one).
const types: Record<string, string> = {};
for (const type of [...new Set([...Object.keys(dump.types), ...spec.keys()])].sort()) {
  const lint = dump.types[type];
  const resource = spec.get(type);
  const writable = new Set(resource ? Object.keys(resource.properties) : lint!.writable);
  const identifiers = resource?.cfnRefIdentifier ?? resource?.primaryIdentifier ?? lint?.ref ?? [];
  const ref = identifiers.length === 1 ? identifiers[0]! : '';
  const { arn, name } = arnFormat(type, writable, ref, lint?.arn ?? '');
  const nameProperty = writable.has(ref) ? ref : (name ?? '');
  const attributes = lint?.attributes ?? Object.keys(resource!.attributes);
  types[type] = `${ref}|${nameProperty}|${attributes.join(' ')}|${arn}`;
}
const text = `${JSON.stringify({ cfnLint: dump.cfnLint, serviceSpec: specVersion, types }, null, 0).replaceAll('","', '",\n"')}\n`;
await fs.writeFile(target, text);
console.log(
  `${target}: ${Object.keys(types).length} types, ${(text.length / 1024).toFixed(0)} KiB`,
);
