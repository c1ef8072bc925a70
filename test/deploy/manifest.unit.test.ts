import fs from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/model/errors.js';
import { parseEnvironment } from '../../src/discover/environment.js';
import { statefulPolicyFindings } from '../../src/stateful/guard.js';
import { MANIFEST_SCHEMA } from '../../src/discover/manifest-schema.js';
import { addToAssembly, parseManifest, resolveStacks } from '../../src/discover/manifest.js';
import { stackParameters, type StackSpec } from '../../src/model/stacks.js';
import { parseTemplate } from '../../src/parse/template.js';
import { workspace } from '../helpers/paths.js';

const GOOD = [
  'stacks:\n  a: { template: a.yaml }\n',
  `defaults:
  capabilities: [CAPABILITY_NAMED_IAM]
  tags: { project: p, environment: "\${environment}" }
  termination-protection: false
stacks:
  network:
    template: templates/network.yaml
    stack-name: dp-\${environment}-network
    parameters: { Environment: "\${environment}", Count: 2, Zones: [a, b] }
    parameter-files: [params/network.json]
    role-arn: arn:aws:iam::123456789012:role/cfn
    region: eu-west-1
    environments:
      prod: { termination-protection: true, region: us-east-1 }
  s3:
    template: templates/s3.yaml
    depends-on: [network]
`,
];
const BAD: [string, RegExp][] = [
  [
    'stacks:\n  a: { templat: a.yaml }\n',
    /m:2:.*unknown key "templat" in stacks\.a; allowed: template, /,
  ],
  [
    'stacks:\n  a:\n    template: a.yaml\n    capabilities: [CAPABILITY_ALL]\n',
    /m:4:\d+: stacks\.a\.capabilities\[0\] is "CAPABILITY_ALL"/,
  ],
  [
    'stacks:\n  a:\n    template: a.yaml\n    termination-protection: "yes"\n',
    /m:4:\d+: stacks\.a\.termination-protection must be true or false/,
  ],
  [
    'stacks:\n  a:\n    template: a.yaml\n    region: Europe\n',
    /m:4:\d+: stacks\.a\.region "Europe" is not valid/,
  ],
  [
    'stacks:\n  a:\n    template: a.yaml\n    parameters: { X: { nested: 1 } }\n',
    /m:4:\d+: stacks\.a\.parameters\.X must be a string, number/,
  ],
  ['stacks:\n  "1bad": { template: a.yaml }\n', /m:2:\d+: "1bad" in stacks is not a valid id/],
  ['stacks: {}\n', /m:1:\d+: stacks needs at least 1 entry/],
  [
    'defaults:\n  stack-name: x\nstacks:\n  a: { template: a.yaml }\n',
    /m:2:\d+: unknown key "stack-name" in defaults/,
  ],
  [
    'stacks:\n  a:\n    template: a.yaml\n    environments:\n      prod: { depends-on: [b] }\n',
    /m:5:\d+: unknown key "depends-on" in stacks\.a\.environments\.prod/,
  ],
  ['nope: 1\n', /unknown key "nope" in the manifest/],
];

describe('stack manifest schema', () => {
  it('is published as schemas/iac-stacks.schema.json', () => {
    const published = JSON.parse(fs.readFileSync('schemas/iac-stacks.schema.json', 'utf8'));
    expect(published).toEqual(JSON.parse(JSON.stringify(MANIFEST_SCHEMA)));
  });

  it('agrees with ajv on good and bad manifests, and names file, line and key', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const check = ajv.compile(MANIFEST_SCHEMA);
    for (const text of GOOD) {
      expect(check(parse(text)), text).toBe(true);
      expect(() => parseManifest(text, 'm')).not.toThrow();
    }
    for (const [text, message] of BAD) {
      expect(check(parse(text)), text).toBe(false);
      expect(() => parseManifest(text, 'm'), text).toThrow(message);
    }
  });

  it('refuses unknown depends-on ids and cycles, naming the line', () => {
    expect(() =>
      parseManifest('stacks:\n  a:\n    template: a.yaml\n    depends-on: [x]\n', 'm'),
    ).toThrow(/^m:4: stacks\.a\.depends-on names "x"/);
    expect(() =>
      parseManifest(
        'stacks:\n  a: { template: a.yaml, depends-on: [b] }\n  b: { template: b.yaml, depends-on: [a] }\n',
        'm',
      ),
    ).toThrow(/cycle: a -> b -> a/);
  });
});

describe('resolving stacks for an environment', () => {
  const manifest = `defaults:
  capabilities: [CAPABILITY_IAM]
  tags: { project: p, env: "\${environment}" }
  parameters: { Shared: from-defaults, Level: defaults }
stacks:
  kms:
    template: kms.yaml
  s3:
    template: s3.yaml
    stack-name: dp-\${environment}-s3
    depends-on: [kms]
    capabilities: [CAPABILITY_NAMED_IAM]
    parameter-files: [params.yaml]
    parameters: { KeyArn: "\${stacks.kms.outputs.KeyArn}", Level: stack, Literal: "$\${kept}" }
    environments:
      prod: { termination-protection: true, parameters: { Level: override }, tags: { tier: gold } }
`;
  it('applies defaults, parameter files, the environment file and overrides in precedence order', async () => {
    const dir = await workspace({
      'iac-stacks.yaml': manifest,
      'params.yaml':
        '- { ParameterKey: Level, ParameterValue: file }\n- { ParameterKey: FromFile, ParameterValue: f }\n',
    });
    const env = parseEnvironment(
      'parameters: { Level: env-file, Unused: x }\nstacks: { s3: { parameters: { Level: env-stack } } }\n',
      'environments/prod.yaml',
      'prod',
    );
    const m = parseManifest(manifest, 'iac-stacks.yaml');
    const { selected, all } = await resolveStacks(m, {
      workspace: dir,
      environment: env,
      selection: ['s3'],
    });
    expect(selected.map((s) => s.id)).toEqual(['s3']);
    expect([...all.keys()]).toEqual(['kms', 's3']);
    const s3 = selected[0]!;
    expect(s3).toMatchObject({
      stackName: 'dp-prod-s3',
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      tags: { project: 'p', env: 'prod', tier: 'gold' },
      terminationProtection: true,
    });
    const declared = new Set(['Shared', 'Level', 'KeyArn', 'FromFile', 'Literal']);
    expect(stackParameters(s3, declared, () => 'arn:key').values).toEqual({
      Shared: 'from-defaults',
      Level: 'override',
      KeyArn: 'arn:key',
      FromFile: 'f',
      Literal: '${kept}',
    });
    // each layer beats the ones before it
    const level = (drop: string[]) =>
      stackParameters(
        { ...s3, parameters: s3.parameters.filter((l) => !drop.some((d) => l.from.includes(d))) },
        declared,
        () => 'x',
      ).values.Level;
    expect(level(['environments.prod'])).toBe('env-stack');
    expect(level(['environments.prod', 'stacks.s3.parameters)'])).toBe('env-file');
    expect(
      level(['environments.prod', 'stacks.s3.parameters)', 'environments/prod.yaml parameters']),
    ).toBe('file');
    expect(level(['environments.prod', 'prod.yaml', 'params.yaml'])).toBe('stack');
    const planned = stackParameters(s3, declared, () => undefined);
    expect(planned.values.KeyArn).toBe('placeholder-kms-KeyArn');
    expect(planned.placeholders).toEqual(['KeyArn = ${stacks.kms.outputs.KeyArn}']);
    expect(() =>
      stackParameters(s3, new Set(['Shared', 'Level', 'FromFile', 'Literal']), () => 'x'),
    ).toThrow(
      /iac-stacks\.yaml:\d+ \(stacks\.s3\.parameters\): parameter "KeyArn" is not declared by template s3\.yaml/,
    );
  });

  it('refuses outputs of stacks not in depends-on, unknown variables, unknown selections', async () => {
    const m = parseManifest(
      'stacks:\n  a: { template: a.yaml }\n  b:\n    template: b.yaml\n    parameters: { X: "${stacks.a.outputs.Y}" }\n',
      'm',
    );
    await expect(resolveStacks(m, { workspace: '/tmp', selection: [] })).rejects.toThrow(
      /^m:5: stacks\.b uses the outputs of stack "a" but does not list it in depends-on/,
    );
    const v = parseManifest(
      'stacks:\n  a:\n    template: a.yaml\n    tags: { t: "${region}" }\n',
      'm',
    );
    await expect(resolveStacks(v, { workspace: '/tmp', selection: [] })).rejects.toThrow(
      /unknown variable \$\{region\}/,
    );
    const e = parseManifest(
      'stacks:\n  a:\n    template: a.yaml\n    stack-name: x-${environment}\n',
      'm',
    );
    await expect(resolveStacks(e, { workspace: '/tmp', selection: [] })).rejects.toBeInstanceOf(
      UserError,
    );
    await expect(resolveStacks(e, { workspace: '/tmp', selection: ['zz'] })).rejects.toThrow(
      /Input "stacks" names "zz"/,
    );
  });
});

describe('a manifest adding to the stacks of a CDK cloud assembly', () => {
  const lake: StackSpec = {
    id: 'LakeA1',
    template: 'cdk.out/Lake.template.json',
    stackName: 'Lake',
    region: 'eu-west-1',
    roleArn: 'arn:aws:iam::123456789012:role/exec',
    tags: { app: 'lake' },
    capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
    terminationProtection: false,
    disableRollback: false,
    dependsOn: [],
    parameters: [],
    where: 'cdk.out/manifest.json (stack LakeA1)',
  };
  const assembly = { selected: [lake], all: new Map([[lake.id, lake]]) };

  it('keeps the assembly’s names, region and role, and adds parameters, tags and protection per environment', async () => {
    const dir = await workspace({});
    const m = parseManifest(
      'stacks:\n  Lake:\n    parameters: { Size: "1" }\n    environments:\n      prod: { termination-protection: true, parameters: { Size: "3" }, tags: { tier: gold } }\n',
      'iac-stacks.yaml',
    );
    const environment = parseEnvironment('parameters: {}\n', 'environments/prod.yaml', 'prod');
    const { selected } = await addToAssembly(m, assembly, {
      workspace: dir,
      environment,
      selection: [],
    });
    expect(selected[0]).toMatchObject({
      id: 'LakeA1',
      stackName: 'Lake',
      region: 'eu-west-1',
      roleArn: lake.roleArn,
      tags: { app: 'lake', tier: 'gold' },
      terminationProtection: true,
    });
    expect(stackParameters(selected[0]!, new Set(['Size']), () => undefined).values).toEqual({
      Size: '3',
    });
  });

  it('refuses entries that restate what the assembly gives, or name no stack of it', async () => {
    const dir = await workspace({});
    const options = { workspace: dir, selection: [] };
    await expect(
      addToAssembly(
        parseManifest('stacks:\n  Lake:\n    region: us-east-1\n', 'm'),
        assembly,
        options,
      ),
    ).rejects.toThrow(
      /m:3: stacks\.Lake is a stack of the CDK cloud assembly, whose template, region/,
    );
    await expect(
      addToAssembly(
        parseManifest('stacks:\n  Other: { tags: { a: b } }\n', 'm'),
        assembly,
        options,
      ),
    ).rejects.toThrow(/stacks\.Other has no template and is not a stack of the CDK cloud assembly/);
    await expect(
      resolveStacks(parseManifest('stacks:\n  Other: { tags: { a: b } }\n', 'm'), options),
    ).rejects.toThrow(/m:2: stacks\.Other names no template/);
  });
});

describe('stateful resource types', () => {
  it('warn at the resource when DeletionPolicy or UpdateReplacePolicy is missing', () => {
    const parsed = parseTemplate(
      'Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    DeletionPolicy: Snapshot\n  Kept:\n    Type: AWS::DynamoDB::Table\n    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n  Q:\n    Type: AWS::SNS::Topic\n',
      't.yaml',
    );
    if (!parsed.ok) throw new Error(parsed.finding.message);
    expect(statefulPolicyFindings([parsed.template])).toMatchObject([
      {
        source: 'stateful',
        severity: 'warning',
        file: 't.yaml',
        line: 2,
        column: 3,
        logicalId: 'Db',
        message: expect.stringMatching(/no UpdateReplacePolicy:/),
      },
    ]);
  });
});
