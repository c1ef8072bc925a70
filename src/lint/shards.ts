/** Linux refuses a process whose arguments pass ARG_MAX (2 MiB with the environment): stay well below. */
export const MAX_ARGUMENT_BYTES = 512 * 1024;

/**
 * Split templates into about `wanted` shards balanced by size (largest first onto the lightest
 * shard), at least 4 templates each; long path lists get more shards, so no shard's arguments
 * pass `maxArgumentBytes`.
 */
export function planShards<T extends { size: number; path: string }>(
  items: readonly T[],
  wanted: number,
  perShardMinimum = 4,
  maxArgumentBytes = MAX_ARGUMENT_BYTES,
): T[][] {
  // Each path costs its bytes plus a NUL and an 8-byte pointer; the largest decides the worst case.
  const perPath = items.reduce((max, i) => Math.max(max, Buffer.byteLength(i.path) + 9), 1);
  const cap = Math.max(1, Math.floor(maxArgumentBytes / perPath));
  const byArguments = Math.ceil(items.length / cap);
  const count = Math.max(
    1,
    byArguments,
    Math.min(wanted, Math.floor(items.length / perShardMinimum)),
  );
  const shards = Array.from({ length: count }, () => ({ size: 0, items: [] as T[] }));
  for (const item of [...items].sort((a, b) => b.size - a.size)) {
    const open = shards.filter((s) => s.items.length < cap);
    const lightest = open.reduce((min, s) => (s.size < min.size ? s : min));
    lightest.items.push(item);
    lightest.size += item.size;
  }
  return shards.map((s) => s.items).filter((s) => s.length > 0);
}

/**
 * A forked worker starts in milliseconds, but loads the resource schemas its templates use on first
 * use: a second worker pays off only once there is enough template text to share.
 */
export const BYTES_PER_WORKER = 32 * 1024;

/** How many cfn-lint workers pay off for these templates: never more than the cores. */
export function workerCount(items: readonly { size: number }[], cores: number): number {
  const bytes = items.reduce((sum, i) => sum + i.size, 0);
  return Math.max(1, Math.min(cores, Math.ceil(bytes / BYTES_PER_WORKER)));
}

/**
 * A worker stays for the next shard with what it loaded, so a shard costs next to nothing: small
 * shards keep every worker busy to the end (no last large shard running alone).
 */
export const FORKED_SHARD_BYTES = 48 * 1024;
export const FORKED_SHARD_TEMPLATES = 32;

export function forkedShardCount(items: readonly { size: number }[], workers: number): number {
  const bytes = items.reduce((sum, i) => sum + i.size, 0);
  return Math.max(
    workers,
    Math.ceil(bytes / FORKED_SHARD_BYTES),
    Math.ceil(items.length / FORKED_SHARD_TEMPLATES),
  );
}
