import { defineRules } from '../model/rules.js';

export const DEPLOY_RULES = defineRules({
  planFailed: {
    id: 'D1002',
    source: 'change-set',
    severity: 'error',
    title: 'Change set could not be created',
    description:
      'CloudFormation refused the change set (its reason is in the message): fix the template, parameters or permissions it names.',
    tags: ['change-set'],
  },
  drifted: {
    id: 'D1003',
    source: 'change-set',
    severity: 'error',
    title: 'Stack has drifted (input drift: fail)',
    description:
      'A resource of the deployed stack was changed or deleted outside CloudFormation, and input drift is fail. Bring the change into the template, undo it in AWS, or plan with drift: revert to put the resource back as the template says.',
    tags: ['change-set', 'drift'],
  },
  deployFailed: {
    id: 'D2001',
    source: 'change-set',
    severity: 'error',
    title: 'Stack deployment failed',
    description:
      'Executing the change set failed; the message names the resource and the reason CloudFormation gave, and the stack’s final status.',
    tags: ['deploy'],
  },
  deployTimedOut: {
    id: 'D2002',
    source: 'change-set',
    severity: 'error',
    title: 'Stack deployment timed out',
    description:
      'The stack did not finish within input timeout-minutes. Unless cancel-on-timeout is false, a running update is cancelled (CancelUpdateStack) and CloudFormation rolls it back; a create cannot be cancelled and keeps going.',
    tags: ['deploy'],
  },
  deployCancelled: {
    id: 'D2003',
    source: 'change-set',
    severity: 'error',
    title: 'Stack deployment cancelled with the job',
    description:
      'The job was cancelled (SIGINT or SIGTERM) while the stack deployed: a running update was cancelled (CancelUpdateStack) and is rolling back, and stacks not yet started were left alone. The message says which.',
    tags: ['deploy'],
  },
  validationFailed: {
    id: 'C1001',
    source: 'cloudformation',
    severity: 'error',
    title: "CloudFormation's pre-deployment validation failed",
    description:
      'When the change set was created, CloudFormation validated it (property syntax against the resource schemas, names that already exist in the account, and more) and this check, in FAIL mode, failed: the change set cannot run. The message names the check, the property path and the reason.',
    tags: ['cloudformation', 'validation'],
  },
  validationWarning: {
    id: 'C1002',
    source: 'cloudformation',
    severity: 'warning',
    title: "CloudFormation's pre-deployment validation warns",
    description:
      'A pre-deployment validation in WARN mode (a non-empty bucket to delete, a service quota, an AWS Config recorder conflict, ...) reported a problem the change set may run into.',
    tags: ['cloudformation', 'validation'],
  },
  hookFailed: {
    id: 'C1101',
    source: 'cloudformation',
    severity: 'error',
    title: 'A CloudFormation Hook failed the change set',
    description:
      "One of the account's CloudFormation Hooks, in FAIL mode, failed on the change set or a resource of it (or could not run): its reason is in the message.",
    tags: ['cloudformation', 'hooks'],
  },
  hookWarning: {
    id: 'C1102',
    source: 'cloudformation',
    severity: 'warning',
    title: 'A CloudFormation Hook warns about the change set',
    description:
      "One of the account's CloudFormation Hooks, in WARN mode, failed on the change set or a resource of it; CloudFormation goes on, and so does the deploy.",
    tags: ['cloudformation', 'hooks'],
  },
  hookPlanned: {
    id: 'C1103',
    source: 'cloudformation',
    severity: 'info',
    title: 'CloudFormation Hooks will check this resource',
    description:
      "The account's CloudFormation Hooks that will be invoked on the resource when the change set runs (DescribeChangeSetHooks), with their failure mode.",
    tags: ['cloudformation', 'hooks'],
  },
});
