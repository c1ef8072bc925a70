/**
 * Split templates over a few cfn-lint processes, balanced by size (largest first onto the lightest
 * shard). Each process costs about a second to start, so small runs stay in one process.
 */
export function planShards<T extends { size: number }>(
  items: readonly T[],
  cores: number,
  perShardMinimum = 4,
): T[][] {
  const count = Math.max(1, Math.min(cores, Math.floor(items.length / perShardMinimum)));
  const shards = Array.from({ length: count }, () => ({ size: 0, items: [] as T[] }));
  for (const item of [...items].sort((a, b) => b.size - a.size)) {
    const lightest = shards.reduce((min, s) => (s.size < min.size ? s : min));
    lightest.items.push(item);
    lightest.size += item.size;
  }
  return shards.map((s) => s.items).filter((s) => s.length > 0);
}
