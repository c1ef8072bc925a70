import { performance } from 'node:perf_hooks';
import { realAwsClients, type AwsClients } from '../src/deploy/aws.js';
import { startMoto } from '../test/helpers/moto.js';
import { workspace } from '../test/helpers/paths.js';
import { runStage, TEST_ENV } from '../test/helpers/stage.js';

const STACKS = 6;
/** Simulated round trip of one CloudFormation API call: moto answers in about a millisecond. */
const API_LATENCY_MS = 40;
/** The waiter's first delay, as a real deploy polls. */
const POLL_MS = 100;

/**
 * Deploying independent stacks in parallel against one after another, on moto. moto finishes every
 * stack at once, so what is measured is the API round trips of the whole flow (describe, create
 * and wait for the change set, execute, poll, events, outputs) with a simulated latency per call
 * and the waiter's delay, overlapped by max-parallel-stacks or not.
 */
export async function benchDeploy(): Promise<string[]> {
  Object.assign(process.env, TEST_ENV);
  const moto = await startMoto();
  try {
    const manifest = ['stacks:'];
    const files: Record<string, string> = {};
    for (let i = 0; i < STACKS; i++) {
      manifest.push(`  queue${i}: { template: templates/queue${i}.yaml }`);
      files[`templates/queue${i}.yaml`] =
        `Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties: { QueueName: bench-${i} }\n`;
    }
    files['iac-stacks.yaml'] = `${manifest.join('\n')}\n`;
    const dir = await workspace(files);
    const aws = slowed(realAwsClients({ endpointUrl: moto.endpoint }));
    const poller = {
      minDelayMs: POLL_MS,
      maxDelayMs: POLL_MS * 4,
      sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
      now: () => Date.now(),
    };
    const timed = async (parallel: number) => {
      await moto.reset();
      const start = performance.now();
      const result = await runStage(
        dir,
        { mode: 'deploy', 'max-parallel-stacks': String(parallel) },
        aws,
        { poller },
      );
      const ms = performance.now() - start;
      if (result.deployments?.some((d) => d.status !== 'succeeded'))
        throw new Error('a bench deploy failed');
      return ms;
    };
    const sequential = await timed(1);
    const parallel = await timed(STACKS);
    return [
      `deploy ${STACKS} independent stacks (moto, ${API_LATENCY_MS} ms per API call, ${POLL_MS} ms first poll delay):`,
      `  one at a time:  ${sequential.toFixed(0)} ms`,
      `  in parallel:    ${parallel.toFixed(0)} ms (max-parallel-stacks ${STACKS})`,
      `  speed-up:       ${(sequential / parallel).toFixed(1)}x`,
    ];
  } finally {
    await moto.stop();
  }
}

type Middleware = (
  next: (args: unknown) => Promise<unknown>,
) => (args: unknown) => Promise<unknown>;
interface WithMiddleware {
  middlewareStack: {
    add: (middleware: Middleware, options: { step: 'initialize'; name: string }) => void;
  };
}

/** Every API call waits API_LATENCY_MS first, like a call to the real service. */
function slowed(aws: AwsClients): AwsClients {
  const seen = new WeakSet<object>();
  const delay = <T extends object>(client: T): T => {
    if (!seen.has(client)) {
      seen.add(client);
      (client as unknown as WithMiddleware).middlewareStack.add(
        (next) => async (args) => {
          await new Promise((r) => setTimeout(r, API_LATENCY_MS));
          return next(args);
        },
        { step: 'initialize', name: 'benchLatency' },
      );
    }
    return client;
  };
  return {
    cloudFormation: async (region) => delay(await aws.cloudFormation(region)),
    s3: async (region) => delay(await aws.s3(region)),
    assumeRole: (role, region) => aws.assumeRole(role, region),
  };
}
