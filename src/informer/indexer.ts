import { DeletedFinalStateUnknown } from './deleted-final-state-unknown.js';
import { InformerError } from './errors.js';
import { type KeyFunc, type KeyListerGetter, keyOrThrow, type Store } from './store.js';

/**
 * IndexFunc computes the values an object is indexed under for one named index (for example the
 * node a guest runs on). It may return several values, or none.
 */
export type IndexFunc<T> = (obj: T) => readonly string[];

/** Indexers maps index names to their IndexFunc. */
export type Indexers<T> = Readonly<Record<string, IndexFunc<T>>>;

/**
 * IndexReader is the read side of an Indexer: look-ups by key and by named index. It is what a
 * SharedInformer exposes to its consumers — the cache is written only by the informer.
 */
export interface IndexReader<T> extends KeyListerGetter<T> {
  /** list returns every stored object. */
  list(): T[];
  /** get returns the stored object with obj's key, or undefined. */
  get(obj: T): T | undefined;
  /** size is the number of stored objects. */
  readonly size: number;
  /**
   * index returns the stored objects that share at least one value of index `indexName` with
   * obj. Throws INDEX_NOT_FOUND for an unknown index.
   */
  index(indexName: string, obj: T): T[];
  /** indexKeys returns the keys of the objects indexed under `indexedValue`. */
  indexKeys(indexName: string, indexedValue: string): string[];
  /** listIndexFuncValues returns every value present in index `indexName`. */
  listIndexFuncValues(indexName: string): string[];
  /** byIndex returns the objects indexed under `indexedValue`. */
  byIndex(indexName: string, indexedValue: string): T[];
  /** getIndexers returns the registered index functions. */
  getIndexers(): Indexers<T>;
}

/** Indexer is a Store with named indexes (client-go `Indexer`). */
export interface Indexer<T> extends Store<T>, IndexReader<T> {
  /**
   * addIndexers registers more indexes and indexes the objects already stored. Throws
   * INDEX_CONFLICT if a name is already registered.
   */
  addIndexers(indexers: Indexers<T>): void;
}

/**
 * MemoryIndexer is the in-memory Indexer (client-go's `cache` over a `threadSafeMap`): objects by
 * key plus, per index, value → set of keys, kept up to date on every add, update, delete and
 * replace. JavaScript runs it on one thread, so no locking is needed; callers must treat returned
 * objects as immutable, because they are the stored ones.
 */
export class MemoryIndexer<T> implements Indexer<T> {
  readonly #keyFunc: KeyFunc<T>;
  #items = new Map<string, T>();
  #indexers: Record<string, IndexFunc<T>> = {};
  /** #indices maps index name → indexed value → keys. */
  #indices = new Map<string, Map<string, Set<string>>>();

  constructor(keyFunc: KeyFunc<T>, indexers: Indexers<T> = {}) {
    this.#keyFunc = keyFunc;
    this.addIndexers(indexers);
  }

  get size(): number {
    return this.#items.size;
  }

  add(obj: T): void {
    this.#put(keyOrThrow(this.#keyFunc, obj), obj);
  }

  update(obj: T): void {
    this.#put(keyOrThrow(this.#keyFunc, obj), obj);
  }

  delete(obj: T | DeletedFinalStateUnknown<T>): void {
    const key = obj instanceof DeletedFinalStateUnknown ? obj.key : keyOrThrow(this.#keyFunc, obj);
    const old = this.#items.get(key);
    if (old === undefined) return;
    this.#updateIndices(old, undefined, key);
    this.#items.delete(key);
  }

  replace(list: readonly T[], _resourceVersion: string): void {
    this.#items = new Map();
    for (const name of this.#indices.keys()) this.#indices.set(name, new Map());
    for (const obj of list) this.#put(keyOrThrow(this.#keyFunc, obj), obj);
  }

  resync(): void {
    // Nothing to do: a cache has no notion of redelivery (client-go: "nothing to do").
  }

  list(): T[] {
    return [...this.#items.values()];
  }

  listKeys(): string[] {
    return [...this.#items.keys()];
  }

  get(obj: T): T | undefined {
    return this.#items.get(keyOrThrow(this.#keyFunc, obj));
  }

  getByKey(key: string): T | undefined {
    return this.#items.get(key);
  }

  index(indexName: string, obj: T): T[] {
    const indexFunc = this.#indexFunc(indexName);
    const index = this.#indices.get(indexName)!;
    const keys = new Set<string>();
    for (const value of indexFunc(obj)) {
      for (const key of index.get(value) ?? []) keys.add(key);
    }
    return this.#objects(keys);
  }

  indexKeys(indexName: string, indexedValue: string): string[] {
    this.#indexFunc(indexName);
    return [...(this.#indices.get(indexName)!.get(indexedValue) ?? [])];
  }

  listIndexFuncValues(indexName: string): string[] {
    this.#indexFunc(indexName);
    return [...this.#indices.get(indexName)!.keys()];
  }

  byIndex(indexName: string, indexedValue: string): T[] {
    this.#indexFunc(indexName);
    return this.#objects(this.#indices.get(indexName)!.get(indexedValue) ?? []);
  }

  getIndexers(): Indexers<T> {
    return { ...this.#indexers };
  }

  addIndexers(indexers: Indexers<T>): void {
    const names = Object.keys(indexers);
    for (const name of names) {
      if (name in this.#indexers) {
        throw new InformerError(`indexer conflict: ${name}`, 'INDEX_CONFLICT');
      }
    }
    for (const name of names) {
      const indexFunc = indexers[name]!;
      this.#indexers[name] = indexFunc;
      const index = new Map<string, Set<string>>();
      this.#indices.set(name, index);
      for (const [key, obj] of this.#items) addToIndex(index, indexFunc(obj), key);
    }
  }

  #put(key: string, obj: T): void {
    const old = this.#items.get(key);
    this.#items.set(key, obj);
    this.#updateIndices(old, obj, key);
  }

  #updateIndices(oldObj: T | undefined, newObj: T | undefined, key: string): void {
    for (const name in this.#indexers) {
      const indexFunc = this.#indexers[name]!;
      const index = this.#indices.get(name)!;
      const oldValues = oldObj === undefined ? [] : indexFunc(oldObj);
      const newValues = newObj === undefined ? [] : indexFunc(newObj);
      // The common case (one unchanged value, e.g. a guest staying on its node) touches nothing.
      if (oldValues.length === 1 && newValues.length === 1 && oldValues[0] === newValues[0]) {
        continue;
      }
      for (const value of oldValues) {
        const keys = index.get(value);
        if (keys === undefined) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(value); // don't leak empty sets
      }
      addToIndex(index, newValues, key);
    }
  }

  #indexFunc(indexName: string): IndexFunc<T> {
    const indexFunc = this.#indexers[indexName];
    if (indexFunc === undefined) {
      throw new InformerError(`Index with name ${indexName} does not exist`, 'INDEX_NOT_FOUND');
    }
    return indexFunc;
  }

  #objects(keys: Iterable<string>): T[] {
    const result: T[] = [];
    for (const key of keys) {
      const obj = this.#items.get(key);
      if (obj !== undefined) result.push(obj);
    }
    return result;
  }
}

function addToIndex(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const value of values) {
    let keys = index.get(value);
    if (keys === undefined) {
      keys = new Set();
      index.set(value, keys);
    }
    keys.add(key);
  }
}
