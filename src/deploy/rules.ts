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
});
