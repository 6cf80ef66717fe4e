import type pg from 'pg';
import { storageFromRow } from '../../db/inventory-records.js';
import type { InventoryChange } from '../../events/inventory-change.js';
import { changedFields, STORAGE_FIELDS, type StorageState } from '../state.js';
import { storageEvent } from './change-events.js';
import { type CycleChanges, EMPTY_STORAGE_USAGE, int } from './cycle-changes.js';

/**
 * writeStorages applies a cycle's storage changes (deletions, then one batched upsert) and
 * returns their changes, `previous` read from the rows replaced.
 */
export async function writeStorages(
  client: pg.PoolClient,
  clusterId: number,
  changes: CycleChanges,
): Promise<InventoryChange[]> {
  if (changes.storages.size === 0) return [];
  const id = clusterId;
  const keys = [...changes.storages.keys()].map(splitStorageKey);
  const { rows } = await client.query(
    `select s.* from pve_storage s join unnest($2::text[], $3::text[]) as k(node, name)
        on s.node_name = k.node and s.storage_name = k.name where s.cluster_id = $1`,
    [id, keys.map((k) => k.node), keys.map((k) => k.name)],
  );
  const previous = new Map(
    rows.map((row) => [
      `${row.node_name}/${row.storage_name}`,
      { record: storageFromRow(row), hash: String(row.resource_hash) },
    ]),
  );
  const events: InventoryChange[] = [];
  const deletes = keys.filter((k) => changes.storages.get(`storage/${k.node}/${k.name}`) === null);
  if (deletes.length > 0) {
    const deleted = await client.query(
      `delete from pve_storage s using unnest($2::text[], $3::text[]) as d(node, name)
        where s.cluster_id = $1 and s.node_name = d.node and s.storage_name = d.name returning s.*`,
      [id, deletes.map((k) => k.node), deletes.map((k) => k.name)],
    );
    for (const row of deleted.rows)
      events.push(storageEvent(id, 'DELETED', storageFromRow(row), null, []));
  }
  const upserts = [...changes.storages.values()].filter((s): s is StorageState => s !== null);
  if (upserts.length > 0) {
    const usage = upserts.map((s) => changes.storageUsage(s.key) ?? EMPTY_STORAGE_USAGE);
    const written = await client.query(
      `insert into pve_storage (cluster_id, node_id, node_name, storage_name, type, content, status, active,
                                enabled, shared, total, used, avail, used_fraction, resource_hash, metrics_updated_at)
       select $1, n.id, u.node, u.name, u.type, u.content, u.status, u.active, u.enabled, u.shared, u.total,
              u.used, u.avail, u.frac, u.hash, now()
         from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int2[], $8::int2[],
                     $9::int2[], $10::int8[], $11::int8[], $12::int8[], $13::float8[], $14::text[])
              as u(node, name, type, content, status, active, enabled, shared, total, used, avail, frac, hash)
         left join pve_node n on n.cluster_id = $1 and n.node_name = u.node
       on conflict (cluster_id, node_name, storage_name) do update set
         node_id = excluded.node_id, type = excluded.type, content = excluded.content, status = excluded.status,
         active = excluded.active, enabled = excluded.enabled, shared = excluded.shared, total = excluded.total,
         used = excluded.used, avail = excluded.avail, used_fraction = excluded.used_fraction,
         resource_hash = excluded.resource_hash, metrics_updated_at = now(), last_sync_time = now(),
         updated_at = now()
       returning *`,
      [
        id,
        upserts.map((s) => s.node),
        upserts.map((s) => s.name),
        upserts.map((s) => s.type),
        upserts.map((s) => s.content.join(',')),
        upserts.map((s) => s.status),
        upserts.map((s) => (s.active ? 1 : 0)),
        upserts.map((s) => (s.enabled ? 1 : 0)),
        upserts.map((s) => (s.shared ? 1 : 0)),
        usage.map((u) => int(u.total)),
        usage.map((u) => int(u.used)),
        usage.map((u) => int(u.avail)),
        usage.map((u) => u.usedFraction),
        upserts.map((s) => s.hash),
      ],
    );
    const hashes = new Map(upserts.map((s) => [`${s.node}/${s.name}`, s.hash]));
    for (const row of written.rows) {
      const record = storageFromRow(row);
      const key = `${record.node}/${record.name}`;
      const before = previous.get(key);
      if (!before) events.push(storageEvent(id, 'ADDED', record, null, []));
      else if (before.hash !== hashes.get(key)) {
        events.push(
          storageEvent(
            id,
            'UPDATED',
            record,
            before.record,
            changedFields(before.record, record, STORAGE_FIELDS),
          ),
        );
      }
    }
  }
  return events;
}

function splitStorageKey(key: string): { node: string; name: string } {
  const rest = key.slice('storage/'.length);
  const slash = rest.indexOf('/');
  return { node: rest.slice(0, slash), name: rest.slice(slash + 1) };
}
