// Write the create-only property digest the offline plan reads (see src/deploy/offline.ts) from
// the resource provider schemas cfn-lint ships: usage `tsx scripts/create-only.ts`. Run it again
// when the pinned cfn-lint version changes.
import fs from 'node:fs/promises';
import { execa } from 'execa';

const target = 'src/deploy/create-only.json';
// Per type: [createOnlyProperties, conditionalCreateOnlyProperties?] as paths below /properties/.
const dump = `
import json
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as manager
out = {}
for name in manager.get_resource_types('us-east-1'):
    schema = manager.get_resource_schema('us-east-1', name).schema
    paths = lambda key: [p.removeprefix('/properties/') for p in schema.get(key, []) if p.startswith('/properties/')]
    always, conditional = paths('createOnlyProperties'), paths('conditionalCreateOnlyProperties')
    if always or conditional:
        out[name] = [always, conditional] if conditional else [always]
print(json.dumps(out, sort_keys=True, separators=(',', ':')))
`;
const { stdout } = await execa('python3', ['-c', dump]);
const { stdout: version } = await execa('cfn-lint', ['--version']);
const digest = { cfnLint: version.replace(/^cfn-lint\s*/, '').trim(), types: JSON.parse(stdout) };
await fs.writeFile(target, `${JSON.stringify(digest)}\n`);
console.log(`${target}: ${Object.keys(digest.types).length} types`);
