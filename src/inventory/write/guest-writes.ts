import type pg from 'pg';
import { ipAddressFromRow, type VmRecord, vmFromRow } from '../../db/inventory-records.js';
import { TimestampTexts } from '../../db/timestamp-text.js';
import type { InventoryChange } from '../../events/inventory-change.js';
import { packIpAddresses, unpackIpAddresses } from '../packed-ip-addresses.js';
import { changedFields, GUEST_FIELDS, type GuestState } from '../state.js';
import { vmEvent } from './change-events.js';
import {
  type CycleChanges,
  EMPTY_GUEST_USAGE,
  GUEST_CHUNK,
  int,
  type ProgressListener,
} from './cycle-changes.js';

/**
 * writeGuests applies a cycle's guest changes: deletions first (a vmid can be deleted as one type
 * and created as the other in one cycle), then batched upserts in chunks (progress reported for
 * large writes), IP addresses replaced where they changed, `vm_template` kept in step. Returns
 * their changes, `previous` read from the rows replaced.
 */
export async function writeGuests(
  client: pg.PoolClient,
  clusterId: number,
  changes: CycleChanges,
  onProgress?: ProgressListener,
): Promise<InventoryChange[]> {
  if (changes.guests.size === 0) return [];
  const id = clusterId;
  const entries = [...changes.guests.entries()];
  const vmids = entries.map(([key]) => Number(key.slice(key.indexOf('/') + 1)));
  // The rows replaced, each with its addresses (one statement: a round trip less per cycle).
  const { rows } = await client.query(
    `select v.*,
            (select coalesce(json_agg(i order by i.nic_name, i.ip_address), '[]'::json)
               from vm_ipaddress i where i.vm_id = v.id) as ip_rows
       from pve_vm v where v.cluster_id = $1 and v.vmid = any($2::int[])`,
    [id, vmids],
  );
  const previousIps = new Map(
    rows.map((row) => [
      Number(row.id),
      (row.ip_rows as Record<string, unknown>[]).map(ipAddressFromRow),
    ]),
  );
  const previous = new Map(
    rows.map((row) => [
      Number(row.vmid),
      {
        record: vmFromRow(row, previousIps.get(Number(row.id)) ?? []),
        hash: String(row.resource_hash),
      },
    ]),
  );
  const events: InventoryChange[] = [];

  // Deletions first: a vmid can be deleted as one type and created as the other in one cycle.
  const deletes = entries.filter(([, state]) => state === null).map(([key]) => key);
  if (deletes.length > 0) {
    const deleted = await client.query(
      `delete from pve_vm v using unnest($2::text[], $3::int[]) as d(type, vmid)
        where v.cluster_id = $1 and v.vmid = d.vmid and v.type = d.type returning v.*`,
      [
        id,
        deletes.map((key) => key.slice(0, key.indexOf('/'))),
        deletes.map((key) => Number(key.slice(key.indexOf('/') + 1))),
      ],
    );
    for (const row of deleted.rows) {
      const record = vmFromRow(row, previousIps.get(Number(row.id)) ?? []);
      events.push(vmEvent(id, 'DELETED', record, null, []));
    }
  }

  const upserts = entries.map(([, state]) => state).filter((s): s is GuestState => s !== null);
  if (upserts.length > 0) {
    // Written in chunks: bounded statements, and progress to log on a large first sync.
    const rows: Record<string, unknown>[] = [];
    for (let from = 0; from < upserts.length; from += GUEST_CHUNK) {
      rows.push(
        ...(await upsertGuests(
          client,
          clusterId,
          upserts.slice(from, from + GUEST_CHUNK),
          changes,
        )),
      );
      if (upserts.length > GUEST_CHUNK) onProgress?.('vm', rows.length, upserts.length);
    }
    const written = { rows };
    const states = new Map(upserts.map((s) => [s.vmid, s]));
    const rowIds = new Map(written.rows.map((row) => [Number(row.vmid), Number(row.id)]));
    await replaceIpAddresses(client, clusterId, upserts, rowIds, previous);
    await syncTemplates(client, clusterId, upserts, rowIds);
    for (const row of written.rows) {
      const state = states.get(Number(row.vmid))!;
      const record = vmFromRow(row, unpackIpAddresses(state.ipAddresses));
      const before = previous.get(record.vmid);
      if (!before || before.record.type !== record.type) {
        events.push(vmEvent(id, 'ADDED', record, null, []));
      } else if (before.hash !== state.hash) {
        events.push(
          vmEvent(
            id,
            'UPDATED',
            record,
            before.record,
            changedFields(before.record, record, GUEST_FIELDS),
          ),
        );
      }
    }
  }
  // Templates of deleted guests go with them (foreign key cascade).
  return events;
}

/** upsertGuests upserts one chunk of guests; returns their rows as written. */
async function upsertGuests(
  client: pg.PoolClient,
  clusterId: number,
  upserts: GuestState[],
  changes: CycleChanges,
): Promise<Record<string, unknown>[]> {
  const id = clusterId;
  // One JSON document for the chunk (like the event log): PostgreSQL parses it once, and nothing
  // is escaped element by element as 24 array parameters would be. `json_to_recordset`, not the
  // jsonb one: building jsonb's binary tree first cost ~50 ms of PostgreSQL CPU per 10,000 guests.
  const rows = upserts.map((s) => {
    const u = changes.guestUsage(s.key) ?? EMPTY_GUEST_USAGE;
    return {
      vmid: s.vmid,
      node: s.node,
      type: s.type,
      name: s.name,
      status: s.status,
      tpl: s.template ? 1 : 0,
      cpus: s.cpus,
      maxmem: int(s.maxMem),
      maxdisk: int(s.maxDisk),
      tags: s.tags,
      lock: s.lock,
      hastate: s.hastate,
      pool: s.pool,
      descr: s.description,
      agent: s.agentEnabled,
      cpu: u.cpuUsage,
      mem: int(u.memUsed),
      disk: int(u.diskUsed),
      nin: int(u.netIn),
      nout: int(u.netOut),
      dr: int(u.diskRead),
      dw: int(u.diskWrite),
      up: int(u.uptime),
      hash: s.hash,
    };
  });
  // The same statement removes the `vm_template` rows of the guests that are not templates (a
  // guest converted back, or a row edited by hand): no round trip of its own per cycle.
  const written = await client.query(
    `with up as (
     insert into pve_vm (cluster_id, vmid, node_id, node_name, type, vm_name, status, is_template, cpu_num,
                         max_mem, max_disk, tags, lock, hastate, pool, description, agent_enabled,
                         cpu_usage, mem_used, disk_used, net_in, net_out, disk_read, disk_write, uptime,
                         resource_hash, metrics_updated_at)
     select $1, u.vmid, n.id, u.node, u.type, u.name, u.status, u.tpl, u.cpus, u.maxmem, u.maxdisk,
            coalesce(u.tags, '{}'::text[]), u.lock, u.hastate, u.pool, u.descr, u.agent, u.cpu, u.mem,
            u.disk, u.nin, u.nout, u.dr, u.dw, u.up, u.hash, now()
       from json_to_recordset($2::json)
            as u(vmid int, node text, type text, name text, status text, tpl int2, cpus int, maxmem int8,
                 maxdisk int8, tags text[], lock text, hastate text, pool text, descr text, agent bool,
                 cpu float8, mem int8, disk int8, nin int8, nout int8, dr int8, dw int8, up int8, hash text)
       left join pve_node n on n.cluster_id = $1 and n.node_name = u.node
     on conflict (cluster_id, vmid) do update set
       node_id = excluded.node_id, node_name = excluded.node_name, type = excluded.type,
       vm_name = excluded.vm_name, status = excluded.status, is_template = excluded.is_template,
       cpu_num = excluded.cpu_num, max_mem = excluded.max_mem, max_disk = excluded.max_disk,
       tags = excluded.tags, lock = excluded.lock, hastate = excluded.hastate, pool = excluded.pool,
       description = excluded.description, agent_enabled = excluded.agent_enabled,
       cpu_usage = excluded.cpu_usage, mem_used = excluded.mem_used, disk_used = excluded.disk_used,
       net_in = excluded.net_in, net_out = excluded.net_out, disk_read = excluded.disk_read,
       disk_write = excluded.disk_write, uptime = excluded.uptime, resource_hash = excluded.resource_hash,
       metrics_updated_at = now(), last_sync_time = now(), updated_at = now()
     returning id, vmid, last_sync_time, is_template
     ), untemplated as (
       delete from vm_template t using up
        where t.cluster_id = $1 and t.vmid = up.vmid and up.is_template = 0
     )
     select id, vmid, last_sync_time::text as last_sync_time from up`,
    [id, JSON.stringify(rows)],
  );
  // The rows as written, without reading every column back: what was sent plus what PostgreSQL
  // assigned (id, last_sync_time), in the shape vmFromRow reads (the events' payload).
  const sent = new Map(rows.map((row) => [row.vmid, row]));
  // The rows share their now(): one parse (TimestampTexts), one ISO string for all.
  const times = new TimestampTexts();
  return written.rows.map((r) => {
    const u = sent.get(Number(r.vmid))!;
    return {
      id: r.id,
      cluster_id: id,
      vmid: u.vmid,
      node_name: u.node,
      type: u.type,
      vm_name: u.name,
      status: u.status,
      is_template: u.tpl,
      cpu_num: u.cpus,
      max_mem: u.maxmem,
      max_disk: u.maxdisk,
      tags: u.tags ?? [],
      lock: u.lock,
      hastate: u.hastate,
      pool: u.pool,
      description: u.descr,
      agent_enabled: u.agent,
      cpu_usage: u.cpu,
      mem_used: u.mem,
      disk_used: u.disk,
      net_in: u.nin,
      net_out: u.nout,
      disk_read: u.dr,
      disk_write: u.dw,
      uptime: u.up,
      last_sync_time: times.iso(r.last_sync_time as string),
    };
  });
}

/** replaceIpAddresses replaces the addresses of guests whose addresses changed (or that are new). */
async function replaceIpAddresses(
  client: pg.PoolClient,
  clusterId: number,
  upserts: GuestState[],
  rowIds: Map<number, number>,
  previous: Map<number, { record: VmRecord }>,
): Promise<void> {
  const changed = upserts.filter(
    (s) => packIpAddresses(previous.get(s.vmid)?.record.ipAddresses ?? []) !== s.ipAddresses,
  );
  if (changed.length === 0) return;
  const ids = changed.map((s) => rowIds.get(s.vmid)!);
  await client.query('delete from vm_ipaddress where vm_id = any($1::int[])', [ids]);
  const flat = changed.flatMap((s) =>
    unpackIpAddresses(s.ipAddresses).map((ip) => ({ vmId: rowIds.get(s.vmid)!, ip })),
  );
  if (flat.length === 0) return;
  await client.query(
    `insert into vm_ipaddress (vm_id, cluster_id, nic_name, mac_address, ip_address, ip_version, prefix_length, config_nic)
     select u.vm_id, $1, u.nic, u.mac, u.ip, u.version, u.prefix, u.config
       from unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::int2[], $7::int2[], $8::text[])
            as u(vm_id, nic, mac, ip, version, prefix, config)
     on conflict (vm_id, nic_name, ip_address) do nothing`,
    [
      clusterId,
      flat.map((f) => f.vmId),
      flat.map((f) => f.ip.nicName),
      flat.map((f) => f.ip.macAddress),
      flat.map((f) => f.ip.ipAddress),
      flat.map((f) => f.ip.ipVersion),
      flat.map((f) => f.ip.prefixLength),
      flat.map((f) => f.ip.configNic),
    ],
  );
}

/**
 * syncTemplates writes a `vm_template` row per upserted guest that is a template (the upsert
 * itself removed those of the others).
 */
async function syncTemplates(
  client: pg.PoolClient,
  clusterId: number,
  upserts: GuestState[],
  rowIds: Map<number, number>,
): Promise<void> {
  const templates = upserts.filter((s) => s.template);
  if (templates.length === 0) return;
  await client.query(
    `insert into vm_template (cluster_id, vm_id, vmid, template_name, node_name, type, description)
     select $1, u.* from unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[]) as u
     on conflict (cluster_id, vmid) do update set
       vm_id = excluded.vm_id, template_name = excluded.template_name, node_name = excluded.node_name,
       type = excluded.type, description = excluded.description, updated_at = now()`,
    [
      clusterId,
      templates.map((s) => rowIds.get(s.vmid)!),
      templates.map((s) => s.vmid),
      templates.map((s) => s.name ?? `${s.type}-${s.vmid}`),
      templates.map((s) => s.node),
      templates.map((s) => s.type),
      templates.map((s) => s.description),
    ],
  );
}
