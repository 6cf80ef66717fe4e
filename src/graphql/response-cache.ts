import type { AnswerScope } from './answer-scope.js';
import type { DataGeneration } from './data-generation.js';

/** A cached HTTP answer. */
export interface CachedResponse {
  status: number;
  headers: [string, string][];
  /** The body: bytes, or a string (sent UTF-8 encoded; kept in the cache as bytes). */
  body: Buffer | string;
}

interface Entry extends CachedResponse {
  scope: AnswerScope;
  stamp: number;
  expiresAt: number;
  /** From when a request for it starts a refresh (see claimRefresh); Infinity once claimed. */
  refreshAt: number;
}

/** What an execution marked cacheable depends on, and the state of it when it started. */
interface Mark {
  scope: AnswerScope;
  stamp: number;
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
  /** Source of the refresh points' spread, in [0, 1) (tests). @default Math.random */
  random?: () => number;
}

/**
 * ResponseCache keeps the HTTP answers of GraphQL queries: dashboards post the same `vms(…)` page
 * over and over, while the inventory changes once per poll at most. An answer is served again
 * only while nothing it depends on changed — as far as this process has seen — and for at most
 * `ttlMs`: its {@link AnswerScope} says which changes count (an event of a cluster it reads, a
 * usage flush of such a cluster when it selects usage fields, a cluster write when it reads
 * cluster rows; a query not bound to clusters reads them all), so nobody reads from the cache
 * what is older than a change they were told about, while changes elsewhere leave it served.
 * What may be cached is decided during execution (see useResponseCacheMarks): queries only,
 * never a mutation, a subscription, the cluster list or a result with errors, and only when
 * nothing in its scope changed while it ran.
 *
 * An answer still asked for late in its life is refreshed ahead of its time limit (see
 * {@link ResponseCache.claimRefresh}): the request that finds it past its refresh point is served
 * from memory and runs the query again in the background, whose answer replaces it. So a page a
 * dashboard keeps asking for never expires under its readers — nobody waits for a recompute, and
 * answers stored together are recomputed at spread moments rather than all at once — while an
 * answer nobody asks for still expires, and a change still stales it at once.
 */
export class ResponseCache {
  readonly #generation: DataGeneration;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #entries = new Map<string, Entry>();
  readonly #cacheable = new WeakMap<object, Mark>();

  constructor(options: ResponseCacheOptions) {
    this.#generation = options.generation;
    this.#ttlMs = options.ttlMs ?? 2_000;
    this.#maxEntries = options.maxEntries ?? 500;
    this.#maxBytes = options.maxBytes ?? 1024 * 1024;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  /** stamp is the state of what an answer of `scope` depends on (to note when it starts). */
  stamp(scope: AnswerScope): number {
    return this.#generation.stamp(scope);
  }

  /** size is the number of answers kept. */
  get size(): number {
    return this.#entries.size;
  }

  /** get returns the answer for `key` if it is still current. */
  get(key: string): CachedResponse | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now() || entry.stamp !== this.#generation.stamp(entry.scope)) {
      this.#entries.delete(key);
      return undefined;
    }
    // Least recently used first in the map: move this one to the end.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry;
  }

  /**
   * claimRefresh tells the caller, who was just served `key`'s answer by {@link get}, to run
   * the query again in the background and {@link store} its answer: true once per stored answer,
   * for the first request after its refresh point — a random moment between 70 % and 90 % of
   * the time limit after it was stored — and false before, after, or when `key`
   * holds no answer. A refresh whose answer is not stored (a change during it, an error) is not
   * retried: the kept answer then expires as any other.
   */
  claimRefresh(key: string): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.refreshAt > this.#now()) return false;
    entry.refreshAt = Number.POSITIVE_INFINITY;
    return true;
  }

  /**
   * markCacheable records that `request` ran a query whose result may be cached, with its scope
   * and the {@link ResponseCache.stamp} of that scope when it started.
   */
  markCacheable(request: object, scope: AnswerScope, stampAtStart: number): void {
    this.#cacheable.set(request, { scope, stamp: stampAtStart });
  }

  /**
   * store keeps the answer to `request` under `key` if its execution was marked cacheable and
   * nothing in its scope changed since it started; tells whether it did.
   */
  store(key: string, request: object, response: CachedResponse): boolean {
    const mark = this.#cacheable.get(request);
    if (mark === undefined || mark.stamp !== this.#generation.stamp(mark.scope)) return false;
    if (response.status !== 200 || Buffer.byteLength(response.body) > this.#maxBytes) return false;
    const now = this.#now();
    this.#entries.delete(key);
    this.#entries.set(key, {
      status: response.status,
      headers: response.headers,
      // Kept as bytes: a kept answer is written many times, and a string body would be joined
      // with the headers and UTF-8 encoded again on every write (about a tenth of the server's
      // CPU per cached answer of 24 KB).
      body: typeof response.body === 'string' ? Buffer.from(response.body) : response.body,
      scope: mark.scope,
      stamp: mark.stamp,
      expiresAt: now + this.#ttlMs,
      refreshAt: now + this.#ttlMs * (0.7 + 0.2 * this.#random()),
    });
    while (this.#entries.size > this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    return true;
  }
}
