import type pg from 'pg';
import type { Database } from '../db/database.js';
import {
  type IpAddressRecord,
  ipAddressFromRow,
  type NodeRecord,
  nodeFromRow,
  type StorageRecord,
  storageFromRow,
  type VmRecord,
  vmFromRow,
} from '../db/inventory-records.js';
import { appendEvents, lockEventSequence } from '../events/event-log.js';
import type { InventoryChange, InventoryEvent } from '../events/inventory-change.js';
import {
  changedFields,
  GUEST_FIELDS,
  type GuestState,
  type GuestUsage,
  NODE_FIELDS,
  type NodeState,
  type NodeUsage,
  STORAGE_FIELDS,
  type StorageState,
  type StorageUsage,
} from './state.js';

/**
 * CycleChanges are the changes one poll cycle found, per kind: key → new state, or null for a
 * deletion. Usage lookups give the current metrics of the upserted objects, written with them.
 */
export interface CycleChanges {
  nodes: ReadonlyMap<string, NodeState | null>;
  guests: ReadonlyMap<string, GuestState | null>;
  storages: ReadonlyMap<string, StorageState | null>;
  nodeUsage(key: string): NodeUsage | undefined;
  guestUsage(key: string): GuestUsage | undefined;
  storageUsage(key: string): StorageUsage | undefined;
}

/** MetricsBatch is the usage to write for objects whose metrics changed since the last flush. */
export interface MetricsBatch {
  nodes: ReadonlyMap<string, { name: string; usage: NodeUsage }>;
  guests: ReadonlyMap<string, { vmid: number; usage: GuestUsage }>;
  storages: ReadonlyMap<string, { node: string; name: string; usage: StorageUsage }>;
}

/** Guests per upsert statement. */
const GUEST_CHUNK = 2000;

/** ProgressListener hears how far a large write has got (rows written of the total). */
export type ProgressListener = (kind: 'vm', written: number, total: number) => void;

const EMPTY_NODE_USAGE: NodeUsage = { cpuUsage: null, memUsed: null, diskUsed: null, uptime: null };
const EMPTY_GUEST_USAGE: GuestUsage = {
  cpuUsage: null,
  memUsed: null,
  diskUsed: null,
  netIn: null,
  netOut: null,
  diskRead: null,
  diskWrite: null,
  uptime: null,
};
const EMPTY_STORAGE_USAGE: StorageUsage = {
  total: null,
  used: null,
  avail: null,
  usedFraction: null,
};

/**
 * InventoryWriter writes one cluster's poll cycles to PostgreSQL. Each cycle is one transaction:
 * it reads the rows it replaces (they become the events' `previous`), applies deletions, then
 * batched upserts by natural key (one statement per table, with array parameters), replaces
 * changed guests' IP addresses, keeps `vm_template` in step, and appends the `inventory_event`
 * rows — a transactional outbox. The events it returns are committed; publish them then.
 * A cycle with no changes writes nothing.
 */
export class InventoryWriter {
  readonly #db: Database;
  readonly #clusterId: number;

  readonly #onProgress: ProgressListener | undefined;

  constructor(options: { db: Database; clusterId: number; onProgress?: ProgressListener }) {
    this.#db = options.db;
    this.#clusterId = options.clusterId;
    this.#onProgress = options.onProgress;
  }

  /** write applies a cycle's changes in one transaction; resolves with the committed events. */
  async write(changes: CycleChanges): Promise<InventoryEvent[]> {
    if (changes.nodes.size + changes.guests.size + changes.storages.size === 0) return [];
    return this.#db.transaction(async (client) => {
      // Take the event lock first: it orders this transaction's sequences after every
      // transaction that already holds it, and is released at commit.
      await lockEventSequence(client);
      const events: InventoryChange[] = [];
      events.push(...(await this.#writeNodes(client, changes)));
      events.push(...(await this.#writeGuests(client, changes)));
      events.push(...(await this.#writeStorages(client, changes)));
      return appendEvents(client, order(events));
    });
  }

  /**
   * flushMetrics writes usage metrics (and `last_sync_time`) of the given objects in one
   * transaction of three batched updates; it never writes an event. Returns the rows updated.
   */
  async flushMetrics(batch: MetricsBatch): Promise<number> {
    if (batch.nodes.size + batch.guests.size + batch.storages.size === 0) return 0;
    const id = this.#clusterId;
    return this.#db.transaction(async (client) => {
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
    });
  }

  async #writeNodes(client: pg.PoolClient, changes: CycleChanges): Promise<InventoryChange[]> {
    if (changes.nodes.size === 0) return [];
    const id = this.#clusterId;
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

  async #writeGuests(client: pg.PoolClient, changes: CycleChanges): Promise<InventoryChange[]> {
    if (changes.guests.size === 0) return [];
    const id = this.#clusterId;
    const entries = [...changes.guests.entries()];
    const vmids = entries.map(([key]) => Number(key.slice(key.indexOf('/') + 1)));
    const { rows } = await client.query(
      'select * from pve_vm where cluster_id = $1 and vmid = any($2::int[])',
      [id, vmids],
    );
    const previousIps = await loadIpAddresses(
      client,
      rows.map((row) => Number(row.id)),
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
          ...(await this.#upsertGuests(client, upserts.slice(from, from + GUEST_CHUNK), changes)),
        );
        if (upserts.length > GUEST_CHUNK) this.#onProgress?.('vm', rows.length, upserts.length);
      }
      const written = { rows };
      const states = new Map(upserts.map((s) => [s.vmid, s]));
      const rowIds = new Map(written.rows.map((row) => [Number(row.vmid), Number(row.id)]));
      await this.#replaceIpAddresses(client, upserts, rowIds, previous);
      await this.#syncTemplates(client, upserts, rowIds);
      for (const row of written.rows) {
        const state = states.get(Number(row.vmid))!;
        const record = vmFromRow(row, state.ipAddresses);
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

  /** Upserts one chunk of guests; returns their rows as written. */
  async #upsertGuests(
    client: pg.PoolClient,
    upserts: GuestState[],
    changes: CycleChanges,
  ): Promise<Record<string, unknown>[]> {
    const id = this.#clusterId;
    const usage = upserts.map((s) => changes.guestUsage(s.key) ?? EMPTY_GUEST_USAGE);
    const written = await client.query(
      `insert into pve_vm (cluster_id, vmid, node_id, node_name, type, vm_name, status, is_template, cpu_num,
                           max_mem, max_disk, tags, lock, hastate, pool, description, agent_enabled,
                           cpu_usage, mem_used, disk_used, net_in, net_out, disk_read, disk_write, uptime,
                           resource_hash, metrics_updated_at)
       select $1, u.vmid, n.id, u.node, u.type, u.name, u.status, u.tpl, u.cpus, u.maxmem, u.maxdisk,
              case when u.tags = '' then '{}'::text[] else string_to_array(u.tags, ';') end,
              u.lock, u.hastate, u.pool, u.descr, u.agent, u.cpu, u.mem, u.disk, u.nin, u.nout, u.dr, u.dw,
              u.up, u.hash, now()
         from unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int2[], $8::int[],
                     $9::int8[], $10::int8[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
                     $16::bool[], $17::float8[], $18::int8[], $19::int8[], $20::int8[], $21::int8[],
                     $22::int8[], $23::int8[], $24::int8[], $25::text[])
              as u(vmid, node, type, name, status, tpl, cpus, maxmem, maxdisk, tags, lock, hastate, pool, descr,
                   agent, cpu, mem, disk, nin, nout, dr, dw, up, hash)
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
       returning *`,
      [
        id,
        upserts.map((s) => s.vmid),
        upserts.map((s) => s.node),
        upserts.map((s) => s.type),
        upserts.map((s) => s.name),
        upserts.map((s) => s.status),
        upserts.map((s) => (s.template ? 1 : 0)),
        upserts.map((s) => s.cpus),
        upserts.map((s) => int(s.maxMem)),
        upserts.map((s) => int(s.maxDisk)),
        upserts.map((s) => s.tags.join(';')),
        upserts.map((s) => s.lock),
        upserts.map((s) => s.hastate),
        upserts.map((s) => s.pool),
        upserts.map((s) => s.description),
        upserts.map((s) => s.agentEnabled),
        usage.map((u) => u.cpuUsage),
        usage.map((u) => int(u.memUsed)),
        usage.map((u) => int(u.diskUsed)),
        usage.map((u) => int(u.netIn)),
        usage.map((u) => int(u.netOut)),
        usage.map((u) => int(u.diskRead)),
        usage.map((u) => int(u.diskWrite)),
        usage.map((u) => int(u.uptime)),
        upserts.map((s) => s.hash),
      ],
    );
    return written.rows;
  }

  /** Replaces the addresses of guests whose addresses changed (or that are new). */
  async #replaceIpAddresses(
    client: pg.PoolClient,
    upserts: GuestState[],
    rowIds: Map<number, number>,
    previous: Map<number, { record: VmRecord }>,
  ): Promise<void> {
    const changed = upserts.filter((s) => {
      const before = previous.get(s.vmid)?.record.ipAddresses ?? [];
      return JSON.stringify(before.map(ipKey)) !== JSON.stringify(s.ipAddresses.map(ipKey));
    });
    if (changed.length === 0) return;
    const ids = changed.map((s) => rowIds.get(s.vmid)!);
    await client.query('delete from vm_ipaddress where vm_id = any($1::int[])', [ids]);
    const flat = changed.flatMap((s) =>
      s.ipAddresses.map((ip) => ({ vmId: rowIds.get(s.vmid)!, ip })),
    );
    if (flat.length === 0) return;
    await client.query(
      `insert into vm_ipaddress (vm_id, cluster_id, nic_name, mac_address, ip_address, ip_version, prefix_length, config_nic)
       select u.vm_id, $1, u.nic, u.mac, u.ip, u.version, u.prefix, u.config
         from unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::int2[], $7::int2[], $8::text[])
              as u(vm_id, nic, mac, ip, version, prefix, config)
       on conflict (vm_id, nic_name, ip_address) do nothing`,
      [
        this.#clusterId,
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

  /** Keeps `vm_template` in step: a row per guest that is a template, none for the others. */
  async #syncTemplates(
    client: pg.PoolClient,
    upserts: GuestState[],
    rowIds: Map<number, number>,
  ): Promise<void> {
    const templates = upserts.filter((s) => s.template);
    const others = upserts.filter((s) => !s.template).map((s) => s.vmid);
    if (others.length > 0) {
      await client.query(
        'delete from vm_template where cluster_id = $1 and vmid = any($2::int[])',
        [this.#clusterId, others],
      );
    }
    if (templates.length === 0) return;
    await client.query(
      `insert into vm_template (cluster_id, vm_id, vmid, template_name, node_name, type, description)
       select $1, u.* from unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[]) as u
       on conflict (cluster_id, vmid) do update set
         vm_id = excluded.vm_id, template_name = excluded.template_name, node_name = excluded.node_name,
         type = excluded.type, description = excluded.description, updated_at = now()`,
      [
        this.#clusterId,
        templates.map((s) => rowIds.get(s.vmid)!),
        templates.map((s) => s.vmid),
        templates.map((s) => s.name ?? `${s.type}-${s.vmid}`),
        templates.map((s) => s.node),
        templates.map((s) => s.type),
        templates.map((s) => s.description),
      ],
    );
  }

  async #writeStorages(client: pg.PoolClient, changes: CycleChanges): Promise<InventoryChange[]> {
    if (changes.storages.size === 0) return [];
    const id = this.#clusterId;
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
    const deletes = keys.filter(
      (k) => changes.storages.get(`storage/${k.node}/${k.name}`) === null,
    );
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
}

/** Byte counts can arrive as floats (exponent notation in PVE): store whole numbers. */
function int(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}

function ipKey(ip: IpAddressRecord): string {
  return `${ip.nicName}|${ip.ipAddress}|${ip.macAddress}|${ip.prefixLength}|${ip.configNic}`;
}

function splitStorageKey(key: string): { node: string; name: string } {
  const rest = key.slice('storage/'.length);
  const slash = rest.indexOf('/');
  return { node: rest.slice(0, slash), name: rest.slice(slash + 1) };
}

async function loadIpAddresses(
  client: pg.PoolClient,
  vmIds: number[],
): Promise<Map<number, IpAddressRecord[]>> {
  const byVm = new Map<number, IpAddressRecord[]>();
  if (vmIds.length === 0) return byVm;
  const { rows } = await client.query(
    'select * from vm_ipaddress where vm_id = any($1::int[]) order by nic_name, ip_address',
    [vmIds],
  );
  for (const row of rows) {
    const list = byVm.get(Number(row.vm_id)) ?? [];
    list.push(ipAddressFromRow(row));
    byVm.set(Number(row.vm_id), list);
  }
  return byVm;
}

function nodeEvent(
  clusterId: number,
  type: InventoryChange['type'],
  record: NodeRecord,
  previous: NodeRecord | null,
  fields: string[],
): InventoryChange<'node'> {
  return {
    clusterId,
    kind: 'node',
    type,
    objectKey: `node/${record.name}`,
    node: record.name,
    previousNode: null,
    vmid: null,
    payload: record,
    previous,
    changedFields: fields,
  };
}

function vmEvent(
  clusterId: number,
  type: InventoryChange['type'],
  record: VmRecord,
  previous: VmRecord | null,
  fields: string[],
): InventoryChange<'vm'> {
  return {
    clusterId,
    kind: 'vm',
    type,
    objectKey: `${record.type}/${record.vmid}`,
    node: record.node,
    previousNode: previous && previous.node !== record.node ? previous.node : null,
    vmid: record.vmid,
    payload: record,
    previous,
    changedFields: fields,
  };
}

function storageEvent(
  clusterId: number,
  type: InventoryChange['type'],
  record: StorageRecord,
  previous: StorageRecord | null,
  fields: string[],
): InventoryChange<'storage'> {
  return {
    clusterId,
    kind: 'storage',
    type,
    objectKey: `storage/${record.node}/${record.name}`,
    node: record.node,
    previousNode: null,
    vmid: null,
    payload: record,
    previous,
    changedFields: fields,
  };
}

/** Events in a stable order: nodes, then guests, then storage; additions before deletions. */
function order(events: InventoryChange[]): InventoryChange[] {
  const rank = { node: 0, vm: 1, storage: 2 } as const;
  const typeRank = { ADDED: 0, UPDATED: 0, DELETED: 1 } as const;
  return events
    .map((event, index) => ({ event, index }))
    .sort(
      (a, b) =>
        typeRank[a.event.type] - typeRank[b.event.type] ||
        rank[a.event.kind] - rank[b.event.kind] ||
        a.index - b.index,
    )
    .map(({ event }) => event);
}
