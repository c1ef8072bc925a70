// Personas that can do their job, and only it: every group and role in platform/personas.yaml
// gets its effective permissions resolved from the templates of each environment (identity
// policies attached by ARN or by a policy's Groups/Roles, within the permissions boundary for
// roles), then every action of its flows must be allowed and every listed dangerous one denied.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { decide, type Request } from './iam-eval.js';
import { OPTIONAL_STACKS_ON, resolveEnvironment, SCOPE, type ResolvedStack } from './resolve.js';

const ROOT = resolve(import.meta.dirname, '../..');

type Step = [string, string, Record<string, string>?];
interface Persona {
  kind: 'group' | 'role';
  name: string;
  flows: Record<string, Step[]>;
  denied: Step[];
}
const personas = (
  parse(readFileSync(join(ROOT, 'platform/personas.yaml'), 'utf8')) as {
    principals: Record<string, Persona>;
  }
).principals;

interface Principal {
  identity: unknown[];
  boundary?: unknown[];
}

function principals(stacks: Map<string, ResolvedStack>) {
  const policies = new Map<string, { document: unknown; groups: string[]; roles: string[] }>();
  const groups = new Map<string, string[]>();
  const roles = new Map<string, { arns: string[]; boundary?: string; inline: unknown[] }>();
  for (const stack of stacks.values()) {
    for (const [id, r] of Object.entries(stack.resources)) {
      const p = (r.Properties ?? {}) as Record<string, unknown>;
      const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
      if (r.Type === 'AWS::IAM::ManagedPolicy') {
        // As IAM builds it: the policy's path is part of its ARN.
        const arn = `arn:aws:iam::${SCOPE.accountId}:policy${String(p.Path ?? '/')}${String(p.ManagedPolicyName ?? id)}`;
        policies.set(arn, {
          document: p.PolicyDocument,
          groups: strings(p.Groups),
          roles: strings(p.Roles),
        });
      } else if (r.Type === 'AWS::IAM::Group') {
        groups.set(String(p.GroupName), strings(p.ManagedPolicyArns));
      } else if (r.Type === 'AWS::IAM::Role') {
        roles.set(String(p.RoleName), {
          arns: strings(p.ManagedPolicyArns),
          boundary: p.PermissionsBoundary === undefined ? undefined : String(p.PermissionsBoundary),
          inline: (Array.isArray(p.Policies) ? p.Policies : []).map(
            (x) => (x as { PolicyDocument: unknown }).PolicyDocument,
          ),
        });
      }
    }
  }
  const documentOf = (arn: string) => {
    const found = policies.get(arn);
    if (!found) throw new Error(`policy ${arn} is not created by any platform stack`);
    return found.document;
  };
  return (persona: Persona, env: string): Principal => {
    const name = persona.name.replaceAll('${env}', env);
    const attachedByName = [...policies.values()]
      .filter((p) => (persona.kind === 'group' ? p.groups : p.roles).includes(name))
      .map((p) => p.document);
    if (persona.kind === 'group') {
      const arns = groups.get(name);
      if (!arns) throw new Error(`no group ${name}`);
      return { identity: [...arns.map(documentOf), ...attachedByName] };
    }
    const role = roles.get(name);
    if (!role) throw new Error(`no role ${name}`);
    if (!role.boundary) throw new Error(`role ${name} has no boundary`);
    return {
      identity: [...role.arns.map(documentOf), ...role.inline, ...attachedByName],
      boundary: [documentOf(role.boundary)],
    };
  };
}

function placeholders(stacks: Map<string, ResolvedStack>, env: string): Record<string, string> {
  const s3 = stacks.get('s3')!.outputs;
  const provisioned = stacks.get('redshift')!.parameters.DeploymentType === 'provisioned';
  const { region, accountId } = SCOPE;
  return {
    env,
    region,
    account: accountId,
    raw: s3.RawBucketName!,
    curated: s3.CuratedBucketName!,
    results: s3.AthenaResultsBucketName!,
    trail: stacks.get('audit')!.outputs.TrailBucketName!,
    key: stacks.get('kms')!.outputs.KeyArn!,
    vpc: stacks.get('network')!.outputs.VpcId!,
    warehouse: provisioned
      ? `arn:aws:redshift:${region}:${accountId}:cluster:data-platform-${env}`
      : `arn:aws:redshift-serverless:${region}:${accountId}:workgroup/3f2c1a9e-1b2c-4d5e-8f90-a1b2c3d4e5f6`,
    dbuser: `arn:aws:rds-db:${region}:${accountId}:dbuser:db-ABCDEFGHIJKLMNOPQRSTUVWXY0`,
  };
}

function request(step: Step, values: Record<string, string>, kind: Persona['kind']): Request {
  const fill = (text: string) =>
    text.replace(/\$\{([a-z]+)\}/g, (m, key: string) => {
      const value = values[key];
      if (value === undefined) throw new Error(`unknown placeholder ${m}`);
      return value;
    });
  return {
    action: step[0],
    resource: fill(step[1]),
    context: {
      'aws:userid': kind === 'group' ? 'AIDAEXAMPLE' : 'AROAEXAMPLE',
      ...Object.fromEntries(Object.entries(step[2] ?? {}).map(([k, v]) => [k, fill(v)])),
    },
  };
}

describe.each(['dev', 'prod'])('personas in %s', (env) => {
  // With the optional stacks (Databricks) on, so their roles are checked too.
  const stacks = resolveEnvironment(ROOT, env, { parameters: OPTIONAL_STACKS_ON });
  const principalOf = principals(stacks);
  const values = placeholders(stacks, env);

  it('lists every group and role the platform creates', () => {
    const created = [...stacks.values()].flatMap((s) =>
      Object.values(s.resources)
        .filter((r) => r.Type === 'AWS::IAM::Group' || r.Type === 'AWS::IAM::Role')
        .map((r) => {
          const p = r.Properties as Record<string, unknown>;
          return String(p.GroupName ?? p.RoleName);
        }),
    );
    const listed = Object.values(personas).map((p) => p.name.replaceAll('${env}', env));
    expect(listed.sort()).toEqual(created.sort());
  });

  it.each(Object.entries(personas))('%s can perform every action of its flows', (_id, persona) => {
    const { identity, boundary } = principalOf(persona, env);
    const problems: string[] = [];
    let checked = 0;
    for (const [flow, steps] of Object.entries(persona.flows)) {
      for (const step of steps) {
        const r = request(step, values, persona.kind);
        const decision = decide(identity, boundary, r);
        checked += 1;
        if (decision !== 'allowed')
          problems.push(`${flow}: ${r.action} ${r.resource}: ${decision}`);
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(0);
  });

  it.each(Object.entries(personas))('%s cannot perform the dangerous actions', (_id, persona) => {
    const { identity, boundary } = principalOf(persona, env);
    const allowed = persona.denied
      .map((step) => request(step, values, persona.kind))
      .filter((r) => decide(identity, boundary, r) === 'allowed')
      .map((r) => `${r.action} ${r.resource} ${JSON.stringify(r.context)}`);
    expect(allowed).toEqual([]);
    expect(persona.denied.length).toBeGreaterThan(0);
  });
});
