import type { DataGeneration } from './data-generation.js';

/** A cached HTTP answer. */
export interface CachedResponse {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

interface Entry extends CachedResponse {
  generation: number;
  expiresAt: number;
}

/** ResponseCacheOptions configures a ResponseCache. */
export interface ResponseCacheOptions {
  generation: DataGeneration;
  /** Longest an answer is served when no change was seen (other replicas' writes). @default 2000 */
  ttlMs?: number;
  /** Most answers kept (least recently used dropped first). @default 500 */
  maxEntries?: number;
  /** Largest answer kept, in bytes. @default 1 MiB */
  maxBytes?: number;
  /** Time source (tests). @default Date.now */
  now?: () => number;
}

/**
 * ResponseCache keeps the HTTP answers of GraphQL queries: dashboards post the same `vms(…)` page
 * over and over, while the inventory changes once per poll at most. An answer is served again
 * only while the data generation it was computed in is current and for at most `ttlMs`: any
 * change this process sees (an inventory event, a usage flush, a cluster edit or sync status)
 * makes every cached answer stale at once, so nobody reads from the cache what is older than a
 * change they were told about. What may be cached is decided during execution (see
 * useResponseCacheMarks): queries only, never a mutation, a subscription or a result with
 * errors, and only when no change happened while it ran.
 */
export class ResponseCache {
  readonly #generation: DataGeneration;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  readonly #cacheable = new WeakMap<object, number>();

  constructor(options: ResponseCacheOptions) {
    this.#generation = options.generation;
    this.#ttlMs = options.ttlMs ?? 2_000;
    this.#maxEntries = options.maxEntries ?? 500;
    this.#maxBytes = options.maxBytes ?? 1024 * 1024;
    this.#now = options.now ?? Date.now;
  }

  /** generation is the current data generation (to note at the start of an execution). */
  get generation(): number {
    return this.#generation.value;
  }

  /** size is the number of answers kept. */
  get size(): number {
    return this.#entries.size;
  }

  /** get returns the answer for `key` if it is still current. */
  get(key: string): CachedResponse | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.generation !== this.#generation.value || entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    // Least recently used first in the map: move this one to the end.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry;
  }

  /** markCacheable records that `request` ran a query whose result may be cached. */
  markCacheable(request: object, generationAtStart: number): void {
    this.#cacheable.set(request, generationAtStart);
  }

  /**
   * store keeps the answer to `request` under `key` if its execution was marked cacheable and no
   * change happened since it started; tells whether it did.
   */
  store(key: string, request: object, response: CachedResponse): boolean {
    const generation = this.#cacheable.get(request);
    if (generation === undefined || generation !== this.#generation.value) return false;
    if (response.status !== 200 || response.body.length > this.#maxBytes) return false;
    this.#entries.delete(key);
    this.#entries.set(key, { ...response, generation, expiresAt: this.#now() + this.#ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    return true;
  }
}
