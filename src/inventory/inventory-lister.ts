import type { PveClient } from '../proxmox/client.js';
import { PveError } from '../proxmox/errors.js';
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
}

/** InventoryLister lists a whole cluster; rejects when the listing is not trustworthy. */
export interface InventoryLister {
  list(signal: AbortSignal): Promise<InventoryList>;
}

/**
 * ClusterResourcesLister lists a cluster with one `GET /cluster/resources` (DESIGN §3): nodes,
 * guests and storage of every node, answered by the node we talk to without proxying, so it
 * works while other nodes are down.
 */
export class ClusterResourcesLister implements InventoryLister {
  constructor(private readonly client: PveClient) {}

  async list(signal: AbortSignal): Promise<InventoryList> {
    const { nodes, guests, storage } = await this.client.listClusterResources({ signal });
    return { nodes, guests, storages: storage, unlistedNodes: new Set() };
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
