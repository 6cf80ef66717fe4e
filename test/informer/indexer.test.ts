import { describe, expect, it } from 'vitest';
import { DeletedFinalStateUnknown } from '../../src/informer/deleted-final-state-unknown.js';
import { InformerError } from '../../src/informer/errors.js';
import { MemoryIndexer } from '../../src/informer/indexer.js';
import { type Pod, pod, podKey } from './fixtures.js';

interface Tagged {
  name: string;
  tags: string[];
}

const byNode = { node: (p: Pod) => (p.node === undefined ? [] : [p.node]) };

describe('MemoryIndexer', () => {
  it('stores by key and keeps an index current on add, update and delete', () => {
    const indexer = new MemoryIndexer<Pod>(podKey, byNode);
    indexer.add(pod('a', '1', 'pve1'));
    indexer.add(pod('b', '1', 'pve1'));
    expect(indexer.byIndex('node', 'pve1').map(podKey).sort()).toEqual(['a', 'b']);
    indexer.update(pod('b', '2', 'pve2'));
    expect(indexer.indexKeys('node', 'pve1')).toEqual(['a']);
    expect(indexer.indexKeys('node', 'pve2')).toEqual(['b']);
    indexer.delete(pod('a'));
    expect(indexer.listIndexFuncValues('node')).toEqual(['pve2']); // no empty set left behind
    expect(indexer.listKeys()).toEqual(['b']);
    expect(indexer.get(pod('b'))).toEqual(pod('b', '2', 'pve2'));
  });

  it('indexes several values per object; index() is the union over obj’s values', () => {
    const indexer = new MemoryIndexer<Tagged>((t) => t.name, { tag: (t) => t.tags });
    indexer.add({ name: 'vm1', tags: ['prod', 'db'] });
    indexer.add({ name: 'vm2', tags: ['prod'] });
    indexer.add({ name: 'vm3', tags: ['dev', 'db'] });
    expect(indexer.indexKeys('tag', 'db').sort()).toEqual(['vm1', 'vm3']);
    expect(
      indexer
        .index('tag', { name: 'q', tags: ['dev', 'prod'] })
        .map((t) => t.name)
        .sort(),
    ).toEqual(['vm1', 'vm2', 'vm3']);
    indexer.update({ name: 'vm1', tags: ['dev'] });
    expect(indexer.indexKeys('tag', 'db')).toEqual(['vm3']);
    expect(indexer.listIndexFuncValues('tag').sort()).toEqual(['db', 'dev', 'prod']);
  });

  it('deletes by a tombstone’s key', () => {
    const indexer = new MemoryIndexer<Pod>(podKey, byNode);
    indexer.add(pod('a', '1', 'pve1'));
    indexer.delete(new DeletedFinalStateUnknown<Pod>('a', undefined));
    expect(indexer.size).toBe(0);
    expect(indexer.listIndexFuncValues('node')).toEqual([]);
  });

  it('rebuilds items and indexes on replace', () => {
    const indexer = new MemoryIndexer<Pod>(podKey, byNode);
    indexer.add(pod('a', '1', 'pve1'));
    indexer.replace([pod('b', '1', 'pve2')], '7');
    expect(indexer.listKeys()).toEqual(['b']);
    expect(indexer.listIndexFuncValues('node')).toEqual(['pve2']);
  });

  it('throws INDEX_NOT_FOUND for an unknown index and INDEX_CONFLICT for a duplicate', () => {
    const indexer = new MemoryIndexer<Pod>(podKey, byNode);
    expect(() => indexer.byIndex('nope', 'x')).toThrow(InformerError);
    try {
      indexer.indexKeys('nope', 'x');
    } catch (err) {
      expect((err as InformerError).code).toBe('INDEX_NOT_FOUND');
    }
    try {
      indexer.addIndexers(byNode);
    } catch (err) {
      expect((err as InformerError).code).toBe('INDEX_CONFLICT');
    }
    expect.assertions(3);
  });

  it('indexes the objects already stored when an index is added', () => {
    const indexer = new MemoryIndexer<Pod>(podKey);
    indexer.add(pod('a', '1', 'pve1'));
    indexer.addIndexers(byNode);
    expect(indexer.indexKeys('node', 'pve1')).toEqual(['a']);
    expect(Object.keys(indexer.getIndexers())).toEqual(['node']);
  });

  it('wraps a failing key function in KEY_FAILED', () => {
    const indexer = new MemoryIndexer<Pod>(() => {
      throw new Error('no key');
    });
    expect(() => indexer.add(pod('a'))).toThrow(/couldn't create key for object: no key/);
  });
});
