import type { ClusterState } from '../model/cluster-state.js';
import type { SimGuest } from '../model/types.js';
import { encodePerlJson, RawJson } from '../perl-json.js';
import type { Shuffler } from '../prng.js';
import type { Row } from './guest-rows.js';
import { guestResourceRow } from './resource-rows.js';

/** CachedGuestRow is a serialised `/cluster/resources` guest row plus its pool-aggregate inputs. */
export interface CachedGuestRow {
  key: string;
  json: RawJson;
  row: Pick<Row, 'uptime' | 'mem' | 'maxmem' | 'cpu' | 'maxcpu'>;
}

const caches = new WeakMap<ClusterState, Map<number, CachedGuestRow>>();

/**
 * cachedGuestRow returns the serialised full-view row of a guest (every member a PVEAuditor
 * sees), rebuilt only when the guest changed (`rev`), a pvestatd update moved its metrics
 * (running guests), or its node's RRD freshness changed. It keeps a 10,000-guest `/cluster/resources` cheap for pollers; the key
 * order of a row is drawn once per rebuild.
 */
export function cachedGuestRow(
  state: ClusterState,
  guest: SimGuest,
  order: Shuffler,
): CachedGuestRow {
  let cache = caches.get(state);
  if (!cache) {
    cache = new Map();
    caches.set(state, cache);
  }
  const node = state.nodes.get(guest.node);
  // A stopped guest's RRD values do not move between updates: only running rows age per update.
  const epoch = guest.running ? state.rrdEpoch : '-';
  const key = `${guest.rev}/${epoch}/${state.hasRrd(node) ? 1 : 0}/${node?.offlineSince ?? ''}`;
  let entry = cache.get(guest.vmid);
  if (entry?.key !== key) {
    const row = guestResourceRow(state, guest);
    entry = {
      key,
      json: new RawJson(encodePerlJson(row, order)),
      row: {
        uptime: row.uptime,
        mem: row.mem,
        maxmem: row.maxmem,
        cpu: row.cpu,
        maxcpu: row.maxcpu,
      },
    };
    cache.set(guest.vmid, entry);
    if (cache.size > state.guests.size * 2 + 100) prune(cache, state);
  }
  return entry;
}

function prune(cache: Map<number, CachedGuestRow>, state: ClusterState): void {
  for (const vmid of cache.keys()) if (!state.guests.has(vmid)) cache.delete(vmid);
}
