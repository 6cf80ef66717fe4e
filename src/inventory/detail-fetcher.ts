import { MinHeap } from '../informer/min-heap.js';
import { type Clock, realClock } from '../lib/clock.js';
import { coerceError } from '../lib/coerce-error.js';
import { type Logger, silentLogger } from '../lib/logger.js';
import type { PveClient } from '../proxmox/client.js';
import type { PveInterfacesResult } from '../proxmox/normalize/guest-interfaces.js';
import { type GuestDetails, ipAddressesFromInterfaces } from './mappers.js';
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
  /** Delay before asking again a running guest whose agent did not answer. @default 60 s */
  retryMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Counts fetches by outcome. */
  onFetch?: (outcome: 'ok' | 'unavailable' | 'error', reason: DetailReason) => void;
}

interface Tracked {
  state: GuestState;
  /** When a fetch is due (ms), or undefined when none is scheduled. */
  dueAt: number | undefined;
  reason: DetailReason;
}

/**
 * DetailFetcher keeps the per-guest details current — description and agent flag from the
 * config, IP addresses from the QEMU guest agent or the LXC interfaces call — with as few calls
 * as possible (DESIGN §3): a guest is fetched when it is added, starts, moves or changes, and
 * otherwise refreshed once per `refreshIntervalMs` (running guests only), the refreshes spread
 * evenly over the interval, never in a burst. Guests of offline nodes are not fetched (their
 * calls would fail with 595); templates only need their config. One guest's failure never
 * blocks the others: it is logged and retried at its next refresh.
 */
export class DetailFetcher {
  readonly #options: Omit<DetailFetcherOptions, 'initial'>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #details = new Map<string, GuestDetails>();
  readonly #tracked = new Map<string, Tracked>();
  readonly #heap = new MinHeap<string>();
  readonly #onlineNodes = new Set<string>();
  #wake: (() => void) | undefined;
  #inFlight = 0;

  constructor(options: DetailFetcherOptions) {
    // `initial` is read once here, not kept (it holds every stored guest's details).
    const { initial, ...rest } = options;
    this.#options = rest;
    this.#clock = options.clock ?? realClock;
    this.#logger = options.logger ?? silentLogger;
    for (const [key, details] of initial ?? []) this.#details.set(key, details);
  }

  /** details returns what is known of a guest's details. */
  details(key: string): GuestDetails | undefined {
    return this.#details.get(key);
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
   * already known, at a spread-out time within the refresh interval), gone ones are forgotten.
   */
  track(guests: Iterable<GuestState>): void {
    const seen = new Set<string>();
    const now = this.#clock.now();
    for (const state of guests) {
      seen.add(state.key);
      const tracked = this.#tracked.get(state.key);
      if (tracked) {
        tracked.state = state;
        continue;
      }
      const known = this.#details.has(state.key);
      const entry: Tracked = { state, dueAt: undefined, reason: known ? 'refresh' : 'added' };
      this.#tracked.set(state.key, entry);
      this.#schedule(entry, known ? now + this.#spread(state.key) : now, entry.reason);
    }
    for (const key of [...this.#tracked.keys()]) {
      if (!seen.has(key)) {
        this.#tracked.delete(key);
        this.#details.delete(key);
      }
    }
  }

  /**
   * changed asks for a fetch now because the guest changed in a way its details may follow
   * (started, moved, renamed, retagged, turned into a template).
   */
  changed(before: GuestState, after: GuestState): void {
    const tracked = this.#tracked.get(after.key);
    if (!tracked) return;
    tracked.state = after;
    const relevant =
      before.status !== after.status ||
      before.node !== after.node ||
      before.name !== after.name ||
      before.template !== after.template ||
      before.tags.join(';') !== after.tags.join(';');
    if (relevant) this.#schedule(tracked, this.#clock.now(), 'changed');
  }

  /** run fetches due guests until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const concurrency = this.#options.concurrency ?? 4;
    const running = new Set<Promise<void>>();
    while (!signal.aborted) {
      const next = this.#heap.peek();
      const now = this.#clock.now();
      if (next !== undefined && next.priority <= now && running.size < concurrency) {
        this.#heap.pop();
        const tracked = this.#tracked.get(next.value);
        if (tracked === undefined || tracked.dueAt !== next.priority) continue; // stale entry
        tracked.dueAt = undefined;
        const task = this.#fetch(tracked, signal).finally(() => {
          running.delete(task);
          this.#wake?.();
        });
        running.add(task);
        continue;
      }
      const delay =
        running.size >= concurrency || next === undefined ? 3_600_000 : next.priority - now;
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

  #schedule(tracked: Tracked, at: number, reason: DetailReason): void {
    if (tracked.dueAt !== undefined && tracked.dueAt <= at) return;
    tracked.dueAt = at;
    tracked.reason = reason;
    this.#heap.push(tracked.state.key, at);
    this.#wake?.();
  }

  /** A stable offset within the refresh interval, so refreshes are spread, not bunched. */
  #spread(key: string): number {
    let hash = 2166136261;
    for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
    return (hash >>> 0) % Math.max(1, this.#options.refreshIntervalMs);
  }

  async #fetch(tracked: Tracked, signal: AbortSignal): Promise<void> {
    const { state, reason } = tracked;
    const interval = this.#options.refreshIntervalMs;
    if (!this.#onlineNodes.has(state.node)) {
      // The node does not answer proxied calls; try again when it might.
      this.#schedule(
        tracked,
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
      const before = this.#details.get(state.key);
      const details: GuestDetails = {
        description: fetched.description,
        agentEnabled: fetched.agentEnabled,
        // An agent that does not answer tells nothing about the addresses: keep what we knew.
        ipAddresses: fetched.ipAddresses ?? before?.ipAddresses ?? [],
      };
      this.#details.set(state.key, details);
      if (!before || JSON.stringify(before) !== JSON.stringify(details)) this.#options.onChanged();
      const running = state.status === 'running' && !state.template;
      const retry =
        running && fetched.ipsUnavailable && state.type === 'qemu' && fetched.agentEnabled;
      if (running) {
        const delay = retry ? Math.min(interval, this.#options.retryMs ?? 60_000) : interval;
        this.#schedule(tracked, this.#clock.now() + delay, retry ? 'retry' : 'refresh');
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
      this.#schedule(tracked, this.#clock.now() + interval, 'retry');
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
    return { ipAddresses: running ? undefined : [], ipsUnavailable: running };
  if (result.kind === 'unavailable') return { ipAddresses: undefined, ipsUnavailable: true };
  return { ipAddresses: ipAddressesFromInterfaces(result.interfaces, nics), ipsUnavailable: false };
}
