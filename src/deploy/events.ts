import type { CloudFormationClient, StackEvent } from '@aws-sdk/client-cloudformation';
import { cloudFormationSdk } from './aws.js';

/** Pages read per poll at most: a poll never walks a long stack history. */
const MAX_PAGES = 20;

/**
 * Follows a stack's events: DescribeStackEvents answers newest first, so each poll reads pages
 * until it meets an event it has already seen (or the newest one from before the operation), and
 * hands the new ones over oldest first, each exactly once.
 */
export class EventStream {
  private readonly seen = new Set<string>();
  /** Every event of this operation, oldest first. */
  readonly events: StackEvent[] = [];

  constructor(
    private readonly client: CloudFormationClient,
    private readonly stackName: string,
    private readonly print: (event: StackEvent) => void,
  ) {}

  /** Remember the events that happened before the operation, so they are not printed. */
  async start(): Promise<void> {
    for (const event of await this.fetchNew()) this.seen.add(event.EventId ?? '');
  }

  async poll(): Promise<StackEvent[]> {
    const fresh = (await this.fetchNew()).reverse();
    for (const event of fresh) {
      this.seen.add(event.EventId ?? '');
      this.events.push(event);
      this.print(event);
    }
    return fresh;
  }

  /** Events newer than anything seen, newest first. */
  private async fetchNew(): Promise<StackEvent[]> {
    const sdk = await cloudFormationSdk();
    const fresh: StackEvent[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      let answer;
      try {
        answer = await this.client.send(
          new sdk.DescribeStackEventsCommand({ StackName: this.stackName, NextToken: token }),
        );
      } catch (error) {
        if (isMissingStack(error)) return fresh;
        throw error;
      }
      for (const event of answer.StackEvents ?? []) {
        if (this.seen.has(event.EventId ?? '')) return fresh;
        fresh.push(event);
      }
      token = answer.NextToken;
      if (!token) break;
    }
    return fresh;
  }
}

/** One log line per event: time, resource, type, status and reason. */
export function formatEvent(event: StackEvent): string {
  const time = event.Timestamp ? new Date(event.Timestamp).toISOString().slice(11, 19) : '--:--:--';
  const reason = event.ResourceStatusReason ? ` ${oneLine(event.ResourceStatusReason)}` : '';
  return `${time} ${event.LogicalResourceId ?? '?'} ${event.ResourceType ?? ''} ${event.ResourceStatus ?? ''}${reason}`;
}

/**
 * The resource that made the operation fail: the oldest failed resource event whose reason is
 * not a knock-on cancellation; the stack's own failure event only when no resource failed.
 */
export function firstFailure(
  events: readonly StackEvent[],
  stackName: string,
): { logicalId: string; reason: string } | undefined {
  const failed = events.filter((e) => /FAILED$/.test(e.ResourceStatus ?? ''));
  const own = (e: StackEvent) =>
    e.ResourceType === 'AWS::CloudFormation::Stack' && e.LogicalResourceId === stackName;
  const pick =
    failed.find((e) => !own(e) && !/cancell?ed/i.test(e.ResourceStatusReason ?? '')) ??
    failed.find((e) => !own(e)) ??
    failed[0];
  return pick
    ? {
        logicalId: pick.LogicalResourceId ?? stackName,
        reason: oneLine(pick.ResourceStatusReason ?? 'no reason given'),
      }
    : undefined;
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function isMissingStack(error: unknown): boolean {
  return error instanceof Error && /does not exist/i.test(error.message);
}
