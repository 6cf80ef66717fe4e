import type pg from 'pg';
import { binaryArray } from '../../db/binary-array.js';
import type { MetricsBatch } from './cycle-changes.js';

/**
 * writeMetrics writes usage metrics (and `last_sync_time`) of the given objects with three
 * batched updates; it never writes an event. Returns the rows updated.
 *
 * Each metric goes to PostgreSQL as one array in the binary format, written straight from the
 * snapshot's packed numbers (binaryArray): no object or string per value.
 */
export async function writeMetrics(
  client: pg.PoolClient,
  clusterId: number,
  batch: MetricsBatch,
): Promise<number> {
  const id = clusterId;
  let updated = 0;
  const { nodes, guests, storages } = batch;
  if (nodes.size > 0) {
    const result = await client.query(
      `update pve_node n set cpu_usage = u.cpu, mem_used = u.mem, disk_used = u.disk, uptime = u.up,
                metrics_updated_at = now(), last_sync_time = now()
           from unnest($2::text[], $3::float8[], $4::int8[], $5::int8[], $6::int8[]) as u(name, cpu, mem, disk, up)
          where n.cluster_id = $1 and n.node_name = u.name`,
      [
        id,
        nodes.metas,
        numbers(nodes.column('cpuUsage')),
        integers(nodes.column('memUsed')),
        integers(nodes.column('diskUsed')),
        integers(nodes.column('uptime')),
      ],
    );
    updated += result.rowCount ?? 0;
  }
  if (guests.size > 0) {
    const result = await client.query(
      `update pve_vm v set cpu_usage = u.cpu, mem_used = u.mem, disk_used = u.disk, net_in = u.nin,
                net_out = u.nout, disk_read = u.dr, disk_write = u.dw, uptime = u.up,
                metrics_updated_at = now(), last_sync_time = now()
           from unnest($2::int[], $3::float8[], $4::int8[], $5::int8[], $6::int8[], $7::int8[], $8::int8[],
                       $9::int8[], $10::int8[]) as u(vmid, cpu, mem, disk, nin, nout, dr, dw, up)
          where v.cluster_id = $1 and v.vmid = u.vmid`,
      [
        id,
        binaryArray(guests.metas, 'int4'),
        numbers(guests.column('cpuUsage')),
        integers(guests.column('memUsed')),
        integers(guests.column('diskUsed')),
        integers(guests.column('netIn')),
        integers(guests.column('netOut')),
        integers(guests.column('diskRead')),
        integers(guests.column('diskWrite')),
        integers(guests.column('uptime')),
      ],
    );
    updated += result.rowCount ?? 0;
  }
  if (storages.size > 0) {
    const result = await client.query(
      `update pve_storage s set total = u.total, used = u.used, avail = u.avail, used_fraction = u.frac,
                metrics_updated_at = now(), last_sync_time = now()
           from unnest($2::text[], $3::text[], $4::int8[], $5::int8[], $6::int8[], $7::float8[])
                as u(node, name, total, used, avail, frac)
          where s.cluster_id = $1 and s.node_name = u.node and s.storage_name = u.name`,
      [
        id,
        storages.metas.map((m) => m.node),
        storages.metas.map((m) => m.name),
        integers(storages.column('total')),
        integers(storages.column('used')),
        integers(storages.column('avail')),
        numbers(storages.column('usedFraction')),
      ],
    );
    updated += result.rowCount ?? 0;
  }
  return updated;
}

/** numbers is a float8[] parameter of `column`; NaN (no value) is NULL. */
function numbers(column: Float64Array): Buffer {
  return binaryArray(column, 'float8');
}

/** integers is an int8[] parameter of `column`, each value rounded; NaN is NULL. */
function integers(column: Float64Array): Buffer {
  return binaryArray(column, 'int8');
}
