import type pg from 'pg';
import { int, type MetricsBatch } from './cycle-changes.js';

/**
 * writeMetrics writes usage metrics (and `last_sync_time`) of the given objects with three
 * batched updates; it never writes an event. Returns the rows updated.
 */
export async function writeMetrics(
  client: pg.PoolClient,
  clusterId: number,
  batch: MetricsBatch,
): Promise<number> {
  const id = clusterId;
  let updated = 0;
  if (batch.nodes.size > 0) {
    const items = [...batch.nodes.values()];
    const result = await client.query(
      `update pve_node n set cpu_usage = u.cpu, mem_used = u.mem, disk_used = u.disk, uptime = u.up,
                metrics_updated_at = now(), last_sync_time = now()
           from unnest($2::text[], $3::float8[], $4::int8[], $5::int8[], $6::int8[]) as u(name, cpu, mem, disk, up)
          where n.cluster_id = $1 and n.node_name = u.name`,
      [
        id,
        items.map((i) => i.name),
        items.map((i) => i.usage.cpuUsage),
        items.map((i) => int(i.usage.memUsed)),
        items.map((i) => int(i.usage.diskUsed)),
        items.map((i) => int(i.usage.uptime)),
      ],
    );
    updated += result.rowCount ?? 0;
  }
  if (batch.guests.size > 0) {
    const items = [...batch.guests.values()];
    const u = items.map((i) => i.usage);
    const result = await client.query(
      `update pve_vm v set cpu_usage = u.cpu, mem_used = u.mem, disk_used = u.disk, net_in = u.nin,
                net_out = u.nout, disk_read = u.dr, disk_write = u.dw, uptime = u.up,
                metrics_updated_at = now(), last_sync_time = now()
           from unnest($2::int[], $3::float8[], $4::int8[], $5::int8[], $6::int8[], $7::int8[], $8::int8[],
                       $9::int8[], $10::int8[]) as u(vmid, cpu, mem, disk, nin, nout, dr, dw, up)
          where v.cluster_id = $1 and v.vmid = u.vmid`,
      [
        id,
        items.map((i) => i.vmid),
        u.map((x) => x.cpuUsage),
        u.map((x) => int(x.memUsed)),
        u.map((x) => int(x.diskUsed)),
        u.map((x) => int(x.netIn)),
        u.map((x) => int(x.netOut)),
        u.map((x) => int(x.diskRead)),
        u.map((x) => int(x.diskWrite)),
        u.map((x) => int(x.uptime)),
      ],
    );
    updated += result.rowCount ?? 0;
  }
  if (batch.storages.size > 0) {
    const items = [...batch.storages.values()];
    const result = await client.query(
      `update pve_storage s set total = u.total, used = u.used, avail = u.avail, used_fraction = u.frac,
                metrics_updated_at = now(), last_sync_time = now()
           from unnest($2::text[], $3::text[], $4::int8[], $5::int8[], $6::int8[], $7::float8[])
                as u(node, name, total, used, avail, frac)
          where s.cluster_id = $1 and s.node_name = u.node and s.storage_name = u.name`,
      [
        id,
        items.map((i) => i.node),
        items.map((i) => i.name),
        items.map((i) => int(i.usage.total)),
        items.map((i) => int(i.usage.used)),
        items.map((i) => int(i.usage.avail)),
        items.map((i) => i.usage.usedFraction),
      ],
    );
    updated += result.rowCount ?? 0;
  }
  return updated;
}
