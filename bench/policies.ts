// Policy validation against a local Access Analyzer with 150 ms per call: our concurrent
// validation against one call at a time, and validate() with cfn-lint and policies together
// against each alone.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { realEdges } from '../src/pipeline/edges.js';
import { silentLogger } from '../src/model/logger.js';
import { readSettings, type InputName } from '../src/model/settings.js';
import { validate } from '../src/pipeline/validate.js';
import { createAccessAnalyzer } from '../src/policies/access-analyzer.js';
import { createPolicyChecker } from '../src/policies/index.js';
import { parseTemplate, type ParsedTemplate } from '../src/parse/template.js';
import { startFakeAnalyzer } from '../test/helpers/access-analyzer-server.js';

const POLICIES = 300;
const PER_TEMPLATE = 10;
const LATENCY_MS = 150;

function corpusTemplate(index: number): string {
  const resources = Array.from({ length: PER_TEMPLATE }, (_, i) => {
    const n = index * PER_TEMPLATE + i;
    return `  Policy${i}:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: [s3:GetObject, s3:PutObject]
            Resource: !Sub 'arn:\${AWS::Partition}:s3:::bench-${n}/*'
`;
  });
  return `AWSTemplateFormatVersion: '2010-09-09'\nResources:\n${resources.join('')}`;
}

async function timed<T>(run: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const result = await run();
  return [performance.now() - start, result];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export async function benchPolicies(): Promise<string[]> {
  const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'iac-bench-policies-'));
  const server = await startFakeAnalyzer({
    latencyMs: LATENCY_MS,
    findings: () => [
      { findingType: 'SUGGESTION', issueCode: 'BENCH', findingDetails: 'bench', at: ['Version'] },
    ],
  });
  try {
    await fs.mkdir(path.join(workspace, 'templates'));
    const templates: ParsedTemplate[] = [];
    for (let t = 0; t < POLICIES / PER_TEMPLATE; t++) {
      const file = `templates/policies-${t}.yaml`;
      const text = corpusTemplate(t);
      await fs.writeFile(path.join(workspace, file), text);
      const parsed = parseTemplate(text, file);
      if (parsed.ok) templates.push(parsed.template);
    }
    const settingsWith = (inputs: Partial<Record<InputName, string>>) =>
      readSettings((name) => inputs[name], { env: {}, workspace });
    const checkerFor = (concurrency: string) => {
      const settings = settingsWith({
        'policy-validation': 'access-analyzer',
        'policy-concurrency': concurrency,
        'endpoint-url': server.endpoint,
      });
      return createPolicyChecker({
        settings,
        log: silentLogger,
        analyzer: () =>
          createAccessAnalyzer({
            region: 'us-east-1',
            endpointUrl: server.endpoint,
            credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
          }),
      });
    };

    const targets = templates.map((template) => ({ template, resolutions: [{ parameters: {} }] }));
    const [concurrentMs, outcome] = await timed(() => checkerFor('8')(targets));
    const [sequentialMs] = await timed(() => checkerFor('1')(targets));
    const lines = [
      `policies: ${outcome.policies.length} policies, ${outcome.findings.length} findings, ${LATENCY_MS} ms per Access Analyzer call`,
      `policies: concurrent (policy-concurrency 8) ${seconds(concurrentMs)} vs one call at a time ${seconds(sequentialMs)}: ${(sequentialMs / concurrentMs).toFixed(1)}x faster (target >= 6x)`,
    ];

    // validate(): cfn-lint and the policy checks run side by side.
    const deps = (validation: string) => {
      const settings = settingsWith({
        templates: 'templates/',
        'policy-validation': validation,
        'endpoint-url': server.endpoint,
      });
      return {
        settings,
        deps: {
          ...realEdges(settings, { log: silentLogger, env: process.env }),
          checkPolicies: checkerFor('8'),
        },
      };
    };
    const both = deps('access-analyzer');
    const lintOnly = deps('off');
    const [bothMs] = await timed(() => validate(both.settings, both.deps));
    const [lintMs] = await timed(() => validate(lintOnly.settings, lintOnly.deps));
    const [policiesMs] = await timed(() => checkerFor('8')(targets));
    lines.push(
      `policies: validate() with both ${seconds(bothMs)}; cfn-lint alone ${seconds(lintMs)}, policies alone ${seconds(policiesMs)}: ` +
        `${(bothMs / Math.max(lintMs, policiesMs)).toFixed(2)}x the longer one, ${(bothMs / (lintMs + policiesMs)).toFixed(2)}x their sum (target: close to the longer)`,
    );
    return lines;
  } finally {
    await server.close();
    await fs.rm(workspace, { recursive: true, force: true });
  }
}
