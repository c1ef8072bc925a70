import { defineRules } from '../model/rules.js';

/**
 * cfn-guard's own findings carry the control id (pack) or rule name (repository) as their rule
 * id; `ruleFailed` is the declaration they are built from.
 */
export const GUARD_RULES = defineRules({
  ruleFailed: {
    id: 'G1000',
    source: 'cfn-guard',
    severity: 'error',
    title: 'A cfn-guard rule or Control Tower control fails on the resolved template',
    description:
      'The template, resolved as it would deploy (parameters, Conditions, Fn::If), does not satisfy a Guard rule. The finding names the control or rule and how to fix it; suppress a reviewed exception in the resource Metadata with a reason.',
    tags: ['cfn-guard', 'security', 'compliance'],
    securitySeverity: '5.0',
  },
  failed: {
    id: 'G1001',
    source: 'cfn-guard',
    severity: 'error',
    title: 'cfn-guard could not evaluate the rules',
    description:
      'cfn-guard stopped with an error (a rule file that does not parse, a timeout). No Guard rule was checked; fix the rule file the message names.',
    tags: ['cfn-guard'],
  },
  ruleTestFailed: {
    id: 'G1002',
    source: 'cfn-guard',
    severity: 'error',
    title: 'A Guard rule unit test fails',
    description:
      'A test beside a rule file (cfn-guard test) expected another result than the rule gives. Fix the rule or the test.',
    tags: ['cfn-guard'],
  },
  suppressionWithoutReason: {
    id: 'G1003',
    source: 'cfn-guard',
    severity: 'warning',
    title: 'A Guard suppression gives no reason',
    description:
      'A resource suppresses a Guard rule or control without saying why. Write it as {Rule: ID, Reason: why} so reviewers can judge it.',
    tags: ['cfn-guard', 'suppression'],
  },
  tooLargeToResolve: {
    id: 'G1004',
    source: 'cfn-guard',
    severity: 'warning',
    title: 'A resource too large to resolve for Guard rules',
    description:
      "Resolving the intrinsic functions of a resource (Fn::Sub, Fn::Join, references to parameters and mappings) built more text than our limit allows, so from there on Guard rules saw the values as written. Such values would exceed CloudFormation's limits; the message names the resource.",
    tags: ['cfn-guard'],
  },
});
