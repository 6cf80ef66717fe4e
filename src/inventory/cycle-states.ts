import type { DetailFetcher } from './detail-fetcher.js';
import type { InventoryList } from './inventory-lister.js';
import type { InventoryUsage } from './inventory-usage.js';
import {
  guestStateFromPve,
  guestStateWithDetails,
  guestUsageFromPve,
  nodeStateFromPve,
  nodeUsageFromPve,
  storageStateFromPve,
  storageUsageFromPve,
} from './mappers.js';
import {
  type GuestState,
  guestKey,
  type NodeState,
  nodeKey,
  type StorageState,
  storageKey,
} from './state.js';

/**
 * UnknownUnchangedGuestError: a listing reported a guest unchanged that the informers do not
 * hold — the row digests remembered and the known states disagree (a bug; the cycle fails, and
 * the next poll reads every row in full).
 */
export class UnknownUnchangedGuestError extends Error {
  readonly code = 'UNKNOWN_UNCHANGED_GUEST';
  constructor(key: string) {
    super(`the listing reported guest ${key} unchanged, but it is not known`);
    this.name = 'UnknownUnchangedGuestError';
  }
}

/** KnownInventory is what the informers hold before a cycle (their caches). */
export interface KnownInventory {
  node(key: string): NodeState | undefined;
  guest(key: string): GuestState | undefined;
  storage(key: string): StorageState | undefined;
  nodes(): NodeState[];
  guests(): GuestState[];
  storages(): StorageState[];
}

/** CycleStates are a listing mapped to inventory states, ready to push into the informers. */
export interface CycleStates {
  nodes: NodeState[];
  guests: GuestState[];
  storages: StorageState[];
  /** Guests whose state changed, with their state before: their details may follow. */
  changedGuests: [before: GuestState, after: GuestState][];
  /**
   * Every guest listed in full, by key, with its row digest (undefined when the listing had none:
   * a parsed answer, the per-node strategy): what to remember — or forget — once the states are
   * applied and written, for the next poll to skip rows that did not change.
   */
  guestDigests: Map<string, number | undefined>;
}

/**
 * buildCycleStates maps one listing to inventory states, each merged with what is known of it
 * (a guest of an offline node keeps its last name and sizes; node IPs come from
 * `/cluster/status`; guest details from the DetailFetcher), and records every object's current
 * usage. Nodes that could not be listed (per-node strategy) keep their known guests, as
 * `unknown`, and their storage.
 */
export function buildCycleStates(
  list: InventoryList,
  known: KnownInventory,
  details: Pick<DetailFetcher, 'details'>,
  nodeIps: ReadonlyMap<string, string>,
  usage: InventoryUsage,
): CycleStates {
  const nodes = list.nodes.map((node) => {
    const state = nodeStateFromPve(
      node,
      nodeIps.get(node.name) ?? null,
      known.node(nodeKey(node.name)),
    );
    usage.nodes.set(state.key, nodeUsageFromPve(node), node.name);
    return state;
  });
  const changedGuests: [GuestState, GuestState][] = [];
  const guestDigests = new Map<string, number | undefined>();
  const guests = list.guests.map((guest, i) => {
    const key = guestKey(guest.type, guest.vmid);
    const before = known.guest(key);
    const state = guestStateFromPve(guest, details.details(key), before);
    if (before && before.hash !== state.hash) changedGuests.push([before, state]);
    if (guest.usage) usage.guests.set(key, guestUsageFromPve(guest), guest.vmid);
    guestDigests.set(state.key, list.guestDigests[i]);
    return state;
  });
  // Rows that are what the known states were made from: the known state, with any new details.
  for (const row of list.unchangedGuests) {
    const key = guestKey(row.type, row.vmid);
    const before = known.guest(key);
    if (!before) throw new UnknownUnchangedGuestError(key);
    const state = guestStateWithDetails(before, details.details(key));
    if (state.hash !== before.hash) changedGuests.push([before, state]);
    if (row.usage) usage.guests.set(key, guestUsageFromPve(row), row.vmid);
    guests.push(state);
  }
  const storages = list.storages.map((storage) => {
    const state = storageStateFromPve(
      storage,
      known.storage(storageKey(storage.node, storage.storage)),
    );
    usage.storages.set(state.key, storageUsageFromPve(storage), {
      node: state.node,
      name: state.name,
    });
    return state;
  });
  if (list.unlistedNodes.size > 0) {
    const listedGuests = new Set(guests.map((g) => g.key));
    for (const guest of known.guests()) {
      if (!list.unlistedNodes.has(guest.node) || listedGuests.has(guest.key)) continue;
      const unknown = {
        vmid: guest.vmid,
        type: guest.type,
        node: guest.node,
        status: 'unknown',
        tags: guest.tags,
      };
      guests.push(guestStateFromPve(unknown, details.details(guest.key), guest));
    }
    const listedStorages = new Set(storages.map((s) => s.key));
    for (const storage of known.storages()) {
      if (list.unlistedNodes.has(storage.node) && !listedStorages.has(storage.key))
        storages.push(storage);
    }
  }
  return { nodes, guests, storages, changedGuests, guestDigests };
}

/**
 * detailCycleStates are the states of a cycle that only merges guest details that changed since
 * the last poll: the known nodes and storage as they are, every known guest with its current
 * details (guestStateWithDetails). No listing is kept between polls for this (a listing of every
 * guest, with its usage numbers, cost about 0.45 KiB per guest).
 */
export function detailCycleStates(
  known: KnownInventory,
  details: Pick<DetailFetcher, 'details'>,
): CycleStates {
  const changedGuests: [GuestState, GuestState][] = [];
  const guests = known.guests().map((before) => {
    const state = guestStateWithDetails(before, details.details(before.key));
    if (state.hash !== before.hash) changedGuests.push([before, state]);
    return state;
  });
  return {
    nodes: known.nodes(),
    guests,
    storages: known.storages(),
    changedGuests,
    guestDigests: new Map(),
  };
}
