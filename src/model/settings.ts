import path from 'node:path';
import { UserError } from './errors.js';
import { CDK_ASSEMBLY_FOLDER } from './cdk.js';
import type { FailOn } from './findings.js';

/**
 * Every input the action takes, with the default the code falls back to. action.yml repeats these
 * defaults for the runner; a test keeps the two in step. The CLI maps its flags onto the same names.
 */
export const INPUT_DEFAULTS = {
  mode: 'auto',
  templates: 'templates/',
  environment: '',
  'fail-on': 'error',
  'cfn-lint-version': '1.51.0',
  'cfn-lint-args': '',
  'cfn-lint-timeout': '30',
  'trust-repo-config': 'false',
  cache: 'true',
  'policy-validation': 'auto',
  'policy-concurrency': '8',
  'check-no-public-access': 'false',
  'check-no-new-access': 'false',
  'denied-actions': '',
  'denied-resources': '',
  'ignore-findings': '',
  'blocking-finding-types': 'ERROR,SECURITY_WARNING',
  'aws-region': '',
  'aws-account-id': '',
  'aws-partition': 'aws',
  'endpoint-url': '',
  comment: 'true',
  'comment-id': '',
  'github-token': '',
  'sarif-file': '',
  'stacks-file': 'iac-stacks.yaml',
  stacks: '',
  'keep-change-sets': 'false',
  'allow-replacement': '',
  'max-parallel-stacks': '4',
  'timeout-minutes': '60',
  'cancel-on-timeout': 'true',
  'recreate-failed-stacks': 'true',
  'artifact-bucket': '',
  'change-set-name': '',
  'secret-parameters': '',
  'guard-rules': '',
  'guard-packs': '',
  'guard-controls': '',
  'guard-skip-controls': '',
  'base-ref': '',
  'cdk-app': '',
  drift: 'report',
  'delete-removed-stacks': 'false',
} as const;

export type InputName = keyof typeof INPUT_DEFAULTS;
export type Mode = 'validate' | 'plan' | 'deploy' | 'execute';
export type PolicyValidation = 'access-analyzer' | 'offline' | 'off';
export type CommentMode = 'true' | 'false' | 'on-failure';
/** What the plan does with drift: show it, skip detection, block on it, or revert it. */
export type DriftMode = 'report' | 'ignore' | 'fail' | 'revert';

export interface Settings {
  /** Resolved mode: `auto` has already become a concrete mode. */
  mode: Mode;
  /** The mode came from `auto`: a plan without a stack manifest falls back to validation. */
  autoMode: boolean;
  /** Absolute path every relative path is resolved against; nothing outside it is read. */
  workspace: string;
  /** The GitHub event that started the run (GITHUB_EVENT_NAME); empty outside Actions. */
  eventName: string;
  /** Parameter and variable names whose values are secret wherever they appear, like NoEcho. */
  secretParameters: string[];
  templates: string[];
  /** Environment name (e.g. `dev`) or a path to an environment file; empty when none. */
  environment: string;
  failOn: FailOn;
  lint: {
    version: string;
    extraArgs: string[];
    timeoutSeconds: number;
    trustRepoConfig: boolean;
    /** Reuse cfn-lint results of unchanged templates from earlier runs (input `cache`). */
    cache: boolean;
  };
  policies: {
    validation: PolicyValidation;
    /** Why `validation` was chosen when the input said `auto`, for a notice. */
    autoReason?: string;
    concurrency: number;
    checkNoPublicAccess: boolean;
    /** Compare each policy with its version at the base commit (input base-ref). */
    checkNoNewAccess: boolean;
    /** Actions no policy may grant, on any resource (service:Action, wildcards allowed). */
    deniedActions: string[];
    /** Resources no policy may grant any action on (ARNs, wildcards in the resource part). */
    deniedResources: string[];
    ignore: string[];
    blockingFindingTypes: string[];
  };
  aws: {
    region: string;
    accountId: string;
    partition: string;
    endpointUrl?: string;
    hasCredentials: boolean;
  };
  report: {
    comment: CommentMode;
    commentId: string;
    githubToken: string;
    sarifFile: string;
  };
  /** Input cdk-app: the CDK app folder (with cdk.json) the run synthesizes first; empty: none. */
  cdkApp: string;
  guard: {
    /** Files and folders of .guard rules, relative to the workspace. */
    rules: string[];
    packs: 'control-tower'[];
    /** Control ids or services to keep / drop; empty keeps every control of the packs. */
    controls: string[];
    skipControls: string[];
  };
  deploy: {
    stacksFile: string;
    stacks: string[];
    keepChangeSets: boolean;
    allowReplacement: string[];
    maxParallelStacks: number;
    timeoutMinutes: number;
    /** A stack still updating at timeout-minutes is cancelled (CancelUpdateStack) and rolls back. */
    cancelOnTimeout: boolean;
    drift: DriftMode;
    /** Stacks that left the manifest since the base commit are deleted (deploy mode). */
    deleteRemovedStacks: boolean;
    recreateFailedStacks: boolean;
    artifactBucket: string;
    changeSetName: string;
    /**
     * Plan without AWS: no credentials, so the plan is predicted by comparing each template with
     * its version at the base commit.
     */
    offline: boolean;
    /** Input base-ref; empty: the pull request's base commit from the event. */
    baseRef: string;
  };
}

/** Reads one raw input; returns '' (or undefined) when it was not given. */
export type InputReader = (name: InputName) => string | undefined;

export interface SettingsContext {
  env: NodeJS.ProcessEnv;
  workspace: string;
  /** The GitHub event that started the run, when running as an action. */
  eventName?: string;
}

/** Read every input once, validate it, and return the typed settings the core runs on. */
export function readSettings(read: InputReader, ctx: SettingsContext): Settings {
  const raw = (name: InputName): string => {
    const value = read(name)?.trim();
    return value ? value : INPUT_DEFAULTS[name];
  };
  const list = (name: InputName): string[] =>
    raw(name)
      .split(/[\n,]/)
      .map((s) => s.trim())
      .filter(Boolean);
  const env = ctx.env;
  const hasCredentials = Boolean(
    (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) ||
    env.AWS_PROFILE ||
    env.AWS_WEB_IDENTITY_TOKEN_FILE ||
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
    env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
  );

  // The CLI inside a workflow is held to the same rule as the action: the runner's event decides.
  const eventName = ctx.eventName ?? env.GITHUB_EVENT_NAME ?? '';
  const isPullRequest = eventName === 'pull_request' || eventName === 'pull_request_target';
  const modeInput = oneOf(raw('mode'), 'mode', ['auto', 'validate', 'plan', 'deploy', 'execute']);
  // Without credentials a pull request still gets a plan: predicted from the base commit.
  const mode: Mode = modeInput === 'auto' ? (isPullRequest ? 'plan' : 'validate') : modeInput;
  // Every pull_request* event (review and comment events too) runs in a pull request's context.
  if ((mode === 'deploy' || mode === 'execute') && eventName.startsWith('pull_request')) {
    throw new UserError(
      `Input "mode: ${mode}" is refused on ${eventName} events: a pull request never deploys.`,
      'Deploy from workflow_dispatch or a push to the default branch; on pull requests use mode "plan".',
    );
  }

  // Said before any validation runs, not after minutes of it.
  if (mode === 'execute' && !raw('change-set-name')) {
    throw new UserError(
      'Mode execute needs input "change-set-name": the change set a plan run created and kept.',
      'Run mode plan with keep-change-sets: true; its output change-sets names the change set.',
    );
  }

  const policyInput = oneOf(raw('policy-validation'), 'policy-validation', [
    'auto',
    'access-analyzer',
    'offline',
    'off',
  ]);
  let validation: PolicyValidation;
  let autoReason: string | undefined;
  if (policyInput === 'auto') {
    validation = hasCredentials ? 'access-analyzer' : 'offline';
    autoReason = hasCredentials
      ? undefined
      : 'No AWS credentials were found, so IAM policies were checked offline. Configure credentials (for example aws-actions/configure-aws-credentials) to validate them with IAM Access Analyzer.';
  } else {
    validation = policyInput;
  }

  const workspace = path.resolve(ctx.workspace);
  const cdkApp = raw('cdk-app');
  const trustRepoConfig = bool(raw('trust-repo-config'), 'trust-repo-config');
  if (cdkApp && !trustRepoConfig) {
    throw new UserError(
      `Input "cdk-app" runs the CDK app in "${cdkApp}", which is code from the repository.`,
      'Set trust-repo-config: true to allow it, or run cdk synth in an earlier step and point "templates" at its cdk.out.',
    );
  }
  // There the job holds secrets while it runs a stranger's code; no opt-in makes that safe.
  if (cdkApp && (eventName === 'pull_request_target' || eventName === 'workflow_run')) {
    throw new UserError(
      `Input "cdk-app" is refused on ${eventName} events: the app would run a pull request's code in a job that holds secrets.`,
      'Synthesize in a pull_request job without secrets, or run cdk synth in an earlier step.',
    );
  }
  const templates = raw('templates')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  const assembly = cdkApp && path.posix.join(cdkApp.replace(/\\/g, '/'), CDK_ASSEMBLY_FOLDER);
  return {
    mode,
    autoMode: modeInput === 'auto',
    workspace,
    eventName,
    secretParameters: list('secret-parameters'),
    // The app's fresh assembly is what the run checks; other templates only when asked for.
    templates: !assembly
      ? templates
      : raw('templates') === INPUT_DEFAULTS.templates
        ? [assembly]
        : [...templates, assembly],
    cdkApp,
    environment: raw('environment'),
    failOn: oneOf(raw('fail-on'), 'fail-on', ['error', 'warning', 'none']),
    lint: {
      version: version(raw('cfn-lint-version')),
      extraArgs: splitArgs(raw('cfn-lint-args')),
      timeoutSeconds: integer(raw('cfn-lint-timeout'), 'cfn-lint-timeout', 5, 3600),
      trustRepoConfig,
      cache: bool(raw('cache'), 'cache'),
    },
    policies: {
      validation,
      ...(autoReason ? { autoReason } : {}),
      concurrency: integer(raw('policy-concurrency'), 'policy-concurrency', 1, 64),
      checkNoPublicAccess: bool(raw('check-no-public-access'), 'check-no-public-access'),
      checkNoNewAccess: bool(raw('check-no-new-access'), 'check-no-new-access'),
      deniedActions: list('denied-actions').map(deniedAction),
      deniedResources: list('denied-resources').map(deniedResource),
      ignore: list('ignore-findings'),
      blockingFindingTypes: list('blocking-finding-types').map((t) => t.toUpperCase()),
    },
    aws: {
      region: raw('aws-region') || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
      accountId: accountId(raw('aws-account-id')),
      partition: oneOf(raw('aws-partition'), 'aws-partition', ['aws', 'aws-cn', 'aws-us-gov']),
      ...(raw('endpoint-url') ? { endpointUrl: url(raw('endpoint-url'), 'endpoint-url') } : {}),
      hasCredentials,
    },
    report: {
      comment: oneOf(raw('comment'), 'comment', ['true', 'false', 'on-failure']),
      commentId: raw('comment-id'),
      githubToken: raw('github-token'),
      sarifFile: raw('sarif-file'),
    },
    guard: {
      rules: list('guard-rules'),
      packs: list('guard-packs').map((pack) => oneOf(pack, 'guard-packs', ['control-tower'])),
      controls: list('guard-controls'),
      skipControls: list('guard-skip-controls'),
    },
    deploy: {
      stacksFile: raw('stacks-file'),
      stacks: list('stacks'),
      keepChangeSets: bool(raw('keep-change-sets'), 'keep-change-sets'),
      allowReplacement: list('allow-replacement'),
      maxParallelStacks: integer(raw('max-parallel-stacks'), 'max-parallel-stacks', 1, 32),
      timeoutMinutes: integer(raw('timeout-minutes'), 'timeout-minutes', 1, 720),
      cancelOnTimeout: bool(raw('cancel-on-timeout'), 'cancel-on-timeout'),
      drift: oneOf(raw('drift'), 'drift', ['report', 'ignore', 'fail', 'revert']),
      deleteRemovedStacks: bool(raw('delete-removed-stacks'), 'delete-removed-stacks'),
      recreateFailedStacks: bool(raw('recreate-failed-stacks'), 'recreate-failed-stacks'),
      artifactBucket: raw('artifact-bucket'),
      changeSetName: raw('change-set-name'),
      offline: mode === 'plan' && !hasCredentials && !raw('endpoint-url'),
      baseRef: gitRef(raw('base-ref')),
    },
  };
}

function oneOf<T extends string>(value: string, name: string, allowed: readonly T[]): T {
  const lower = value.toLowerCase();
  if ((allowed as readonly string[]).includes(lower)) return lower as T;
  throw new UserError(
    `Input "${name}" is "${value}", which is not one of: ${allowed.join(', ')}.`,
    `Set "${name}" to one of the allowed values.`,
  );
}

function bool(value: string, name: string): boolean {
  return oneOf(value, name, ['true', 'false']) === 'true';
}

function integer(value: string, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new UserError(
      `Input "${name}" is "${value}", but it must be a whole number from ${min} to ${max}.`,
    );
  }
  return n;
}

function version(value: string): string {
  if (!/^\d+\.\d+\.\d+$/.test(value)) {
    throw new UserError(
      `Input "cfn-lint-version" is "${value}", but it must be an exact release such as 1.51.0.`,
      'Pin an exact version so every run lints with the same rules.',
    );
  }
  return value;
}

function accountId(value: string): string {
  if (!value) return '123456789012';
  if (!/^\d{12}$/.test(value)) {
    throw new UserError(`Input "aws-account-id" is "${value}", but it must be 12 digits.`);
  }
  return value;
}

/** A branch, tag or commit name that git cannot mistake for an option or a range. */
function gitRef(value: string): string {
  if (!value || /^[A-Za-z0-9_][-A-Za-z0-9_./@^~]{0,254}$/.test(value)) return value;
  throw new UserError(
    `Input "base-ref" is "${value}", which is not a git branch, tag or commit name.`,
    'Give a name such as main, origin/main or a commit sha.',
  );
}

/** An action as a policy writes it; Access Analyzer takes the same strings. */
function deniedAction(value: string): string {
  if (value === '*' || /^[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+$/.test(value)) return value;
  throw new UserError(
    `Input "denied-actions" holds "${value}", which is not an action such as s3:DeleteBucket or iam:*.`,
    'List actions as service:Action, comma or newline separated.',
  );
}

/** An ARN: Access Analyzer allows wildcards only in its resource part, and 2048 characters. */
function deniedResource(value: string): string {
  if (/^arn:[\w-]+:[\w-]+:[\w-]*:(\d{12})?:\S+$/.test(value) && value.length <= 2048) return value;
  throw new UserError(
    `Input "denied-resources" holds "${value.slice(0, 200)}", which is not an ARN such as arn:aws:s3:::prod-data/*.`,
    'List resource ARNs (a wildcard only in the resource part), comma or newline separated.',
  );
}

function url(value: string, name: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return value;
  } catch {
    // fall through to the error below
  }
  throw new UserError(`Input "${name}" is "${value}", but it must be an http(s) URL.`);
}

/** Split extra command-line flags like a shell would for simple quoting, without running a shell. */
export function splitArgs(value: string): string[] {
  const args: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of value.matchAll(pattern)) args.push(m[1] ?? m[2] ?? m[3] ?? '');
  return args;
}
