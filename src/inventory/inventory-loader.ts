import type { Database } from '../db/database.js';
import {
  type IpAddressRecord,
  ipAddressFromRow,
  nodeFromRow,
  storageFromRow,
  vmFromRow,
} from '../db/inventory-records.js';
import { withPoolClient } from '../db/pool-query.js';
import type { GuestDetails } from './mappers.js';
import { packIpAddresses } from './packed-ip-addresses.js';
import {
  type GuestState,
  type GuestUsage,
  guestStateOf,
  guestUsageOf,
  guestWithHash,
  type NodeState,
  type NodeUsage,
  nodeStateOf,
  nodeUsageOf,
  nodeWithHash,
  type StorageState,
  type StorageUsage,
  sortIpAddresses,
  storageStateOf,
  storageUsageOf,
  storageWithHash,
} from './state.js';

/**
 * StoredInventory is what the database holds for one cluster, as informer states (with their
 * stored `resource_hash`), the usage last written and the guests' details. A sync starts from it,
 * so that after a restart unchanged objects cause no write and no event, and objects that
 * vanished while the server was down are deleted by the first list.
 */
export interface StoredInventory {
  nodes: { state: NodeState; usage: NodeUsage }[];
  guests: { state: GuestState; usage: GuestUsage; details: GuestDetails }[];
  storages: { state: StorageState; usage: StorageUsage }[];
}

/**
 * loadStoredInventory reads a cluster's inventory (four queries, whatever its size). With
 * `verify`, each state's hash is recomputed from the row instead of taken from `resource_hash`,
 * so rows edited behind pvesphere's back (by SQL) differ from PVE's answer and are rewritten: a
 * forced resync repairs them. A plain restart trusts the stored hashes (DESIGN §4).
 */
export async function loadStoredInventory(
  db: Database,
  clusterId: number,
  { verify = false }: { verify?: boolean } = {},
): Promise<StoredInventory> {
  // One client for the four statements: a cluster's load takes one connection, not four. One
  // after another: a client runs one statement at a time anyway, and node-postgres deprecates
  // queueing several on it (a DeprecationWarning at every start; an error in pg 9).
  const [nodes, vms, ips, storages] = await withPoolClient(db.pool, async (client) => [
    await client.query('select * from pve_node where cluster_id = $1', [clusterId]),
    await client.query('select * from pve_vm where cluster_id = $1', [clusterId]),
    await client.query(
      'select * from vm_ipaddress where cluster_id = $1 order by nic_name, ip_address',
      [clusterId],
    ),
    await client.query('select * from pve_storage where cluster_id = $1', [clusterId]),
  ]);
  const ipsByVm = new Map<number, IpAddressRecord[]>();
  for (const row of ips.rows) {
    const list = ipsByVm.get(Number(row.vm_id)) ?? [];
    list.push(ipAddressFromRow(row));
    ipsByVm.set(Number(row.vm_id), list);
  }
  return {
    nodes: nodes.rows.map((row) => {
      const record = nodeFromRow(row);
      const state = nodeStateOf(record, String(row.resource_hash));
      return { state: verify ? nodeWithHash(state) : state, usage: nodeUsageOf(record) };
    }),
    guests: vms.rows.map((row) => {
      const record = vmFromRow(row);
      const ipAddresses = packIpAddresses(sortIpAddresses(ipsByVm.get(Number(row.id)) ?? []));
      const state = guestStateOf({ ...record, ipAddresses }, String(row.resource_hash));
      return {
        state: verify ? guestWithHash(state) : state,
        usage: guestUsageOf(record),
        details: {
          description: state.description,
          agentEnabled: state.agentEnabled,
          ipAddresses,
        },
      };
    }),
    storages: storages.rows.map((row) => {
      const record = storageFromRow(row);
      const state = storageStateOf(record, String(row.resource_hash));
      return {
        state: verify ? storageWithHash(state) : state,
        usage: storageUsageOf(record),
      };
    }),
  };
}
