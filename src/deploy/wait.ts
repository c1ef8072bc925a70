/** How the deploy stage waits: backoff between polls, a deadline, and a clock tests can drive. */
export interface Poller {
  /** First delay between polls; it grows by half each time up to maxDelayMs. */
  minDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** Aborted when the run is cancelled (SIGINT / SIGTERM): every wait ends at once. */
  stop?: AbortSignal;
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

/** The run was cancelled while waiting; the message names the signal. */
export class StoppedError extends Error {
  override name = 'StoppedError';
}

export function throwIfStopped(poller: Poller): void {
  const stop = poller.stop;
  if (stop?.aborted) throw new StoppedError(`The run was cancelled (${String(stop.reason)}).`);
}

/** A sleep that ends early when the run is cancelled. */
async function sleepUnlessStopped(poller: Poller, ms: number): Promise<void> {
  const stop = poller.stop;
  if (!stop) return poller.sleep(ms);
  let onAbort = () => {};
  const stopped = new Promise<void>((resolve) => {
    onAbort = resolve;
    stop.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([poller.sleep(ms), stopped]);
  } finally {
    stop.removeEventListener('abort', onAbort);
  }
}

/**
 * Call `check` until it returns a value, sleeping with backoff in between; throws DeadlineError
 * when the deadline passes first, so a wait can never end in silent success, and StoppedError
 * when the run is cancelled.
 */
export async function pollUntil<T>(
  poller: Poller,
  deadline: number,
  what: string,
  check: () => Promise<T | undefined>,
): Promise<T> {
  let delay = poller.minDelayMs;
  for (;;) {
    throwIfStopped(poller);
    const result = await check();
    if (result !== undefined) return result;
    const left = deadline - poller.now();
    if (left <= 0) throw new DeadlineError(`Timed out waiting for ${what}.`);
    await sleepUnlessStopped(poller, Math.min(delay, left));
    delay = Math.min(poller.maxDelayMs, Math.ceil(delay * 1.5));
  }
}
