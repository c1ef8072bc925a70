import {
  child,
  intrinsicName,
  isMap,
  isScalar,
  isSeq,
  resourceTypeOf,
  type MapNode,
  type Position,
  type ScalarNode,
  type TemplateNode,
} from '../model/template.js';
import type { ParsedTemplate } from '../model/template.js';
import type { TemplateResolver } from './resolve.js';
import type { AwsScope } from './resource-names.js';
import { expandSamPolicyTemplate, isSamPolicyTemplate } from './sam-templates.js';

export type PolicyType =
  'IDENTITY_POLICY' | 'RESOURCE_POLICY' | 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';

/** One policy found in a template, before its intrinsic functions are resolved. */
export interface ExtractedPolicy {
  template: ParsedTemplate;
  file: string;
  logicalId: string;
  resourceType: string;
  policyName: string;
  policyType: PolicyType;
  /** Access Analyzer's validatePolicyResourceType, for resource policies that have one. */
  validatePolicyResourceType?: string;
  /** The resource type CheckNoPublicAccess takes, for resource policies it supports. */
  publicAccessResourceType?: string;
  /** The policy only limits what passes (a VPC endpoint policy): it grants nothing. */
  limitsOnly?: boolean;
  /** The resource's Condition, when it is false with these values (it deploys elsewhere). */
  inactiveCondition?: string;
  /** The document as written, or one built from the resource's properties (Lambda permissions). */
  node: TemplateNode;
  start: Position;
  /** Finding codes the resource's Metadata suppresses (`*` for all). */
  suppressed: string[];
  /** Finishes a built document once resolved (a function name becomes its ARN). */
  finish?: (document: unknown, scope: AwsScope) => unknown;
}

/** Where a resource type keeps a policy document. `*` walks every item of a list. */
interface DocumentSpec {
  path: string[];
  policyType: PolicyType;
  validateAs?: string;
  publicAccess?: string;
  limitsOnly?: boolean;
  /** Property (relative to the list item, or to Properties) that names the policy. */
  nameFrom?: string;
}

const TRUST = 'AWS::IAM::AssumeRolePolicyDocument';
const inline: DocumentSpec = {
  path: ['Policies', '*', 'PolicyDocument'],
  policyType: 'IDENTITY_POLICY',
  nameFrom: 'PolicyName',
};
const identity = (nameFrom?: string): DocumentSpec => ({
  path: ['PolicyDocument'],
  policyType: 'IDENTITY_POLICY',
  ...(nameFrom ? { nameFrom } : {}),
});
const resource = (path: string[], publicAccess?: string, validateAs?: string): DocumentSpec => ({
  path,
  policyType: 'RESOURCE_POLICY',
  ...(publicAccess ? { publicAccess } : {}),
  ...(validateAs ? { validateAs } : {}),
});

/** Every resource property that holds a policy document, by resource type. */
export const DOCUMENT_SPECS: Record<string, DocumentSpec[]> = {
  'AWS::IAM::Role': [resource(['AssumeRolePolicyDocument'], TRUST, TRUST), inline],
  'AWS::IAM::User': [inline],
  'AWS::IAM::Group': [inline],
  'AWS::IAM::Policy': [identity('PolicyName')],
  'AWS::IAM::RolePolicy': [identity('PolicyName')],
  'AWS::IAM::GroupPolicy': [identity('PolicyName')],
  'AWS::IAM::UserPolicy': [identity('PolicyName')],
  'AWS::IAM::ManagedPolicy': [identity('ManagedPolicyName')],
  'AWS::SSO::PermissionSet': [
    { path: ['InlinePolicy'], policyType: 'IDENTITY_POLICY', nameFrom: 'Name' },
  ],
  'AWS::S3::BucketPolicy': [resource(['PolicyDocument'], 'AWS::S3::Bucket', 'AWS::S3::Bucket')],
  'AWS::S3::AccessPoint': [resource(['Policy'], 'AWS::S3::AccessPoint', 'AWS::S3::AccessPoint')],
  'AWS::S3::MultiRegionAccessPointPolicy': [
    resource(['Policy'], undefined, 'AWS::S3::MultiRegionAccessPoint'),
  ],
  'AWS::S3Tables::TableBucketPolicy': [resource(['ResourcePolicy'], 'AWS::S3Tables::TableBucket')],
  'AWS::S3Express::AccessPoint': [resource(['Policy'], 'AWS::S3Express::AccessPoint')],
  'AWS::S3Express::BucketPolicy': [resource(['PolicyDocument'], 'AWS::S3Express::DirectoryBucket')],
  'AWS::SQS::QueuePolicy': [resource(['PolicyDocument'], 'AWS::SQS::Queue')],
  'AWS::SNS::TopicPolicy': [resource(['PolicyDocument'], 'AWS::SNS::Topic')],
  'AWS::KMS::Key': [resource(['KeyPolicy'], 'AWS::KMS::Key')],
  'AWS::SecretsManager::ResourcePolicy': [
    resource(['ResourcePolicy'], 'AWS::SecretsManager::Secret'),
  ],
  'AWS::ApiGateway::RestApi': [resource(['Policy'], 'AWS::ApiGateway::RestApi')],
  'AWS::CodeArtifact::Domain': [
    resource(['PermissionsPolicyDocument'], 'AWS::CodeArtifact::Domain'),
  ],
  'AWS::CodeArtifact::Repository': [resource(['PermissionsPolicyDocument'])],
  'AWS::CloudTrail::ResourcePolicy': [resource(['ResourcePolicy'])],
  'AWS::Backup::BackupVault': [resource(['AccessPolicy'], 'AWS::Backup::BackupVault')],
  'AWS::ECR::Repository': [resource(['RepositoryPolicyText'])],
  'AWS::EC2::VPCEndpoint': [{ ...resource(['PolicyDocument']), limitsOnly: true }],
  'AWS::OpenSearchService::Domain': [
    resource(['AccessPolicies'], 'AWS::OpenSearchService::Domain'),
  ],
  'AWS::Elasticsearch::Domain': [resource(['AccessPolicies'])],
  'AWS::Events::EventBus': [resource(['Policy'])],
  'AWS::Logs::ResourcePolicy': [{ ...resource(['PolicyDocument']), nameFrom: 'PolicyName' }],
  'AWS::EFS::FileSystem': [resource(['FileSystemPolicy'], 'AWS::EFS::FileSystem')],
  'AWS::DynamoDB::Table': [
    resource(['ResourcePolicy', 'PolicyDocument'], 'AWS::DynamoDB::Table', 'AWS::DynamoDB::Table'),
    resource(['StreamSpecification', 'ResourcePolicy', 'PolicyDocument'], 'AWS::DynamoDB::Stream'),
  ],
  'AWS::DynamoDB::GlobalTable': [
    resource(
      ['Replicas', '*', 'ResourcePolicy', 'PolicyDocument'],
      'AWS::DynamoDB::Table',
      'AWS::DynamoDB::Table',
    ),
  ],
  'AWS::SageMaker::ModelPackageGroup': [resource(['ModelPackageGroupPolicy'])],
  'AWS::Kinesis::ResourcePolicy': [resource(['ResourcePolicy'], 'AWS::Kinesis::Stream')],
};

/** Types whose policy is built from properties rather than written as a document. */
const BUILT: Record<string, (ctx: BuildContext) => ExtractedPolicy[]> = {
  'AWS::Lambda::Permission': lambdaPermission,
  'AWS::Lambda::LayerVersionPermission': layerPermission,
  'AWS::Events::EventBusPolicy': eventBusPolicy,
  'AWS::Organizations::Policy': organizationsPolicy,
  'AWS::Serverless::Function': samInlinePolicies,
  'AWS::Serverless::StateMachine': samInlinePolicies,
};

/** Every resource type we find policies in, for the docs and tests. */
export const POLICY_RESOURCE_TYPES = [...Object.keys(DOCUMENT_SPECS), ...Object.keys(BUILT)].sort();

interface BuildContext {
  template: ParsedTemplate;
  logicalId: string;
  type: string;
  properties: MapNode;
  suppressed: string[];
  resolver: TemplateResolver;
}

/** Metadata key for per-resource suppression: `iac-action: {ignore-policy-findings: [CODE]}`. */
export const METADATA_KEY = 'iac-action';
export const METADATA_IGNORE = 'ignore-policy-findings';

/**
 * Find every policy in a parsed template. Resources whose `Condition` is false are still read
 * (they deploy in other environments) and carry that condition; list items or documents switched
 * off with `Fn::If` / `AWS::NoValue` are left out.
 */
export function extractPolicies(
  template: ParsedTemplate,
  resolver: TemplateResolver,
): ExtractedPolicy[] {
  const resources = child(template.root, 'Resources');
  if (!isMap(resources)) return [];
  const found: ExtractedPolicy[] = [];
  for (const { key: logicalId, value: resourceNode } of resources.entries) {
    if (!isMap(resourceNode)) continue;
    const typeNode = child(resourceNode, 'Type');
    const type = isScalar(typeNode) ? String(typeNode.value) : '';
    const properties = child(resourceNode, 'Properties');
    if (!isMap(properties) || (!DOCUMENT_SPECS[type] && !BUILT[type])) continue;
    const inactive = inactiveCondition(resourceNode, resolver);
    const suppressed = suppressedCodes(child(resourceNode, 'Metadata'));
    const ctx: BuildContext = { template, logicalId, type, properties, suppressed, resolver };
    const build = BUILT[type];
    const policies = [
      ...(build ? build(ctx) : []),
      ...(DOCUMENT_SPECS[type] ?? []).flatMap((spec) => fromSpec(ctx, spec)),
    ];
    for (const policy of policies)
      found.push(inactive ? { ...policy, inactiveCondition: inactive } : policy);
  }
  return found;
}

/** A managed policy a principal is given by ARN (in SAM, also by name). */
export interface AttachedPolicy {
  template: ParsedTemplate;
  file: string;
  logicalId: string;
  resourceType: string;
  arn: string;
  /** The policy is one of the template's own (a Ref or GetAtt to it), so it is checked as a document. */
  ownPolicy: boolean;
  start: Position;
  suppressed: string[];
  inactiveCondition?: string;
}

/** Where each type lists the managed policies it attaches. */
const ATTACHING: Record<string, string> = {
  'AWS::IAM::Role': 'ManagedPolicyArns',
  'AWS::IAM::User': 'ManagedPolicyArns',
  'AWS::IAM::Group': 'ManagedPolicyArns',
  'AWS::SSO::PermissionSet': 'ManagedPolicies',
  'AWS::Serverless::Function': 'Policies',
  'AWS::Serverless::StateMachine': 'Policies',
};

/** Every managed policy the template's principals are given, resolved to its ARN. */
export function attachedPolicies(
  template: ParsedTemplate,
  resolver: TemplateResolver,
  partition: string,
): AttachedPolicy[] {
  const resources = child(template.root, 'Resources');
  if (!isMap(resources)) return [];
  const found: AttachedPolicy[] = [];
  // The template's own managed policies, also when a principal names one by its ARN.
  const ownArns = new Set(
    resources.entries
      .filter((e) => resourceTypeOf(e.value) === 'AWS::IAM::ManagedPolicy')
      .map((e) => resolver.reference(e.key)),
  );
  for (const { key: logicalId, value: resourceNode } of resources.entries) {
    const type = resourceTypeOf(resourceNode);
    const property = type && ATTACHING[type];
    if (!type || !property) continue;
    const list = chosen(child(child(resourceNode, 'Properties'), property), resolver);
    const items = isSeq(list) ? list.items : list ? [list] : [];
    const inactive = inactiveCondition(resourceNode, resolver);
    for (const item of items) {
      const node = chosen(item, resolver);
      if (!node || (isMap(node) && !intrinsicName(node))) continue; // SAM templates and documents
      const value = resolver.plain(node);
      if (typeof value !== 'string') continue;
      // SAM takes AWS managed policies by name.
      const arn = value.startsWith('arn:') ? value : `arn:${partition}:iam::aws:policy/${value}`;
      const getAtt = child(node, 'Fn::GetAtt');
      const target =
        scalarValue(child(node, 'Ref')) ?? scalarValue(isSeq(getAtt) ? getAtt.items[0] : getAtt);
      found.push({
        template,
        file: template.file,
        logicalId,
        resourceType: type,
        arn,
        ownPolicy:
          ownArns.has(arn) ||
          (typeof target === 'string' && child(resources, target.split('.')[0]!) !== undefined),
        start: node.start,
        suppressed: suppressedCodes(child(resourceNode, 'Metadata')),
        ...(inactive ? { inactiveCondition: inactive } : {}),
      });
    }
  }
  return found;
}

/** The resource's Condition when it is false with these values (it deploys elsewhere). */
function inactiveCondition(
  resource: TemplateNode | undefined,
  resolver: TemplateResolver,
): string | undefined {
  const condition = child(resource, 'Condition');
  return isScalar(condition) && resolver.condition(String(condition.value)) === false
    ? String(condition.value)
    : undefined;
}

function suppressedCodes(metadata: TemplateNode | undefined): string[] {
  const list = child(child(metadata, METADATA_KEY), METADATA_IGNORE);
  const items = isSeq(list) ? list.items : list ? [list] : [];
  return items
    .flatMap((item) => (isScalar(item) ? String(item.value).split(',') : []))
    .map((code) => code.trim())
    .filter(Boolean);
}

/** Follows `Fn::If` in the template's structure to the branch that applies; undefined for NoValue. */
function chosen(
  node: TemplateNode | undefined,
  resolver: TemplateResolver,
): TemplateNode | undefined {
  let current = node;
  for (let depth = 0; current && depth < 20; depth++) {
    const name = intrinsicName(current);
    if (
      name === 'Ref' &&
      isMap(current) &&
      scalarValue(current.entries[0]!.value) === 'AWS::NoValue'
    )
      return undefined;
    if (name !== 'Fn::If' || !isMap(current)) return current;
    const args = current.entries[0]!.value;
    if (!isSeq(args) || args.items.length !== 3) return current;
    const value = resolver.condition(String(scalarValue(args.items[0])));
    // An unknown condition: check the true branch, as the resolver does.
    current = value === false ? args.items[2] : args.items[1];
  }
  return current;
}

function scalarValue(node: TemplateNode | undefined): unknown {
  return isScalar(node) ? node.value : undefined;
}

function fromSpec(ctx: BuildContext, spec: DocumentSpec): ExtractedPolicy[] {
  const out: ExtractedPolicy[] = [];
  const walk = (
    node: TemplateNode | undefined,
    rest: string[],
    owner: TemplateNode,
    label: string,
  ) => {
    const current = chosen(node, ctx.resolver);
    if (!current) return;
    if (rest.length === 0) {
      out.push(policy(ctx, spec, current, nameOf(ctx, owner, spec.nameFrom) ?? label));
      return;
    }
    const [step, ...more] = rest as [string, ...string[]];
    if (step === '*') {
      if (!isSeq(current)) return;
      current.items.forEach((item, index) => {
        const element = chosen(item, ctx.resolver);
        if (element) walk(element, more, element, `${label}[${index}]`);
      });
    } else {
      walk(child(current, step), more, owner, label ? `${label}.${step}` : step);
    }
  };
  walk(ctx.properties, spec.path, ctx.properties, '');
  return out;
}

/**
 * SAM's `Policies` mixes managed policy names, policy templates (`S3ReadPolicy: ...`) and inline
 * documents, alone or in a list; the inline documents and the templates, expanded, are checked.
 */
function samInlinePolicies(ctx: BuildContext): ExtractedPolicy[] {
  const policies = chosen(child(ctx.properties, 'Policies'), ctx.resolver);
  const items = isSeq(policies) ? policies.items : policies ? [policies] : [];
  const found: ExtractedPolicy[] = [];
  items.forEach((item, index) => {
    const document = chosen(item, ctx.resolver);
    if (!isMap(document)) return;
    const name = isSeq(policies) ? `Policies[${index}]` : 'Policies';
    const only = document.entries.length === 1 ? document.entries[0]! : undefined;
    if (only && isSamPolicyTemplate(only.key)) {
      const expanded = expandSamPolicyTemplate(only.key, only.value, only.keyStart);
      if (expanded) found.push(policy(ctx, { policyType: 'IDENTITY_POLICY' }, expanded, only.key));
    } else if (child(document, 'Statement')) {
      found.push(policy(ctx, { policyType: 'IDENTITY_POLICY' }, document, name));
    }
  });
  return found;
}

function nameOf(
  ctx: BuildContext,
  owner: TemplateNode,
  property: string | undefined,
): string | undefined {
  const node = property ? child(owner, property) : undefined;
  if (!node) return undefined;
  const value = ctx.resolver.plain(node);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function policy(
  ctx: BuildContext,
  spec: Pick<DocumentSpec, 'policyType' | 'validateAs' | 'publicAccess' | 'limitsOnly'>,
  node: TemplateNode,
  policyName: string,
  finish?: ExtractedPolicy['finish'],
): ExtractedPolicy {
  return {
    template: ctx.template,
    file: ctx.template.file,
    logicalId: ctx.logicalId,
    resourceType: ctx.type,
    policyName,
    policyType: spec.policyType,
    ...(spec.validateAs ? { validatePolicyResourceType: spec.validateAs } : {}),
    ...(spec.publicAccess ? { publicAccessResourceType: spec.publicAccess } : {}),
    ...(spec.limitsOnly ? { limitsOnly: true } : {}),
    node,
    start: node.start,
    suppressed: ctx.suppressed,
    ...(finish ? { finish } : {}),
  };
}

// Built documents reuse the property nodes, so every part keeps its template position.
function scalar(value: string, at: Position): ScalarNode {
  return { kind: 'scalar', value, start: at, end: at };
}

function map(at: Position, entries: [string, TemplateNode | undefined][]): MapNode {
  return {
    kind: 'map',
    entries: entries
      .filter((e): e is [string, TemplateNode] => e[1] !== undefined)
      .map(([key, value]) => ({ key, keyStart: value.start, value })),
    start: at,
    end: at,
  };
}

function document(at: Position, statement: TemplateNode): MapNode {
  return map(at, [
    ['Version', scalar('2012-10-17', at)],
    ['Statement', { kind: 'seq', items: [statement], start: statement.start, end: statement.end }],
  ]);
}

/** A principal given as one string: `*`, an account, an ARN or a service. */
function principalOf(value: unknown): unknown {
  if (typeof value !== 'string' || value === '*') return value;
  if (/^\d{12}$/.test(value) || value.startsWith('arn:')) return { AWS: value };
  return /\.amazonaws\.com(\.cn)?$|\.aws\.internal$/.test(value)
    ? { Service: value }
    : { AWS: value };
}

/** Replaces Statement[0].Principal (a string) with its JSON form and lets `resourceFor` fix Resource. */
function finishStatement(resourceFor?: (resource: unknown, scope: AwsScope) => unknown) {
  return (doc: unknown, scope: AwsScope): unknown => {
    const statement = (doc as { Statement?: Record<string, unknown>[] } | undefined)
      ?.Statement?.[0];
    if (statement) {
      if ('Principal' in statement) statement.Principal = principalOf(statement.Principal);
      if (resourceFor) statement.Resource = resourceFor(statement.Resource, scope);
    }
    return doc;
  };
}

function conditions(
  props: MapNode,
  operators: Record<string, [string, string][]>,
): MapNode | undefined {
  const blocks: [string, TemplateNode | undefined][] = Object.entries(operators).map(
    ([op, keys]) => {
      const present = keys.filter(([prop]) => child(props, prop));
      return [
        op,
        present.length
          ? map(
              props.start,
              present.map(([prop, key]) => [key, child(props, prop)]),
            )
          : undefined,
      ];
    },
  );
  const result = map(props.start, blocks);
  return result.entries.length ? result : undefined;
}

function lambdaPermission(ctx: BuildContext): ExtractedPolicy[] {
  const p = ctx.properties;
  const statement = map(p.start, [
    ['Effect', scalar('Allow', p.start)],
    ['Principal', child(p, 'Principal')],
    ['Action', child(p, 'Action')],
    ['Resource', child(p, 'FunctionName')],
    [
      'Condition',
      conditions(p, {
        ArnLike: [['SourceArn', 'AWS:SourceArn']],
        StringEquals: [
          ['SourceAccount', 'AWS:SourceAccount'],
          ['PrincipalOrgID', 'aws:PrincipalOrgID'],
          ['FunctionUrlAuthType', 'lambda:FunctionUrlAuthType'],
          ['EventSourceToken', 'lambda:EventSourceToken'],
        ],
      }),
    ],
  ]);
  return [
    policy(
      ctx,
      { policyType: 'RESOURCE_POLICY', publicAccess: 'AWS::Lambda::Function' },
      document(p.start, statement),
      'permission',
      finishStatement((resource, scope) =>
        typeof resource === 'string' ? lambdaFunctionArn(resource, scope) : resource,
      ),
    ),
  ];
}

/**
 * A Lambda permission's FunctionName in any documented form (name, name:alias or version,
 * function:name, account:function:name, region:account:function:name, full ARN) as its ARN.
 */
export function lambdaFunctionArn(functionName: string, scope: AwsScope): string {
  if (functionName.startsWith('arn:')) return functionName;
  // Lambda also takes the region in front of a partial ARN (region:account:function:name).
  const partial = /^(?:(?:([a-z]{2}(?:-[a-z]+)+-\d):)?(\d{12}):)?function:(.+)$/.exec(functionName);
  const region = partial?.[1] ?? scope.region;
  const account = partial?.[2] ?? scope.accountId;
  return `arn:${scope.partition}:lambda:${region}:${account}:function:${partial?.[3] ?? functionName}`;
}

function layerPermission(ctx: BuildContext): ExtractedPolicy[] {
  const p = ctx.properties;
  const statement = map(p.start, [
    ['Effect', scalar('Allow', p.start)],
    ['Principal', child(p, 'Principal')],
    ['Action', child(p, 'Action')],
    ['Resource', child(p, 'LayerVersionArn')],
    ['Condition', conditions(p, { StringEquals: [['OrganizationId', 'aws:PrincipalOrgID']] })],
  ]);
  return [
    policy(
      ctx,
      { policyType: 'RESOURCE_POLICY' },
      document(p.start, statement),
      'permission',
      finishStatement(),
    ),
  ];
}

function eventBusPolicy(ctx: BuildContext): ExtractedPolicy[] {
  const p = ctx.properties;
  const given = child(p, 'Statement');
  const busArn = (resource: unknown, scope: AwsScope) =>
    resource ??
    `arn:${scope.partition}:events:${scope.region}:${scope.accountId}:event-bus/default`;
  if (given) {
    return [
      policy(
        ctx,
        { policyType: 'RESOURCE_POLICY' },
        document(given.start, given),
        nameOf(ctx, p, 'StatementId') ?? 'Statement',
      ),
    ];
  }
  // The older form: Action, Principal (an account or *) and one Condition {Type, Key, Value}.
  const condition = child(p, 'Condition');
  const key = scalarValue(child(condition, 'Key'));
  const value = child(condition, 'Value');
  const statement = map(p.start, [
    ['Effect', scalar('Allow', p.start)],
    ['Principal', child(p, 'Principal')],
    ['Action', child(p, 'Action')],
    [
      'Condition',
      typeof key === 'string' && value
        ? map(condition!.start, [['StringEquals', map(condition!.start, [[key, value]])]])
        : undefined,
    ],
  ]);
  return [
    policy(
      ctx,
      { policyType: 'RESOURCE_POLICY' },
      document(p.start, statement),
      nameOf(ctx, p, 'StatementId') ?? 'statement',
      finishStatement(busArn),
    ),
  ];
}

function organizationsPolicy(ctx: BuildContext): ExtractedPolicy[] {
  const type = scalarValue(child(ctx.properties, 'Type'));
  const content = chosen(child(ctx.properties, 'Content'), ctx.resolver);
  if ((type !== 'SERVICE_CONTROL_POLICY' && type !== 'RESOURCE_CONTROL_POLICY') || !content)
    return [];
  return [
    policy(ctx, { policyType: type }, content, nameOf(ctx, ctx.properties, 'Name') ?? 'Content'),
  ];
}
