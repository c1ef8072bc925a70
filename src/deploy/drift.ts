import type { CloudFormationClient, StackResourceDrift } from '@aws-sdk/client-cloudformation';
import type { DriftEntry, ResourceChangeEntry } from '../model/findings.js';
import { shorten } from '../model/text.js';
import { cloudFormationSdk } from './aws.js';
import { oneLine } from './events.js';
import { MAX_PROPERTY_VALUE_LENGTH, propertyPath } from './preview.js';
import { pollUntil, type Poller } from './wait.js';

/** Drift detection reads every resource of the stack; it gets at most this long. */
export const MAX_DRIFT_WAIT_MS = 5 * 60_000;
/** Pages of drifted resources read at most (100 each). */
const MAX_DRIFT_PAGES = 20;

export type DriftResult =
  | { status: 'detected'; resources: DriftEntry[]; note?: string }
  | { status: 'failed'; reason: string };

/**
 * DetectStackDrift, then DescribeStackDriftDetectionStatus until it finishes (bounded), then the
 * resources that differ from the template, with the properties that differ.
 */
export async function detectDrift(
  client: CloudFormationClient,
  stackName: string,
  poller: Poller,
  deadline: number,
  mask: (text: string) => string,
): Promise<DriftResult> {
  const sdk = await cloudFormationSdk();
  const started = await client.send(new sdk.DetectStackDriftCommand({ StackName: stackName }));
  const id = started.StackDriftDetectionId;
  if (!id) return { status: 'failed', reason: 'DetectStackDrift returned no detection id' };
  const status = await pollUntil(
    poller,
    Math.min(deadline, poller.now() + MAX_DRIFT_WAIT_MS),
    `drift detection of stack ${stackName}`,
    async () => {
      const answer = await client.send(
        new sdk.DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId: id }),
      );
      return answer.DetectionStatus === 'DETECTION_IN_PROGRESS' ? undefined : answer;
    },
  );
  // DETECTION_FAILED still reports the resources it could check; the rest are named as unchecked.
  const note =
    status.DetectionStatus === 'DETECTION_FAILED'
      ? `Drift detection did not check every resource: ${oneLine(status.DetectionStatusReason ?? 'no reason given')}`
      : undefined;
  const drifts: StackResourceDrift[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_DRIFT_PAGES; page++) {
    const answer = await client.send(
      new sdk.DescribeStackResourceDriftsCommand({
        StackName: stackName,
        StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'],
        MaxResults: 100,
        NextToken: token,
      }),
    );
    drifts.push(...(answer.StackResourceDrifts ?? []));
    token = answer.NextToken;
    if (!token) break;
  }
  // Values are masked before they are shortened, so a cut can never leave part of a secret.
  const value = (v: string | undefined) =>
    v === undefined ? undefined : shorten(mask(v), MAX_PROPERTY_VALUE_LENGTH);
  const resources = drifts.map((d): DriftEntry => ({
    logicalId: d.LogicalResourceId ?? '?',
    resourceType: d.ResourceType ?? 'unknown',
    status: d.StackResourceDriftStatus === 'DELETED' ? 'deleted' : 'modified',
    differences: (d.PropertyDifferences ?? []).map((p) => ({
      path: propertyPath(p.PropertyPath ?? ''),
      kind:
        p.DifferenceType === 'ADD'
          ? 'added'
          : p.DifferenceType === 'REMOVE'
            ? 'removed'
            : 'changed',
      ...(p.ExpectedValue !== undefined ? { expected: value(p.ExpectedValue)! } : {}),
      ...(p.ActualValue !== undefined ? { actual: value(p.ActualValue)! } : {}),
    })),
    overwritten: false,
  }));
  return { status: 'detected', resources, ...(note ? { note } : {}) };
}

/**
 * Mark the drifted resources the change set changes: with property values, only where a changed
 * property and a drifted one overlap; without them, any change to the resource.
 */
export function markOverwritten(
  drift: DriftEntry[],
  changes: readonly ResourceChangeEntry[],
): void {
  const byId = new Map(changes.map((c) => [c.logicalId, c]));
  const overlaps = (a: string, b: string) =>
    a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`) || !a || !b;
  for (const resource of drift) {
    const change = byId.get(resource.logicalId);
    if (!change) continue;
    const changed = change.properties?.map((p) => p.path);
    resource.overwritten =
      change.action !== 'modify' ||
      !changed?.length ||
      !resource.differences.length ||
      resource.differences.some((d) => changed.some((path) => overlaps(d.path, path)));
  }
}
