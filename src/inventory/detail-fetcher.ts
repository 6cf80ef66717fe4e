import { type Clock, realClock } from '../lib/clock.js';
import { coerceError } from '../lib/coerce-error.js';
import { type Logger, silentLogger } from '../lib/logger.js';
import type { PveClient } from '../proxmox/client.js';
import type { PveInterfacesResult } from '../proxmox/normalize/guest-interfaces.js';
import { DueHeap, type DueItem } from './due-heap.js';
import { type GuestDetails, ipAddressesFromInterfaces } from './mappers.js';
import { NO_IP_ADDRESSES, type PackedIpAddresses, packIpAddresses } from './packed-ip-addresses.js';
import type { GuestState } from './state.js';

/** Why a guest's details are fetched (for logs and metrics). */
export type DetailReason = 'added' | 'changed' | 'refresh' | 'retry';

/** DetailFetcherOptions configures a DetailFetcher. */
export interface DetailFetcherOptions {
  client: PveClient;
  /** Period over which every running guest's details are refreshed, spread out evenly. */
  refreshIntervalMs: number;
  /** Called when details of some guests changed: the sync writes them with its next cycle. */
  onChanged: () => void;
  /** Details known already (from the database at start). */
  initial?: Iterable<[string, GuestDetails]>;
  /** How many fetches run at once; the client limits its detail calls too. @default 4 */
  concurrency?: number;
  /**
   * Delay before asking again a running guest whose agent did not answer; it doubles with every
   * further unanswered try (up to `refreshIntervalMs`) and is stretched by up to half of itself
   * per guest, so guests that failed together are not retried together. @default 60 s
   */
  retryMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Counts fetches by outcome. */
  onFetch?: (outcome: 'ok' | 'unavailable' | 'error', reason: DetailReason) => void;
}

/**
 * GuestEntry is all the fetcher keeps of one guest, in one object (issue 7: a cached guest must
 * cost little): its state, its details once known — as fields, sharing the state's strings and
 * address list when they are equal — and its place in the schedule.
 */
class GuestEntry implements DueItem {
  /** The guest's current state; undefined while only its stored details are known. */
  state: GuestState | undefined = undefined;
  description: string | null = null;
  agentEnabled: boolean | null = null;
  /** The guest's addresses; undefined until its details are known (then the others are too). */
  ipAddresses: PackedIpAddresses | undefined = undefined;
  /** When a fetch is due: whole ms after the fetcher's epoch (a small integer V8 keeps inline). */
  due = 0;
  /** Its index in the schedule, -1 when no fetch is scheduled (DueHeap). */
  heapIndex = -1;
  reason: DetailReason = 'added';
  /** The track() call that last listed the guest. */
  seen = 0;
  /** Tries in a row whose agent did not answer (the retry delay doubles with each). */
  unanswered = 0;
}

/** hasDetails tells whether an entry's details are known (then it reads as GuestDetails). */
function hasDetails(entry: GuestEntry): entry is GuestEntry & GuestDetails {
  return entry.ipAddresses !== undefined;
}

/**
 * DetailFetcher keeps the per-guest details current — description and agent flag from the
 * config, IP addresses from the QEMU guest agent or the LXC interfaces call — with as few calls
 * as possible (DESIGN §3): a guest is fetched when it is added, starts, moves or changes, and
 * otherwise refreshed once per `refreshIntervalMs` (running guests only), the refreshes spread
 * evenly over the interval, never in a burst. A running VM whose agent does not answer (still
 * booting, or not installed although enabled) is asked again after `retryMs`, then after twice
 * as long each time up to the refresh interval, each guest at its own stretch of the delay, so
 * the agents that failed in one burst (at start) are not retried in bursts every minute. Guests
 * of offline nodes are not fetched (their calls would fail with 595); templates only need their
 * config. One guest's failure never blocks the others: it is logged and retried at its next
 * refresh.
 *
 * It keeps one record per guest (state, details, schedule) in one map; details fetched again and
 * found equal keep the objects already held, so refreshes leave only young garbage.
 */
export class DetailFetcher {
  readonly #options: Omit<DetailFetcherOptions, 'initial'>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #entries = new Map<string, GuestEntry>();
  readonly #schedule = new DueHeap<GuestEntry>();
  readonly #onlineNodes = new Set<string>();
  /** Due times are kept relative to this instant (see GuestEntry.due). */
  readonly #epoch: number;
  #tracks = 0;
  #wake: (() => void) | undefined;
  #inFlight = 0;

  constructor(options: DetailFetcherOptions) {
    // `initial` is read once here, not kept (it holds every stored guest's details).
    const { initial, ...rest } = options;
    this.#options = rest;
    this.#clock = options.clock ?? realClock;
    this.#logger = options.logger ?? silentLogger;
    this.#epoch = this.#clock.now();
    for (const [key, details] of initial ?? []) {
      const entry = new GuestEntry();
      entry.description = details.description;
      entry.agentEnabled = details.agentEnabled;
      entry.ipAddresses = details.ipAddresses;
      this.#entries.set(key, entry);
    }
  }

  /**
   * details returns what is known of a guest's details: a live view of the fetcher's record, to
   * read at once (a later fetch may change it), never to modify.
   */
  details(key: string): GuestDetails | undefined {
    const entry = this.#entries.get(key);
    return entry !== undefined && hasDetails(entry) ? entry : undefined;
  }

  /** inFlight is the number of fetches running now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** setOnlineNodes tells which nodes answer proxied calls. */
  setOnlineNodes(nodes: Iterable<string>): void {
    this.#onlineNodes.clear();
    for (const node of nodes) this.#onlineNodes.add(node);
  }

  /**
   * track follows the current guests: new ones are fetched now (or, for guests whose details are
   * already known, at a spread-out time within the refresh interval), gone ones are forgotten
   * (with their details).
   */
  track(guests: Iterable<GuestState>): void {
    const stamp = ++this.#tracks;
    let listed = 0;
    for (const state of guests) {
      let entry = this.#entries.get(state.key);
      if (entry === undefined) {
        entry = new GuestEntry();
        this.#entries.set(state.key, entry);
      }
      if (entry.seen !== stamp) listed++;
      entry.seen = stamp;
      if (entry.state === state) continue;
      const first = entry.state === undefined;
      this.#adopt(entry, state);
      if (!first) continue;
      const known = hasDetails(entry);
      const now = this.#clock.now();
      this.#at(entry, known ? now + this.#spread(state.key) : now, known ? 'refresh' : 'added');
    }
    if (listed === this.#entries.size) return;
    for (const [key, entry] of this.#entries) {
      if (entry.seen === stamp) continue;
      this.#entries.delete(key);
      this.#schedule.remove(entry);
    }
  }

  /**
   * changed asks for a fetch now because the guest changed in a way its details may follow
   * (started, moved, renamed, retagged, turned into a template).
   */
  changed(before: GuestState, after: GuestState): void {
    const entry = this.#entries.get(after.key);
    if (entry?.state === undefined) return;
    this.#adopt(entry, after);
    const relevant =
      before.status !== after.status ||
      before.node !== after.node ||
      before.name !== after.name ||
      before.template !== after.template ||
      before.tags.join(';') !== after.tags.join(';');
    if (!relevant) return;
    entry.unanswered = 0;
    this.#at(entry, this.#clock.now(), 'changed');
  }

  /** run fetches due guests until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const concurrency = this.#options.concurrency ?? 4;
    const running = new Set<Promise<void>>();
    while (!signal.aborted) {
      const next = this.#schedule.peek();
      const now = this.#clock.now();
      const dueAt = next === undefined ? undefined : this.#epoch + next.due;
      if (next !== undefined && dueAt! <= now && running.size < concurrency) {
        this.#schedule.remove(next);
        const task = this.#fetch(next, signal).finally(() => {
          running.delete(task);
          this.#wake?.();
        });
        running.add(task);
        continue;
      }
      const delay = running.size >= concurrency || dueAt === undefined ? 3_600_000 : dueAt - now;
      await new Promise<void>((resolve) => {
        const done = () => {
          timer.cancel();
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = this.#clock.setTimer(delay, done);
        signal.addEventListener('abort', done, { once: true });
        this.#wake = done;
      });
      this.#wake = undefined;
    }
    await Promise.allSettled(running);
  }

  /** #adopt makes `state` the entry's state, sharing its detail values when they are equal. */
  #adopt(entry: GuestEntry, state: GuestState): void {
    entry.state = state;
    if (!hasDetails(entry)) return;
    // Equal strings, possibly two copies: keep the state's, so one copy is held.
    if (entry.description === state.description) entry.description = state.description;
    if (entry.ipAddresses === state.ipAddresses) entry.ipAddresses = state.ipAddresses;
  }

  /** #at schedules a fetch at `at` (ms, rounded up), unless one is due sooner already. */
  #at(entry: GuestEntry, at: number, reason: DetailReason): void {
    const due = Math.ceil(at - this.#epoch);
    if (entry.heapIndex >= 0 && entry.due <= due) return;
    entry.reason = reason;
    this.#schedule.schedule(entry, due);
    this.#wake?.();
  }

  /** A stable offset within the refresh interval, so refreshes are spread, not bunched. */
  #spread(key: string): number {
    return keyHash(key) % Math.max(1, this.#options.refreshIntervalMs);
  }

  /**
   * #retryDelay is when to ask again a guest whose agent did not answer `unanswered` times in a
   * row: retryMs doubled per earlier try, stretched by a stable per-guest part of up to half of
   * itself, never beyond the refresh interval.
   */
  #retryDelay(key: string, unanswered: number): number {
    const interval = this.#options.refreshIntervalMs;
    const base =
      Math.min(interval, this.#options.retryMs ?? 60_000) * 2 ** Math.min(unanswered - 1, 20);
    const stretch = 1 + (keyHash(key) % 1024) / 2048;
    return Math.min(interval, Math.round(base * stretch));
  }

  async #fetch(entry: GuestEntry, signal: AbortSignal): Promise<void> {
    const state = entry.state!;
    const reason = entry.reason;
    const interval = this.#options.refreshIntervalMs;
    if (!this.#onlineNodes.has(state.node)) {
      // The node does not answer proxied calls; try again when it might.
      this.#at(
        entry,
        this.#clock.now() + Math.min(interval, this.#options.retryMs ?? 60_000),
        'retry',
      );
      return;
    }
    this.#inFlight++;
    try {
      const fetched = await this.#fetchDetails(state, signal);
      const outcome = fetched.ipsUnavailable ? 'unavailable' : 'ok';
      this.#options.onFetch?.(outcome, reason);
      if (this.#entries.get(state.key) !== entry) return; // forgotten meanwhile
      // An agent that does not answer tells nothing about the addresses: keep what we knew.
      const ipAddresses = fetched.ipAddresses ?? entry.ipAddresses ?? NO_IP_ADDRESSES;
      const same =
        hasDetails(entry) &&
        entry.description === fetched.description &&
        entry.agentEnabled === fetched.agentEnabled &&
        entry.ipAddresses === ipAddresses;
      if (!same) {
        // Equal details keep the objects held (shared with the state); changed ones replace them.
        entry.description = fetched.description;
        entry.agentEnabled = fetched.agentEnabled;
        entry.ipAddresses = ipAddresses;
        this.#options.onChanged();
      }
      const running = state.status === 'running' && !state.template;
      const retry =
        running && fetched.ipsUnavailable && state.type === 'qemu' && fetched.agentEnabled;
      entry.unanswered = retry ? entry.unanswered + 1 : 0;
      if (running) {
        const delay = retry ? this.#retryDelay(state.key, entry.unanswered) : interval;
        this.#at(entry, this.#clock.now() + delay, retry ? 'retry' : 'refresh');
      }
    } catch (err) {
      if (signal.aborted) return;
      const error = coerceError(err);
      this.#options.onFetch?.('error', reason);
      if (error.code === 'PVE_NODE_UNREACHABLE') {
        // The node went offline since the last poll: no more calls to it until it is back.
        this.#onlineNodes.delete(state.node);
        this.#logger.debug(
          { vmid: state.vmid, node: state.node },
          'guest details: node unreachable',
        );
      } else {
        this.#logger.warn(
          { vmid: state.vmid, node: state.node, err: error, code: error.code },
          'guest details could not be fetched; keeping what is known',
        );
      }
      this.#at(entry, this.#clock.now() + interval, 'retry');
    } finally {
      this.#inFlight--;
    }
  }

  async #fetchDetails(
    state: GuestState,
    signal: AbortSignal,
  ): Promise<{
    description: string | null;
    agentEnabled: boolean | null;
    ipAddresses: GuestDetails['ipAddresses'] | undefined;
    ipsUnavailable: boolean;
  }> {
    const client = this.#options.client;
    const running = state.status === 'running' && !state.template;
    if (state.type === 'qemu') {
      const config = await client.getQemuConfig(state.node, state.vmid, { signal });
      const nics = config.nets.map((net) => ({ id: net.id, ...(net.mac ? { mac: net.mac } : {}) }));
      const result =
        running && config.agentEnabled
          ? await client.getQemuAgentInterfaces(state.node, state.vmid, { signal })
          : undefined;
      return {
        description: config.description ?? null,
        agentEnabled: config.agentEnabled,
        ...ips(result, nics, running),
      };
    }
    const config = await client.getLxcConfig(state.node, state.vmid, { signal });
    const nics = config.nets.map((net) => ({
      id: net.id,
      ...(net.hwaddr ? { mac: net.hwaddr } : {}),
    }));
    const result = running
      ? await client.getLxcInterfaces(state.node, state.vmid, { signal })
      : undefined;
    return {
      description: config.description ?? null,
      agentEnabled: null,
      ...ips(result, nics, running),
    };
  }
}

function ips(
  result: PveInterfacesResult | undefined,
  nics: { id: string; mac?: string }[],
  running: boolean,
): { ipAddresses: GuestDetails['ipAddresses'] | undefined; ipsUnavailable: boolean } {
  if (result === undefined)
    return { ipAddresses: running ? undefined : NO_IP_ADDRESSES, ipsUnavailable: running };
  if (result.kind === 'unavailable') return { ipAddresses: undefined, ipsUnavailable: true };
  return {
    ipAddresses: packIpAddresses(ipAddressesFromInterfaces(result.interfaces, nics)),
    ipsUnavailable: false,
  };
}

/** keyHash is a stable 32-bit FNV-1a hash of a guest key (spreads schedules per guest). */
function keyHash(key: string): number {
  let hash = 2166136261;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  return hash >>> 0;
}
