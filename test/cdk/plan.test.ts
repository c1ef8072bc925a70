import path from 'node:path';
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  S3Client,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { assemblySelection, assemblyStacks } from '../../src/discover/cdk.js';
import { silentLogger } from '../../src/model/logger.js';
import { readSettings, type InputName } from '../../src/model/settings.js';
import { realEdges } from '../../src/pipeline/edges.js';
import { runPipeline } from '../../src/pipeline/pipeline.js';
import { startMoto, type Moto } from '../helpers/moto.js';
import { TEST_ENV } from '../helpers/stage.js';
import { synthesizedExample } from './synth.js';

let moto: Moto;
let ws: string;
beforeAll(async () => {
  [moto, ws] = await Promise.all([startMoto(), synthesizedExample()]);
}, 300_000);
afterAll(() => moto.stop());
afterEach(() => vi.unstubAllEnvs());

describe('a plan from a CDK cloud assembly, no manifest', () => {
  it('previews every stack of the app in its own region, dependencies first, with the roles the assembly names', async () => {
    // The SDK reads its credentials from the process environment.
    for (const [key, value] of Object.entries(TEST_ENV)) vi.stubEnv(key, value);
    const env = { ...process.env, ...TEST_ENV };
    const inputs: Partial<Record<InputName, string>> = {
      mode: 'plan',
      templates: 'app/cdk.out',
      'endpoint-url': moto.endpoint,
      'policy-validation': 'off',
      'fail-on': 'none',
    };
    // The bootstrap buckets, where CloudFormation reads the nested stack templates from.
    for (const region of ['us-east-2', 'eu-west-1'])
      await new S3Client({ region, endpoint: moto.endpoint, forcePathStyle: true }).send(
        new CreateBucketCommand({
          Bucket: `cdk-hnb659fds-assets-123456789012-${region}`,
          CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint },
        }),
      );
    const settings = readSettings((name) => inputs[name], { env, workspace: ws });
    const { report } = await runPipeline(settings, realEdges(settings, { log: silentLogger, env }));
    expect(report.plan?.map((p) => [p.stackName, p.region, p.changeSetType]).sort()).toEqual([
      ['LakeDev', 'us-east-2', 'CREATE'],
      ['Prod-Lake', 'eu-west-1', 'CREATE'],
    ]);
    const dev = report.plan!.find((p) => p.stackName === 'LakeDev')!;
    // Only the nested stack's template went up; the function's code waits for a deploy.
    const published = await new S3Client({
      region: 'us-east-2',
      endpoint: moto.endpoint,
      forcePathStyle: true,
    }).send(new ListObjectsV2Command({ Bucket: 'cdk-hnb659fds-assets-123456789012-us-east-2' }));
    expect(published.Contents?.map((o) => o.Key)).toEqual([expect.stringMatching(/\.json$/)]);
    expect(dev.changes.map((c) => c.resourceType)).toEqual(
      expect.arrayContaining([
        'AWS::S3::Bucket',
        'AWS::Lambda::Function',
        'AWS::CloudFormation::Stack',
      ]),
    );
  }, 300_000);

  it('reads names, environments, bootstrap roles and assets from the assembly', async () => {
    const stacks = await assemblyStacks(ws, path.join(ws, 'app/cdk.out'), {
      partition: 'aws',
      region: 'us-east-1',
    });
    const dev = stacks.find((s) => s.id === 'LakeDev')!;
    expect(dev).toMatchObject({
      stackName: 'LakeDev',
      template: 'app/cdk.out/LakeDev.template.json',
      region: 'us-east-2',
      account: '123456789012',
      executionRoleArn:
        'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-us-east-2',
      deployRoleArn:
        'arn:aws:iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-us-east-2',
      dependsOn: [],
    });
    // The Lambda's code is a file asset; the stack's own template is not counted.
    expect(dev.assets.files).toBeGreaterThan(0);
    expect(dev.assets.manifest).toBe('app/cdk.out/LakeDev.assets.json');
    const selection = assemblySelection(stacks, ['Prod-Lake']);
    expect(selection.selected.map((s) => s.stackName)).toEqual(['Prod-Lake']);
    expect(selection.selected[0]!.capabilities).toContain('CAPABILITY_NAMED_IAM');
    expect(() => assemblySelection(stacks, ['Nope'])).toThrow(/not a stack of the cloud assembly/);
  });
});
