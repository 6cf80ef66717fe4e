import { readFile } from 'node:fs/promises';

/** HeapGroup is the objects of one kind in a heap snapshot: how many and their own size. */
export interface HeapGroup {
  name: string;
  count: number;
  selfBytes: number;
}

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/**
 * groupOf names the group a heap node belongs to, like DevTools' summary: objects by constructor,
 * strings together, arrays and other internals by their type.
 */
function groupOf(type: string, name: string): string {
  if (type === 'object') return name;
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string')
    return '(string)';
  if (type === 'number' || type === 'bigint') return `(${type})`;
  if (type === 'array') return `(array${name ? ` ${name}` : ''})`;
  if (type === 'closure') return '(closure)';
  if (type === 'code') return '(code)';
  return `(${type})`;
}

/**
 * summarizeHeapSnapshot reads a `.heapsnapshot` and returns its objects grouped by constructor
 * (or kind), largest self size first. Sizes are shallow: what the objects themselves take.
 */
export async function summarizeHeapSnapshot(file: string): Promise<HeapGroup[]> {
  const raw = JSON.parse(await readFile(file, 'utf8')) as RawSnapshot;
  const fields = raw.snapshot.meta.node_fields;
  const types = raw.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, HeapGroup>();
  for (let i = 0; i < raw.nodes.length; i += width) {
    const name = groupOf(types[raw.nodes[i + typeAt]!]!, raw.strings[raw.nodes[i + nameAt]!]!);
    const group = groups.get(name) ?? { name, count: 0, selfBytes: 0 };
    group.count++;
    group.selfBytes += raw.nodes[i + sizeAt]!;
    groups.set(name, group);
  }
  return [...groups.values()].sort((a, b) => b.selfBytes - a.selfBytes);
}

/**
 * heapGrowth compares two summaries: per group, the growth of count and self size from `before`
 * to `after`, largest growth first.
 */
export function heapGrowth(before: readonly HeapGroup[], after: readonly HeapGroup[]): HeapGroup[] {
  const was = new Map(before.map((group) => [group.name, group]));
  return after
    .map((group) => ({
      name: group.name,
      count: group.count - (was.get(group.name)?.count ?? 0),
      selfBytes: group.selfBytes - (was.get(group.name)?.selfBytes ?? 0),
    }))
    .sort((a, b) => b.selfBytes - a.selfBytes);
}
