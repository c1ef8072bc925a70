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
    description: 'The stack did not finish within input timeout-minutes.',
    tags: ['deploy'],
  },
});
