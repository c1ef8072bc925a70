import { defineRules } from '../model/rules.js';

export const STATEFUL_RULES = defineRules({
  unprotected: {
    id: 'S1001',
    source: 'stateful',
    severity: 'warning',
    title: 'Stateful resource without DeletionPolicy and UpdateReplacePolicy',
    description:
      'A resource that holds data (database, bucket, key, ...) would be deleted with its data when it is removed or replaced. Set DeletionPolicy and UpdateReplacePolicy (Retain or Snapshot).',
    tags: ['stateful'],
  },
  blockedChange: {
    id: 'D1001',
    source: 'change-set',
    severity: 'error',
    title: 'Change set would replace or delete a stateful resource',
    description:
      'The change set replaces or removes a resource that holds data. The plan is blocked; add its logical id to input allow-replacement if that is intended.',
    tags: ['stateful', 'change-set'],
  },
});
