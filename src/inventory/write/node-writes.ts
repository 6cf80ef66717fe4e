import type pg from 'pg';
import { nodeFromRow } from '../../db/inventory-records.js';
import type { InventoryChange } from '../../events/inventory-change.js';
import { changedFields, NODE_FIELDS, type NodeState } from '../state.js';
import { nodeEvent } from './change-events.js';
import { type CycleChanges, EMPTY_NODE_USAGE, int } from './cycle-changes.js';

/**
 * writeNodes applies a cycle's node changes (deletions, then one batched upsert) and returns
 * their changes, `previous` read from the rows replaced.
 */
export async function writeNodes(
  client: pg.PoolClient,
  clusterId: number,
  changes: CycleChanges,
): Promise<InventoryChange[]> {
  if (changes.nodes.size === 0) return [];
  const id = clusterId;
  const names = [...changes.nodes.keys()].map((key) => key.slice('node/'.length));
  const { rows } = await client.query(
    'select * from pve_node where cluster_id = $1 and node_name = any($2::text[])',
    [id, names],
  );
  const previous = new Map(
    rows.map((row) => [
      String(row.node_name),
      { record: nodeFromRow(row), hash: String(row.resource_hash) },
    ]),
  );
  const upserts = [...changes.nodes.values()].filter((s): s is NodeState => s !== null);
  const deletes = names.filter((name) => changes.nodes.get(`node/${name}`) === null);
  const events: InventoryChange[] = [];

  if (deletes.length > 0) {
    const deleted = await client.query(
      'delete from pve_node where cluster_id = $1 and node_name = any($2::text[]) returning *',
      [id, deletes],
    );
    for (const row of deleted.rows) {
      const record = nodeFromRow(row);
      events.push(nodeEvent(id, 'DELETED', record, null, []));
    }
  }
  if (upserts.length > 0) {
    const usage = upserts.map((s) => changes.nodeUsage(s.key) ?? EMPTY_NODE_USAGE);
    const written = await client.query(
      `insert into pve_node (cluster_id, node_name, status, ip_address, level, max_cpu, max_mem, max_disk,
                             cpu_usage, mem_used, disk_used, uptime, resource_hash, metrics_updated_at)
       select $1, u.*, now()
         from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int8[], $8::int8[],
                     $9::float8[], $10::int8[], $11::int8[], $12::int8[], $13::text[]) as u
       on conflict (cluster_id, node_name) do update set
         status = excluded.status, ip_address = excluded.ip_address, level = excluded.level,
         max_cpu = excluded.max_cpu, max_mem = excluded.max_mem, max_disk = excluded.max_disk,
         cpu_usage = excluded.cpu_usage, mem_used = excluded.mem_used, disk_used = excluded.disk_used,
         uptime = excluded.uptime, resource_hash = excluded.resource_hash,
         metrics_updated_at = now(), last_sync_time = now(), updated_at = now()
       returning *`,
      [
        id,
        upserts.map((s) => s.name),
        upserts.map((s) => s.status),
        upserts.map((s) => s.ipAddress),
        upserts.map((s) => s.level),
        upserts.map((s) => s.maxCpu),
        upserts.map((s) => int(s.maxMem)),
        upserts.map((s) => int(s.maxDisk)),
        usage.map((u) => u.cpuUsage),
        usage.map((u) => int(u.memUsed)),
        usage.map((u) => int(u.diskUsed)),
        usage.map((u) => int(u.uptime)),
        upserts.map((s) => s.hash),
      ],
    );
    const hashes = new Map(upserts.map((s) => [s.name, s.hash]));
    for (const row of written.rows) {
      const record = nodeFromRow(row);
      const before = previous.get(record.name);
      if (!before) events.push(nodeEvent(id, 'ADDED', record, null, []));
      else if (before.hash !== hashes.get(record.name)) {
        const fields = changedFields(before.record, record, NODE_FIELDS);
        events.push(nodeEvent(id, 'UPDATED', record, before.record, fields));
      }
    }
  }
  return events;
}
