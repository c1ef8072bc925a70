// The layers drawn in ARCHITECTURE.md, checked on the sources (static and dynamic imports alike).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/paths.js';

const SRC = path.join(ROOT, 'src');
const STAGES = ['discover', 'parse', 'lint', 'policies', 'guard', 'stateful', 'deploy', 'report'];

/** Folder → the folders of ours it imports. */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const entry of fs.readdirSync(SRC, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const folder = path.relative(SRC, entry.parentPath) || '.';
    const text = fs.readFileSync(file, 'utf8');
    const edges = graph.get(folder) ?? new Set<string>();
    graph.set(folder, edges);
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = path.relative(SRC, path.dirname(path.resolve(entry.parentPath, m[1]!)));
      if (target !== folder) edges.add(target || '.');
    }
  }
  return graph;
}

describe('the layers', () => {
  const graph = folderGraph();

  it('the model imports nothing of ours', () => {
    expect([...graph.get('model')!]).toEqual([]);
  });

  it('each stage imports only the model', () => {
    for (const stage of STAGES) expect([...(graph.get(stage) ?? [])], stage).toEqual(['model']);
  });

  it('one pipeline wires the stages; the entries adapt it and import no stage but report', () => {
    expect([...graph.get('pipeline')!].filter((f) => f === 'entry')).toEqual([]);
    for (const stage of ['discover', 'parse', 'lint', 'policies', 'guard', 'stateful'])
      expect(graph.get('pipeline')!.has(stage), stage).toBe(true);
    const entryImports = [...graph.get('entry')!].sort();
    expect(entryImports.filter((f) => !['model', 'pipeline', 'report'].includes(f))).toEqual([]);
  });

  it('has no cycle between folders', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (folder: string, trail: string[]) => {
      if (state.get(folder) === 'done') return;
      if (state.get(folder) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(folder)), folder].join(' -> '));
        return;
      }
      state.set(folder, 'open');
      for (const next of graph.get(folder) ?? []) visit(next, [...trail, folder]);
      state.set(folder, 'done');
    };
    for (const folder of graph.keys()) visit(folder, []);
    expect(cycles).toEqual([]);
  });
});
