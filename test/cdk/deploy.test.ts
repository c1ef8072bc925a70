import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { realAwsClients, type AwsClients } from '../../src/deploy/aws.js';
import { silentLogger } from '../../src/model/logger.js';
import { readSettings, type InputName } from '../../src/model/settings.js';
import { realEdges } from '../../src/pipeline/edges.js';
import { runPipeline } from '../../src/pipeline/pipeline.js';
import { startMoto, type Moto } from '../helpers/moto.js';
import { FIXTURES } from '../helpers/paths.js';
import { fastPoller, TEST_ENV } from '../helpers/stage.js';
import { synthesizedApp } from './synth.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const BUCKET = `cdk-hnb659fds-assets-${ACCOUNT}-${REGION}`;
const role = (kind: string) =>
  `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-${kind}-${ACCOUNT}-${REGION}`;

let moto: Moto;
let ws: string;
let codeKey: string;
beforeAll(async () => {
  [moto, ws] = await Promise.all([startMoto(), synthesizedApp(path.join(FIXTURES, 'cdk-assets'))]);
  const manifest = JSON.parse(
    await fs.readFile(path.join(ws, 'app/cdk.out/Functions.assets.json'), 'utf8'),
  ) as { files: Record<string, { source: { packaging?: string }; destinations: object }> };
  const code = Object.values(manifest.files).find((f) => f.source.packaging === 'zip')!;
  codeKey = (Object.values(code.destinations)[0] as { objectKey: string }).objectKey;
}, 300_000);
afterAll(() => moto.stop());
afterEach(() => vi.unstubAllEnvs());

const client = <T>(Make: new (config: object) => T): T =>
  new Make({
    region: REGION,
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });

/** A request to an API without an SDK client here; moto reads the service from the signature scope. */
const call = (
  service: string,
  init: { method?: string; path?: string; target?: string; body?: object },
) =>
  fetch(`${moto.endpoint}${init.path ?? '/'}`, {
    method: init.method ?? 'POST',
    headers: {
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20261202/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
      ...(init.target
        ? { 'x-amz-target': init.target, 'content-type': 'application/x-amz-json-1.1' }
        : {}),
    },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  }).then(async (answer) => {
    if (!answer.ok) throw new Error(`${service}: ${answer.status} ${await answer.text()}`);
    return answer.json() as Promise<unknown>;
  });

/**
 * What `cdk bootstrap` leaves: the assets bucket, the roles (moto does not check their trust) and
 * the version parameter every CDK template reads.
 */
async function bootstrap(): Promise<void> {
  await moto.reset();
  await call('ssm', {
    target: 'AmazonSSM.PutParameter',
    body: { Name: '/cdk-bootstrap/hnb659fds/version', Value: '30', Type: 'String' },
  });
  await client(S3Client).send(new CreateBucketCommand({ Bucket: BUCKET }));
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }],
  });
  for (const kind of ['deploy-role', 'file-publishing-role', 'cfn-exec-role'])
    await client(IAMClient).send(
      new CreateRoleCommand({
        RoleName: `cdk-hnb659fds-${kind}-${ACCOUNT}-${REGION}`,
        AssumeRolePolicyDocument: trust,
      }),
    );
}

/** Which credentials sent each request: the job's own, or a role's (by its ARN). */
function recording(aws: AwsClients, as: string, calls: { as: string; command: string }[]) {
  const seen = new WeakSet<object>();
  const record = async <T extends object>(made: Promise<T>): Promise<T> => {
    const c = await made;
    if (!seen.has(c)) {
      seen.add(c);
      (c as unknown as CloudFormationClient).middlewareStack.add(
        (next, context) => async (args) => {
          calls.push({ as, command: String(context.commandName) });
          return next(args);
        },
        { step: 'initialize' },
      );
    }
    return c;
  };
  const wrapped: AwsClients = {
    cloudFormation: (region) => record(aws.cloudFormation(region)),
    s3: (region) => record(aws.s3(region)),
    assumeRole: async (r, region) => recording(await aws.assumeRole(r, region), r.arn, calls),
  };
  return wrapped;
}

async function run(
  mode: 'plan' | 'deploy',
  sts?: string,
  more: Partial<Record<InputName, string>> = {},
) {
  for (const [key, value] of Object.entries(TEST_ENV)) vi.stubEnv(key, value);
  const env = { ...process.env, ...TEST_ENV };
  const inputs: Partial<Record<InputName, string>> = {
    mode,
    templates: 'app/cdk.out',
    'endpoint-url': moto.endpoint,
    'policy-validation': 'off',
    'fail-on': 'none',
    ...more,
  };
  const settings = readSettings((name) => inputs[name], { env, workspace: ws });
  const calls: { as: string; command: string }[] = [];
  const edges = realEdges(settings, { log: silentLogger, env });
  const aws = recording(edges.aws, 'job', calls);
  const { report } = await runPipeline(settings, {
    ...edges,
    // Roles assumed through another STS endpoint (one that refuses), the rest as before.
    aws: sts
      ? {
          ...aws,
          assumeRole: (r, region) => realAwsClients({ endpointUrl: sts }).assumeRole(r, region),
        }
      : aws,
    poller: fastPoller,
  });
  return { report, calls };
}

const exists = (key: string) =>
  client(S3Client)
    .send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))
    .then(
      () => true,
      () => false,
    );

describe('plan and deploy of a CDK assembly with a file asset, no manifest', () => {
  it('plans as the deploy role without uploading the code', async () => {
    await bootstrap();
    const { report, calls } = await run('plan');
    const functions = report.plan!.find((p) => p.stackName === 'Functions')!;
    expect(functions).toMatchObject({ changeSetType: 'CREATE', region: REGION });
    expect(functions.changes.map((c) => c.resourceType)).toContain('AWS::Lambda::Function');
    expect(calls).toContainEqual({ as: role('deploy-role'), command: 'CreateChangeSetCommand' });
    expect(calls).not.toContainEqual({ as: 'job', command: 'CreateChangeSetCommand' });
    expect(await exists(codeKey)).toBe(false);
    // The container asset is said in the plan, which still previews the stack.
    const images = report.plan!.find((p) => p.stackName === 'Images')!;
    expect(images.message).toMatch(/asset [0-9a-f]{64} is a container image asset/);
  }, 300_000);

  it('publishes the zipped folder with the publishing role, then creates the stack as the deploy role', async () => {
    await bootstrap();
    const { report, calls } = await run('deploy');
    const byName = new Map(report.deployments!.map((d) => [d.stackName, d]));
    expect(byName.get('Functions')).toMatchObject({
      status: 'succeeded',
      stackStatus: 'CREATE_COMPLETE',
    });
    const zip = await client(S3Client).send(new GetObjectCommand({ Bucket: BUCKET, Key: codeKey }));
    const bytes = Buffer.from(await zip.Body!.transformToByteArray());
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    expect(bytes.includes(Buffer.from('index.mjs'))).toBe(true);
    expect(calls).toContainEqual({ as: role('file-publishing-role'), command: 'PutObjectCommand' });
    expect(calls).toContainEqual({ as: role('deploy-role'), command: 'ExecuteChangeSetCommand' });
    expect(calls.filter((c) => c.as === 'job').map((c) => c.command)).not.toContain(
      'ExecuteChangeSetCommand',
    );
    // The deployed function's code is the object just published.
    const deployed = await client(CloudFormationClient).send(
      new GetTemplateCommand({ StackName: 'Functions' }),
    );
    expect(deployed.TemplateBody).toContain(`"S3Key": "${codeKey}"`);
    // moto's Lambda took its code from that object.
    const { Functions } = (await call('lambda', {
      method: 'GET',
      path: '/2015-03-31/functions/',
    })) as {
      Functions: { CodeSha256: string }[];
    };
    expect(Functions.map((f) => f.CodeSha256)).toEqual([
      createHash('sha256').update(bytes).digest('base64'),
    ]);

    // The stack with a container image asset is refused as a whole; nothing of it exists.
    expect(byName.get('Images')).toMatchObject({ status: 'failed' });
    expect(byName.get('Images')!.message).toMatch(
      /^Stack Images is not deployed: asset [0-9a-f]{64} is a container image asset/,
    );
    expect(calls.filter((c) => c.command === 'CreateChangeSetCommand')).toHaveLength(1);
  }, 300_000);

  it('takes what a stack manifest adds to the assembly stack it names', async () => {
    await bootstrap();
    await fs.writeFile(
      path.join(ws, 'cdk-settings.yaml'),
      'stacks:\n  Functions:\n    tags: { team: data }\n',
    );
    const { report } = await run('deploy', undefined, {
      'stacks-file': 'cdk-settings.yaml',
      stacks: 'Functions',
    });
    expect(report.deployments!.map((d) => [d.stackName, d.status])).toEqual([
      ['Functions', 'succeeded'],
    ]);
    const { Stacks } = await client(CloudFormationClient).send(
      new DescribeStacksCommand({ StackName: 'Functions' }),
    );
    expect(Stacks![0]!.Tags).toContainEqual({ Key: 'team', Value: 'data' });

    await fs.writeFile(
      path.join(ws, 'cdk-settings.yaml'),
      'stacks:\n  Nope:\n    tags: { a: b }\n',
    );
    await expect(run('plan', undefined, { 'stacks-file': 'cdk-settings.yaml' })).rejects.toThrow(
      /cdk-settings\.yaml:3: stacks\.Nope has no template and is not a stack of the CDK cloud assembly/,
    );
  }, 300_000);

  it('deploys nothing of a stack whose deploy role cannot be assumed, and says what to do', async () => {
    await bootstrap();
    // STS's answer when the job's credentials may not assume the role (Query protocol, 403).
    const sts = http.createServer((request, response) => {
      request.resume();
      response.writeHead(403, { 'content-type': 'text/xml' });
      response.end(
        `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::${ACCOUNT}:user/ci is not authorized to perform: sts:AssumeRole on resource: ${role('deploy-role')}</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
      );
    });
    await new Promise<void>((resolve) => sts.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = sts.address() as AddressInfo;
      const { report, calls } = await run('deploy', `http://127.0.0.1:${port}`);
      const functions = report.deployments!.find((d) => d.stackName === 'Functions')!;
      expect(functions.status).toBe('failed');
      expect(functions.message).toContain(
        `Stack Functions is not deployed: Could not assume role ${role('deploy-role')}: User: arn:aws:iam::${ACCOUNT}:user/ci is not authorized`,
      );
      expect(functions.message).toMatch(/cdk bootstrap.*sts:AssumeRole/);
      expect(calls.map((c) => c.command)).not.toContain('CreateChangeSetCommand');
      expect(await exists(codeKey)).toBe(false);
    } finally {
      sts.close();
    }
  }, 300_000);
});
