import type { CloudFormationClient, StackEvent } from '@aws-sdk/client-cloudformation';
import { cloudFormationSdk } from './aws.js';

/** Pages read per poll at most: a poll never walks a long stack history. */
const MAX_PAGES = 20;

/** Nested stacks followed at most this deep, and this many per deployment. */
const MAX_NESTING = 5;
const MAX_NESTED_STACKS = 50;

/**
 * Follows a stack's events: DescribeStackEvents answers newest first, so each poll reads pages
 * until it meets an event it has already seen (or the newest one from before the operation), and
 * hands the new ones over oldest first, each exactly once. A nested stack that shows up in the
 * events is followed the same way; its events carry its logical-id path (`Storage/Bucket`).
 */
export class EventStream {
  private readonly seen = new Set<string>();
  private readonly nested = new Map<string, EventStream>();
  /** Every event of this operation, oldest first (a nested stack's after its parent's). */
  readonly events: StackEvent[] = [];

  constructor(
    private readonly client: CloudFormationClient,
    private readonly stackName: string,
    private readonly print: (event: StackEvent) => void,
    /** A nested stack's logical-id path in the root stack; empty for the root. */
    private readonly path = '',
    /** A nested stack's events older than this belong to earlier operations. */
    private readonly since?: Date,
    private readonly counter = { nested: 0 },
  ) {}

  /** Remember the events that happened before the operation, so they are not printed. */
  async start(): Promise<void> {
    for (const event of await this.fetchNew()) this.seen.add(event.EventId ?? '');
  }

  async poll(): Promise<StackEvent[]> {
    const fresh = (await this.fetchNew())
      .reverse()
      .filter((e) => !this.since || !e.Timestamp || e.Timestamp >= this.since);
    const shown: StackEvent[] = [];
    for (const event of fresh) {
      this.seen.add(event.EventId ?? '');
      const own = this.path
        ? { ...event, LogicalResourceId: `${this.path}/${event.LogicalResourceId ?? '?'}` }
        : event;
      shown.push(own);
      this.follow(event);
    }
    for (const child of this.nested.values()) shown.push(...(await child.poll()));
    if (!this.path) {
      for (const event of shown) {
        this.events.push(event);
        this.print(event);
      }
    }
    return shown;
  }

  /** Start following a nested stack once its stack resource names its physical id. */
  private follow(event: StackEvent): void {
    const id = event.PhysicalResourceId;
    if (
      event.ResourceType !== 'AWS::CloudFormation::Stack' ||
      !id ||
      id === event.StackId ||
      this.nested.has(id) ||
      this.path.split('/').length >= MAX_NESTING ||
      this.counter.nested >= MAX_NESTED_STACKS
    )
      return;
    this.counter.nested++;
    const path = `${this.path ? `${this.path}/` : ''}${event.LogicalResourceId ?? '?'}`;
    // Its first event of this operation is no older than the parent's event that revealed it.
    const since = event.Timestamp ? new Date(event.Timestamp.getTime() - 1000) : undefined;
    this.nested.set(id, new EventStream(this.client, id, this.print, path, since, this.counter));
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
  const stack = (e: StackEvent) => e.ResourceType === 'AWS::CloudFormation::Stack';
  const cancelled = (e: StackEvent) => /cancell?ed/i.test(e.ResourceStatusReason ?? '');
  // A nested stack's failed resource says more than "Embedded stack ... failed" of its stack.
  const pick =
    failed.find((e) => !stack(e) && !cancelled(e)) ??
    failed.find((e) => !own(e) && !cancelled(e)) ??
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
