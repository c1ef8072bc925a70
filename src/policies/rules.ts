import { defineRules } from '../model/rules.js';

const SERVICE_AUTHORIZATION =
  'https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html';
const GRAMMAR = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html';
const VERSION =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html';

/** Every rule the policy stage emits: the offline checks and the Access Analyzer checks. */
export const POLICY_RULES = defineRules({
  malformedPolicy: {
    id: 'MALFORMED_POLICY',
    source: 'policy-check',
    severity: 'error',
    title: 'The document is not a policy',
    description:
      'A policy document must be a JSON object with a Statement of objects with Effect and Action (a document written as a string must be JSON).',
    tags: ['iam'],
    helpUrl: GRAMMAR,
  },
  missingVersion: {
    id: 'MISSING_VERSION',
    source: 'policy-check',
    severity: 'warning',
    title: 'Policy without "Version"',
    description:
      'No "Version": policy variables such as ${aws:username} are then not replaced. Add "Version": "2012-10-17".',
    tags: ['iam'],
    helpUrl: VERSION,
  },
  oldVersion: {
    id: 'OLD_VERSION',
    source: 'policy-check',
    severity: 'warning',
    title: 'Policy "Version" is not 2012-10-17',
    description:
      '"Version" is not 2012-10-17, so policy variables are not replaced. Use "2012-10-17".',
    tags: ['iam'],
    helpUrl: VERSION,
  },
  invalidAction: {
    id: 'INVALID_ACTION',
    source: 'policy-check',
    severity: 'error',
    title: 'Action not in the form service:Action',
    description: 'An action is not in the form service:Action, e.g. s3:GetObject.',
    tags: ['iam'],
    helpUrl: GRAMMAR,
  },
  unknownService: {
    id: 'UNKNOWN_SERVICE',
    source: 'policy-check',
    severity: 'error',
    title: 'Unknown service prefix',
    description:
      'The service prefix of an action is not in the IAM catalogue; the message proposes the closest prefix.',
    tags: ['iam'],
    helpUrl: SERVICE_AUTHORIZATION,
  },
  unknownAction: {
    id: 'UNKNOWN_ACTION',
    source: 'policy-check',
    severity: 'error',
    title: 'Unknown action',
    description:
      'The service has no action with this name; the message proposes the closest action.',
    tags: ['iam'],
    helpUrl: SERVICE_AUTHORIZATION,
  },
  wildcardMatchesNothing: {
    id: 'WILDCARD_MATCHES_NOTHING',
    source: 'policy-check',
    severity: 'error',
    title: 'Action wildcard matches no action',
    description: 'An action wildcard matches no action of the service, so it allows nothing.',
    tags: ['iam'],
    helpUrl: SERVICE_AUTHORIZATION,
  },
  allowAllActions: {
    id: 'ALLOW_ALL_ACTIONS',
    source: 'policy-check',
    severity: 'warning',
    title: 'Allow "Action": "*"',
    description:
      '"Action": "*" allows every action of every service; list the actions the principal needs.',
    tags: ['iam', 'security'],
    securitySeverity: '7.5',
  },
  allowServiceWildcard: {
    id: 'ALLOW_SERVICE_WILDCARD',
    source: 'policy-check',
    severity: 'warning',
    title: 'Allow "service:*"',
    description:
      '"service:*" allows every action of the service, including ones added later; list the actions needed.',
    tags: ['iam', 'security'],
    securitySeverity: '5.0',
  },
  writeOnAllResources: {
    id: 'WRITE_ON_ALL_RESOURCES',
    source: 'policy-check',
    severity: 'warning',
    title: 'Write or permissions-management actions on "Resource": "*"',
    description:
      'Write or permissions-management actions on "Resource": "*" in an identity policy reach every resource; name the resources. Actions that only take "*" are not reported.',
    tags: ['iam', 'security'],
    securitySeverity: '5.0',
  },
  passRoleOnAllResources: {
    id: 'PASSROLE_ON_ALL_RESOURCES',
    source: 'policy-check',
    severity: 'error',
    title: 'iam:PassRole on "Resource": "*"',
    description:
      'iam:PassRole on "*" lets the holder hand any role to a service: privilege escalation. Name the roles it may pass.',
    tags: ['iam', 'security'],
    securitySeverity: '8.0',
    helpUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html',
  },
  allowWithNotAction: {
    id: 'ALLOW_WITH_NOT_ACTION',
    source: 'policy-check',
    severity: 'warning',
    title: 'Allow with NotAction',
    description:
      'Allow with NotAction allows every other action, including ones added later; list the allowed actions instead.',
    tags: ['iam', 'security'],
    securitySeverity: '6.0',
    helpUrl:
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html',
  },
  allowWithNotResource: {
    id: 'ALLOW_WITH_NOT_RESOURCE',
    source: 'policy-check',
    severity: 'warning',
    title: 'Allow with NotResource',
    description:
      'Allow with NotResource allows every other resource, including ones created later; list the resources instead.',
    tags: ['iam', 'security'],
    securitySeverity: '5.0',
    helpUrl:
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html',
  },
  publicPrincipal: {
    id: 'PUBLIC_PRINCIPAL',
    source: 'policy-check',
    severity: 'error',
    title: 'Resource policy open to Principal "*"',
    description:
      'A resource policy allows Principal "*" without a condition that restricts who (account, organisation, source); add aws:PrincipalOrgID, aws:SourceAccount or aws:SourceArn, or name the principals.',
    tags: ['iam', 'security'],
    securitySeverity: '9.0',
    helpUrl:
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html',
  },
  unknownConditionKey: {
    id: 'UNKNOWN_CONDITION_KEY',
    source: 'policy-check',
    severity: 'error',
    title: 'Unknown condition key',
    description:
      'A condition key exists neither globally nor for the service; the message proposes the closest key.',
    tags: ['iam'],
    helpUrl: SERVICE_AUTHORIZATION,
  },
  conditionKeyNotSupported: {
    id: 'CONDITION_KEY_NOT_SUPPORTED',
    source: 'policy-check',
    severity: 'warning',
    title: 'Condition key not supported by the statement’s actions',
    description:
      'A condition key is not supported by any action of the statement, so the condition never matches.',
    tags: ['iam'],
    helpUrl: SERVICE_AUTHORIZATION,
  },
  resolutionLimit: {
    id: 'RESOLUTION_LIMIT',
    source: 'policy-check',
    severity: 'error',
    title: 'A policy too large or complex to resolve',
    description:
      "Resolving the intrinsic functions of a policy (Fn::Sub, Fn::Join, references to other resources) built more text or took more steps than our limits allow, so the rest of it was checked as {{unresolved:...}} placeholders. Such a policy would exceed IAM's size quotas when deployed; the message names the resource whose values amplify.",
    tags: ['iam'],
  },
  accessAnalyzerFailed: {
    id: 'ACCESS_ANALYZER_FAILED',
    source: 'access-analyzer',
    severity: 'error',
    title: 'IAM Access Analyzer could not validate a policy',
    description:
      'Access Analyzer answered with an error for this policy (its reason is in the message); the remaining policies were checked offline.',
    tags: ['iam'],
  },
  checkNoPublicAccess: {
    id: 'CHECK_NO_PUBLIC_ACCESS',
    source: 'access-analyzer',
    severity: 'error',
    title: 'CheckNoPublicAccess: the resource policy grants public access',
    description:
      'IAM Access Analyzer CheckNoPublicAccess (input check-no-public-access) found that the resource policy allows access from outside any account; its reason is in the message.',
    tags: ['iam', 'security'],
    securitySeverity: '9.0',
    helpUrl:
      'https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoPublicAccess.html',
  },
  checkAccessNotGranted: {
    id: 'CHECK_ACCESS_NOT_GRANTED',
    source: 'policy-check',
    severity: 'error',
    title: 'A policy grants a denied action or resource',
    description:
      'A policy allows an action of input denied-actions, or an action on a resource of input denied-resources: checked with IAM Access Analyzer CheckAccessNotGranted, or offline on the IAM catalogue. The message names what is granted; remove it from the policy, or add a Deny.',
    tags: ['iam', 'security'],
    securitySeverity: '7.0',
    helpUrl:
      'https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckAccessNotGranted.html',
  },
  checkNoNewAccess: {
    id: 'CHECK_NO_NEW_ACCESS',
    source: 'policy-check',
    severity: 'error',
    title: 'A policy allows more than at the base commit',
    description:
      'With check-no-new-access, each policy is compared with its version at the base commit (base-ref): IAM Access Analyzer CheckNoNewAccess, or offline by the action × resource pairs each version allows. The message says what is newly allowed; review the broadening, or ignore the finding for this resource once it is intended.',
    tags: ['iam', 'security'],
    securitySeverity: '5.0',
    helpUrl:
      'https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoNewAccess.html',
  },
  privilegedManagedPolicy: {
    id: 'PRIVILEGED_MANAGED_POLICY',
    source: 'policy-check',
    severity: 'warning',
    title: 'A principal is given a privileged AWS managed policy',
    description:
      'A role, user, group, permission set or SAM function is given AdministratorAccess, IAMFullAccess, PowerUserAccess or full access to a data service (AmazonS3FullAccess, AmazonDynamoDBFullAccess, ...): every action of those services on every resource, including ones added later. Attach a policy with the actions and resources it needs.',
    tags: ['iam', 'security'],
    securitySeverity: '7.5',
    helpUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html',
  },
});
