import type { PveClient } from '../proxmox/client.js';
import { PveError } from '../proxmox/errors.js';
import type { KnownGuestDigest, UnchangedGuest } from '../proxmox/normalize/cluster-resources.js';
import type { PveGuest } from '../proxmox/normalize/guest.js';
import type { PveNode } from '../proxmox/normalize/node.js';
import type { PveStorage } from '../proxmox/normalize/storage.js';

/**
 * InventoryList is one complete, successful listing of a cluster. `unlistedNodes` are nodes whose
 * guests and storage could not be listed (per-node strategy: the node is offline and its proxied
 * calls fail with 595); their known guests and storage must be kept, not deleted.
 */
export interface InventoryList {
  nodes: PveNode[];
  guests: PveGuest[];
  storages: PveStorage[];
  unlistedNodes: ReadonlySet<string>;
  /**
   * Guests listed with the very row their known state was made from (only when `list` was given
   * `known`): their usage only. Listed as much as `guests` are.
   */
  unchangedGuests: UnchangedGuest[];
  /** The row digest of each of `guests` (same order) to remember; empty when there are none. */
  guestDigests: readonly number[];
}

/** InventoryLister lists a whole cluster; rejects when the listing is not trustworthy. */
export interface InventoryLister {
  /**
   * list lists the cluster. With `known` (the row digests the caller's states were made from), a
   * lister may report guests whose rows did not change in `unchangedGuests`; without it, every
   * guest is in `guests` (with its digest in `guestDigests` when the lister has them).
   */
  list(signal: AbortSignal, known?: KnownGuestDigest): Promise<InventoryList>;
}

/** NONE_KNOWN knows no digest: every guest row is read in full. */
const NONE_KNOWN: KnownGuestDigest = () => undefined;

/**
 * ClusterResourcesLister lists a cluster with one `GET /cluster/resources` (DESIGN §3): nodes,
 * guests and storage of every node, answered by the node we talk to without proxying, so it
 * works while other nodes are down. Given `known`, it reports unchanged guest rows
 * (PveClient.listClusterResourcesSince).
 */
export class ClusterResourcesLister implements InventoryLister {
  constructor(private readonly client: PveClient) {}

  async list(signal: AbortSignal, known: KnownGuestDigest = NONE_KNOWN): Promise<InventoryList> {
    // Read against no digests, every guest comes in full — with its digest, to remember.
    const listed = await this.client.listClusterResourcesSince(known, { signal });
    return {
      nodes: listed.nodes,
      guests: listed.guests,
      storages: listed.storage,
      unlistedNodes: new Set(),
      unchangedGuests: listed.unchangedGuests,
      guestDigests: listed.guestDigests,
    };
  }
}

/**
 * PerNodeLister lists `/nodes`, then `/nodes/{n}/qemu`, `/lxc` and `/storage` of every node
 * (1 + 3·N requests): the fallback strategy and the benchmark's baseline. A node whose calls fail
 * because it is unreachable (595/596) is reported in `unlistedNodes`; any other failure fails the
 * whole listing (a partial list must never cause deletions).
 */
export class PerNodeLister implements InventoryLister {
  constructor(private readonly client: PveClient) {}

  async list(signal: AbortSignal): Promise<InventoryList> {
    const nodes = await this.client.listNodes({ signal });
    const unlistedNodes = new Set<string>();
    const perNode = await Promise.all(
      nodes.map(async (node) => {
        if (node.status !== 'online') {
          unlistedNodes.add(node.name);
          return { guests: [], storages: [] };
        }
        try {
          const [qemu, lxc, storages] = await Promise.all([
            this.client.listQemu(node.name, { signal }),
            this.client.listLxc(node.name, { signal }),
            this.client.listStorage(node.name, { signal }),
          ]);
          return { guests: [...qemu, ...lxc], storages };
        } catch (err) {
          if (err instanceof PveError && err.code === 'PVE_NODE_UNREACHABLE') {
            unlistedNodes.add(node.name);
            return { guests: [], storages: [] };
          }
          throw err;
        }
      }),
    );
    return {
      nodes,
      guests: perNode.flatMap((n) => n.guests),
      storages: perNode.flatMap((n) => n.storages),
      unlistedNodes,
      // No digests: every guest in full, and any remembered digest is forgotten.
      unchangedGuests: [],
      guestDigests: [],
    };
  }
}

/** createInventoryLister picks the lister of a strategy. */
export function createInventoryLister(
  strategy: 'cluster-resources' | 'per-node',
  client: PveClient,
): InventoryLister {
  return strategy === 'per-node' ? new PerNodeLister(client) : new ClusterResourcesLister(client);
}
