import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../src/model/logger.js';
import { readSettings, type InputName } from '../../src/model/settings.js';
import { parseEnvironment } from '../../src/discover/environment.js';
import { realAwsClients, type AwsClients } from '../../src/deploy/aws.js';
import { runDeployStage, type DeployStageResult } from '../../src/deploy/index.js';
import { loadManifest, resolveStacks } from '../../src/discover/manifest.js';
import { guardPlan } from '../../src/stateful/guard.js';
import type { Poller } from '../../src/deploy/wait.js';
import { parseTemplate, type ParsedTemplate } from '../../src/parse/template.js';

/** Polls fast: moto finishes at once, and recorded responses need no real waiting. */
export const fastPoller: Poller = {
  minDelayMs: 5,
  maxDelayMs: 20,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  now: () => Date.now(),
};

export const TEST_ENV = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
};

export interface StageRun extends DeployStageResult {
  lines: string[];
}

/** Run the plan/deploy stage (validation is tested elsewhere) over a workspace. */
export async function runStage(
  dir: string,
  inputs: Partial<Record<InputName, string>>,
  aws: AwsClients | { endpoint: string },
  options: {
    timeoutMs?: number;
    poller?: Poller;
    stop?: AbortSignal;
    /** Stack ids of the manifest to treat as removed since the base commit. */
    removed?: string[];
  } = {},
): Promise<StageRun> {
  const settings = readSettings((name) => inputs[name], { env: TEST_ENV, workspace: dir });
  const manifest = await loadManifest(dir, settings.deploy.stacksFile);
  const environment = settings.environment
    ? parseEnvironment(
        await fs.readFile(path.join(dir, `environments/${settings.environment}.yaml`), 'utf8'),
        `environments/${settings.environment}.yaml`,
        settings.environment,
      )
    : undefined;
  const lines: string[] = [];
  const log: Logger = {
    info: (m) => lines.push(m),
    warning: (m) => lines.push(`warning: ${m}`),
    notice: (m) => lines.push(`notice: ${m}`),
    debug: () => {},
  };
  const clients = 'endpoint' in aws ? realAwsClients({ endpointUrl: aws.endpoint }) : aws;
  const stacks = await resolveStacks(manifest, {
    workspace: dir,
    selection: settings.deploy.stacks,
    ...(environment ? { environment } : {}),
  });
  const removed = options.removed?.map((id) => stacks.all.get(id)!);
  if (removed) {
    stacks.selected = stacks.selected.filter((s) => !options.removed!.includes(s.id));
    for (const s of removed) stacks.all.delete(s.id);
  }
  const templateOf = new Map<string, ParsedTemplate>();
  for (const stack of stacks.all.values()) {
    const parsed = parseTemplate(await fs.readFile(path.join(dir, stack.template)), stack.template);
    if (!parsed.ok) throw new Error(parsed.finding.message);
    templateOf.set(stack.id, parsed.template);
  }
  const result = await runDeployStage(
    settings,
    {
      stacks,
      templateOf,
      guard: guardPlan,
      ...(removed
        ? { removed: { stacks: removed, manifestFile: 'iac-stacks.yaml', base: 'main' } }
        : {}),
    },
    {
      log,
      env: {},
      aws: clients,
      poller: options.poller ?? fastPoller,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.stop ? { stop: options.stop } : {}),
    },
  );
  return { ...result, lines };
}
