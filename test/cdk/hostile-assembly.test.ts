import fs from 'node:fs/promises';
import path from 'node:path';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { assemblyStacks } from '../../src/discover/cdk.js';
import { findTemplates } from '../../src/discover/find.js';
import { publishFileAssets } from '../../src/deploy/assets.js';
import { silentLogger } from '../../src/model/logger.js';
import { recordedAws } from '../helpers/recorded.js';
import { workspace } from '../helpers/paths.js';

const TEMPLATE = JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic' } } });

function manifest(artifacts: Record<string, unknown>): string {
  return JSON.stringify({ version: '55.0.0', artifacts });
}

describe('a hostile cloud assembly', () => {
  it('cannot make the action read files outside the workspace', async () => {
    const ws = await workspace({
      'cdk.out/manifest.json': manifest({
        S: {
          type: 'aws:cloudformation:stack',
          properties: { templateFile: '../../../etc/passwd' },
        },
      }),
    });
    await expect(findTemplates(ws, ['cdk.out'])).rejects.toThrow(
      /CDK template .* resolves outside the workspace/,
    );
    await fs.writeFile(
      path.join(ws, 'cdk.out/manifest.json'),
      manifest({
        Stage: { type: 'cdk:cloud-assembly', properties: { directoryName: '../../..' } },
      }),
    );
    await expect(findTemplates(ws, ['cdk.out'])).rejects.toThrow(
      /CDK nested assembly .* resolves outside the workspace/,
    );
  });

  it('does not follow a manifest.json linked to a file outside the workspace', async () => {
    const outside = await workspace({ 'manifest.json': manifest({}) });
    const ws = await workspace({ 'cdk.out/S.template.json': TEMPLATE });
    await fs.symlink(path.join(outside, 'manifest.json'), path.join(ws, 'cdk.out/manifest.json'));
    await expect(findTemplates(ws, ['cdk.out'])).rejects.toThrow(
      /CDK manifest .* is a link to .*, outside the workspace/,
    );
  });

  it('publishes no asset from outside the assembly folder, and follows no link inside an asset', async () => {
    const assets = (path: string) =>
      JSON.stringify({
        version: '55.0.0',
        files: {
          code: {
            source: { path, packaging: 'zip' },
            destinations: { d: { bucketName: 'b', objectKey: 'code.zip' } },
          },
        },
      });
    const ws = await workspace({
      'secret/key': 'x',
      'cdk.out/S.template.json': TEMPLATE,
      'cdk.out/S.assets.json': assets('../secret'),
      'cdk.out/asset.code/index.js': 'exports.handler = 1',
      'cdk.out/manifest.json': manifest({
        'S.assets': { type: 'cdk:asset-manifest', properties: { file: 'S.assets.json' } },
        S: {
          type: 'aws:cloudformation:stack',
          properties: { templateFile: 'S.template.json' },
          dependencies: ['S.assets'],
        },
      }),
    });
    const context = { partition: 'aws', region: 'us-east-1' };
    await expect(assemblyStacks(ws, path.join(ws, 'cdk.out'), context)).rejects.toThrow(
      /asset code names \.\.\/secret, outside the cloud assembly folder/,
    );
    await fs.writeFile(path.join(ws, 'cdk.out/S.assets.json'), assets('asset.code'));
    await fs.symlink(path.join(ws, 'secret/key'), path.join(ws, 'cdk.out/asset.code/key'));
    const [stack] = await assemblyStacks(ws, path.join(ws, 'cdk.out'), context);
    const s3 = mockClient(S3Client);
    s3.on(HeadObjectCommand).rejects(Object.assign(new Error('Not Found'), { name: 'NotFound' }));
    try {
      await expect(
        publishFileAssets('S', stack!.publish.files, recordedAws, silentLogger),
      ).rejects.toThrow(
        /^Asset code \(cdk\.out\/asset\.code\): key is a symbolic link, which is not followed/,
      );
      expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    } finally {
      s3.restore();
    }
  });

  it('refuses a Stage that contains itself instead of looping', async () => {
    const ws = await workspace({
      'cdk.out/manifest.json': manifest({
        Self: { type: 'cdk:cloud-assembly', properties: { directoryName: '.' } },
      }),
    });
    await expect(findTemplates(ws, ['cdk.out'])).rejects.toThrow(
      /nested cloud assemblies deeper than 8 levels/,
    );
  });

  it('points a finding only at source files inside the workspace, never at a trace’s other paths', async () => {
    const ws = await workspace({
      'cdk.out/S.template.json': TEMPLATE,
      'cdk.out/S.metadata.json': JSON.stringify({
        '/S/Topic/Resource': [
          { type: 'aws:cdk:logicalId', data: 'Topic' },
          {
            type: 'aws:cdk:creationStack',
            data: ['new S (file:///etc/app.js:3:1)', 'new S (/root/secret/app.js:4:1)'],
          },
        ],
      }),
      'cdk.out/manifest.json': manifest({
        S: {
          type: 'aws:cloudformation:stack',
          environment: 'aws://unknown-account/unknown-region',
          properties: { templateFile: 'S.template.json' },
          additionalMetadataFile: 'S.metadata.json',
        },
      }),
    });
    const [source] = await findTemplates(ws, ['cdk.out']);
    expect(source?.cdk).toEqual({
      artifactId: 'S',
      constructs: { Topic: { path: 'S/Topic/Resource' } },
    });
  });
});
