import type { TestDatabase } from './test-database.js';

const GiB = 1024 ** 3;

/**
 * InventoryShape says what {@link seedInventory} generates, per cluster. Every value is a pure
 * function of the row's position, so a test can compute what to expect independently.
 */
export interface InventoryShape {
  /** How many clusters (named `<prefix>-1` …). */
  clusters: number;
  /** Nodes per cluster, `pve1` … `pve<n>`; the last one is offline when `offlineLastNode`. */
  nodes: number;
  /** Guests per cluster, vmids 100 … 100 + guests − 1, spread over the nodes round-robin. */
  guests: number;
  /** @default true */
  offlineLastNode?: boolean;
  /** Cluster name prefix. @default 'fixture' */
  prefix?: string;
}

/** SeededInventory tells a test what was inserted. */
export interface SeededInventory {
  clusterIds: number[];
}

/**
 * The generated guest with vmid 100 + i (i from 0) of a cluster:
 * - node `pve<1 + i % nodes>`; type `lxc` when i % 5 = 4, else `qemu`;
 * - name `web-0042` / `db-0043` / `cache-0044` by i % 3 (`ct-` prefix for LXC: `ct-web-0044`);
 * - template when i % 50 = 49 (then stopped); else status `stopped` when i % 4 = 3, `running`
 *   otherwise (`unknown` on an offline node);
 * - tags: `prod` when i % 2 = 0, `db` when i % 3 = 1, `backup` when i % 10 = 0;
 * - running guests have an IPv4 on eth0 (10.<cluster>.<i / 250>.<i % 250 + 2>/24) and, when
 *   i % 2 = 0, an IPv6 too.
 */
export async function seedInventory(
  db: Pick<TestDatabase, 'query'>,
  shape: InventoryShape,
): Promise<SeededInventory> {
  const prefix = shape.prefix ?? 'fixture';
  const offline = shape.offlineLastNode ?? true;
  const clusters = await db.query<{ id: number }>(
    `insert into pve_cluster (cluster_name, cluster_name_alias, env, api_url, user_id, user_token,
       is_enabled, is_schedulable, creator)
     select $1 || '-' || c, 'Fixture cluster ' || c, 'test', 'https://pve-' || c || '.example.com:8006',
       'inventory@pve!read', '', 0, 1, 'fixture'
     from generate_series(1, $2::int) c
     returning id`,
    [prefix, shape.clusters],
  );
  const clusterIds = clusters.map((row) => row.id).sort((a, b) => a - b);
  await db.query(
    `insert into pve_node (cluster_id, node_name, status, ip_address, level, max_cpu, max_mem,
       max_disk, cpu_usage, mem_used, disk_used, uptime, resource_hash)
     select c.id, 'pve' || n, case when $3 and n = $2 and n > 1 then 'offline' else 'online' end,
       '10.' || c.ord || '.255.' || n, 'c', 64, ${256 * GiB}::bigint, ${100 * GiB}::bigint,
       0.25, ${64 * GiB}::bigint, ${20 * GiB}::bigint, 86400 * n, md5(c.id || '/' || n)
     from unnest($1::int[]) with ordinality as c(id, ord), generate_series(1, $2::int) n`,
    [clusterIds, shape.nodes, offline],
  );
  await db.query(
    `insert into pve_vm (cluster_id, vmid, node_id, node_name, type, vm_name, status, is_template,
       cpu_num, max_mem, max_disk, tags, lock, hastate, pool, description, agent_enabled,
       cpu_usage, mem_used, disk_used, net_in, net_out, disk_read, disk_write, uptime, resource_hash)
     select g.cluster_id, g.vmid, nd.id, nd.node_name, g.type, g.name,
       case when g.template then 'stopped' when nd.status = 'offline' then 'unknown'
            when g.i % 4 = 3 then 'stopped' else 'running' end,
       case when g.template then 1 else 0 end,
       2 + g.i % 4, (2 + g.i % 4) * ${GiB}::bigint, 32 * ${GiB}::bigint,
       array_remove(array[case when g.i % 2 = 0 then 'prod' end, case when g.i % 3 = 1 then 'db' end,
         case when g.i % 10 = 0 then 'backup' end], null),
       case when g.i % 97 = 5 then 'backup' end, case when g.i % 20 = 0 then 'started' end,
       case when g.i % 2 = 0 then 'production' end, 'Guest ' || g.vmid || ' of cluster ' || g.cluster_id,
       case when g.type = 'qemu' then g.i % 3 <> 2 end,
       0.05, ${GiB}::bigint, ${4 * GiB}::bigint, 1000 * g.i, 2000 * g.i, 3000 * g.i, 4000 * g.i,
       3600 + g.i, md5(g.cluster_id || '/' || g.vmid)
     from (
       select c.id as cluster_id, c.ord, i, 100 + i as vmid, i % 50 = 49 as template,
         case when i % 5 = 4 then 'lxc' else 'qemu' end as type,
         case when i % 5 = 4 then 'ct-' else '' end ||
           (array['web', 'db', 'cache'])[1 + i % 3] || '-' || lpad(i::text, 4, '0') as name,
         'pve' || (1 + i % $2::int) as node_name
       from unnest($1::int[]) with ordinality as c(id, ord), generate_series(0, $3::int - 1) i
     ) g
     join pve_node nd on nd.cluster_id = g.cluster_id and nd.node_name = g.node_name`,
    [clusterIds, shape.nodes, shape.guests],
  );
  await db.query(
    `insert into vm_ipaddress (vm_id, cluster_id, nic_name, mac_address, ip_address, ip_version,
       prefix_length, config_nic)
     select v.id, v.cluster_id, 'eth0', 'BC:24:11:' || upper(lpad(to_hex(v.cluster_id % 256), 2, '0'))
         || ':' || upper(lpad(to_hex((v.vmid / 256) % 256), 2, '0')) || ':' || upper(lpad(to_hex(v.vmid % 256), 2, '0')),
       a.ip, a.version, a.prefix, 'net0'
     from pve_vm v
     join unnest($1::int[]) with ordinality as c(id, ord) on c.id = v.cluster_id
     cross join lateral (
       select '10.' || c.ord || '.' || ((v.vmid - 100) / 250) || '.' || ((v.vmid - 100) % 250 + 2) as ip,
         4 as version, 24 as prefix
       union all
       select 'fd00:' || c.ord || '::' || to_hex(v.vmid), 6, 64 where (v.vmid - 100) % 2 = 0
     ) a
     where v.status = 'running'`,
    [clusterIds],
  );
  await db.query(
    `insert into pve_storage (cluster_id, node_id, node_name, storage_name, type, content, status,
       active, enabled, shared, total, used, avail, used_fraction, resource_hash)
     select n.cluster_id, n.id, n.node_name, s.name, s.type, s.content,
       case when n.status = 'online' then 'available' else 'unknown' end,
       case when n.status = 'online' then 1 else 0 end, 1, s.shared,
       s.total, s.total / 4, s.total - s.total / 4, 0.25, md5(n.id || '/' || s.name)
     from pve_node n
     cross join (values
       ('local', 'dir', 'backup,iso,vztmpl', 0, ${100 * GiB}::bigint),
       ('local-lvm', 'lvmthin', 'images,rootdir', 0, ${800 * GiB}::bigint),
       ('ceph-pool', 'rbd', 'images,rootdir', 1, ${10_000 * GiB}::bigint)
     ) as s(name, type, content, shared, total)
     where n.cluster_id = any($1::int[])`,
    [clusterIds],
  );
  await db.query(
    `insert into vm_template (cluster_id, vm_id, vmid, template_name, node_name, type, description)
     select cluster_id, id, vmid, vm_name, node_name, type, 'Template ' || vm_name
     from pve_vm where is_template = 1 and cluster_id = any($1::int[])`,
    [clusterIds],
  );
  await db.query('analyze pve_node, pve_vm, vm_ipaddress, pve_storage, vm_template');
  return { clusterIds };
}

/** VmRow overrides the columns of one guest inserted by {@link insertVm}. */
export interface VmRow {
  clusterId: number;
  vmid: number;
  node?: string;
  name?: string | null;
  status?: string;
  type?: 'qemu' | 'lxc';
  template?: boolean;
  tags?: string[];
}

/** insertVm inserts one guest (its node row need not exist) and returns its `pve_vm.id`. */
export async function insertVm(db: TestDatabase, vm: VmRow): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    `insert into pve_vm (cluster_id, vmid, node_name, type, vm_name, status, is_template, tags,
       cpu_num, max_mem, max_disk, resource_hash)
     values ($1::int, $2::int, $3, $4, $5, $6, $7, $8, 2, ${2 * GiB}, ${32 * GiB},
       md5($1::int || '/' || $2::int))
     returning id`,
    [
      vm.clusterId,
      vm.vmid,
      vm.node ?? 'pve1',
      vm.type ?? 'qemu',
      vm.name === undefined ? `vm-${vm.vmid}` : vm.name,
      vm.status ?? 'running',
      vm.template ? 1 : 0,
      vm.tags ?? [],
    ],
  );
  return row!.id;
}

/** deleteVms deletes guests of a cluster by vmid. */
export async function deleteVms(db: TestDatabase, clusterId: number, vmids: number[]) {
  await db.query('delete from pve_vm where cluster_id = $1 and vmid = any($2::int[])', [
    clusterId,
    vmids,
  ]);
}
