/** How the deploy stage waits: backoff between polls, a deadline, and a clock tests can drive. */
export interface Poller {
  /** First delay between polls; it grows by half each time up to maxDelayMs. */
  minDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

export const realPoller: Poller = {
  minDelayMs: 2_000,
  maxDelayMs: 15_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
};

export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/**
 * Call `check` until it returns a value, sleeping with backoff in between; throws DeadlineError
 * when the deadline passes first, so a wait can never end in silent success.
 */
export async function pollUntil<T>(
  poller: Poller,
  deadline: number,
  what: string,
  check: () => Promise<T | undefined>,
): Promise<T> {
  let delay = poller.minDelayMs;
  for (;;) {
    const result = await check();
    if (result !== undefined) return result;
    const left = deadline - poller.now();
    if (left <= 0) throw new DeadlineError(`Timed out waiting for ${what}.`);
    await poller.sleep(Math.min(delay, left));
    delay = Math.min(poller.maxDelayMs, Math.ceil(delay * 1.5));
  }
}
