import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

const cluster = async (name: string): Promise<number> => {
  const [row] = await db.query<{ id: number }>(
    `insert into pve_cluster (cluster_name, api_url, user_id, user_token) values ($1, 'https://h:8006', 'a@pve!t', 'x') returning id`,
    [name],
  );
  return row!.id;
};

describe('the tables', () => {
  it('keep the original pve_cluster columns and types', async () => {
    const columns = await db.query<{ column_name: string; data_type: string }>(
      `select column_name, data_type from information_schema.columns where table_name = 'pve_cluster'`,
    );
    const types = Object.fromEntries(columns.map((c) => [c.column_name, c.data_type]));
    expect(types).toMatchObject({
      cluster_name: 'character varying',
      cluster_name_alias: 'character varying',
      env: 'character varying',
      api_url: 'character varying',
      user_id: 'character varying',
      user_token: 'text',
      is_enabled: 'smallint',
      is_schedulable: 'smallint',
      creator: 'character varying',
    });
  });

  it('stores byte counts as bigint', async () => {
    const columns = await db.query<{ table_name: string; column_name: string; data_type: string }>(
      `select table_name, column_name, data_type from information_schema.columns
        where (table_name, column_name) in (('pve_vm','max_mem'),('pve_vm','max_disk'),('pve_node','max_mem'),('pve_storage','total'),('pve_storage','used'),('pve_storage','avail'))`,
    );
    expect(columns).toHaveLength(6);
    expect(columns.every((c) => c.data_type === 'bigint')).toBe(true);
  });

  it('enforce the natural keys', async () => {
    const id = await cluster('nk');
    const insertNode = `insert into pve_node (cluster_id, node_name, status, resource_hash) values ($1, 'pve1', 'online', 'h')`;
    await db.query(insertNode, [id]);
    await expect(db.query(insertNode, [id])).rejects.toThrow(
      /pve_node_cluster_id_node_name_unique/,
    );
    const insertVm = `insert into pve_vm (cluster_id, vmid, node_name, type, status, resource_hash) values ($1, 100, 'pve1', 'qemu', 'running', 'h') returning id`;
    const [vm] = await db.query<{ id: number }>(insertVm, [id]);
    await expect(db.query(insertVm, [id])).rejects.toThrow(/pve_vm_cluster_id_vmid_unique/);
    const insertStorage = `insert into pve_storage (cluster_id, node_name, storage_name, type, status, resource_hash) values ($1, 'pve1', 'local', 'dir', 'available', 'h')`;
    await db.query(insertStorage, [id]);
    await expect(db.query(insertStorage, [id])).rejects.toThrow(
      /pve_storage_cluster_id_node_name_storage_name_unique/,
    );
    const insertIp = `insert into vm_ipaddress (vm_id, cluster_id, nic_name, ip_address, ip_version) values ($1, $2, 'eth0', '10.0.0.5', 4)`;
    await db.query(insertIp, [vm!.id, id]);
    await expect(db.query(insertIp, [vm!.id, id])).rejects.toThrow(
      /vm_ipaddress_vm_id_nic_name_ip_address_unique/,
    );
    const insertTemplate = `insert into vm_template (cluster_id, vm_id, vmid, template_name, node_name, type) values ($1, $2, 100, 'tpl', 'pve1', 'qemu')`;
    await db.query(insertTemplate, [id, vm!.id]);
    await expect(db.query(insertTemplate, [id, vm!.id])).rejects.toThrow(
      /vm_template_cluster_id_vmid_unique/,
    );
  });

  it('cascade a cluster delete to its whole inventory, but keep its events', async () => {
    const id = await cluster('cascade');
    await db.query(
      `insert into pve_node (cluster_id, node_name, status, resource_hash) values ($1, 'pve1', 'online', 'h')`,
      [id],
    );
    const [vm] = await db.query<{ id: number }>(
      `insert into pve_vm (cluster_id, vmid, node_name, type, status, resource_hash) values ($1, 100, 'pve1', 'qemu', 'running', 'h') returning id`,
      [id],
    );
    await db.query(
      `insert into vm_ipaddress (vm_id, cluster_id, nic_name, ip_address, ip_version) values ($1, $2, 'eth0', '10.0.0.5', 4)`,
      [vm!.id, id],
    );
    await db.query(
      `insert into inventory_event (cluster_id, kind, type, object_key, payload) values ($1, 'vm', 'DELETED', 'qemu/100', '{}')`,
      [id],
    );
    await db.query('delete from pve_cluster where id = $1', [id]);
    const [left] = await db.query<{ nodes: string; vms: string; ips: string; events: string }>(
      `select (select count(*) from pve_node where cluster_id = $1) as nodes,
              (select count(*) from pve_vm where cluster_id = $1) as vms,
              (select count(*) from vm_ipaddress where cluster_id = $1) as ips,
              (select count(*) from inventory_event where cluster_id = $1) as events`,
      [id],
    );
    expect(left).toEqual({ nodes: '0', vms: '0', ips: '0', events: '1' });
  });

  it('keep a guest when its node row goes (node_id becomes null)', async () => {
    const id = await cluster('node-gone');
    const [node] = await db.query<{ id: number }>(
      `insert into pve_node (cluster_id, node_name, status, resource_hash) values ($1, 'pve9', 'online', 'h') returning id`,
      [id],
    );
    await db.query(
      `insert into pve_vm (cluster_id, vmid, node_id, node_name, type, status, resource_hash) values ($1, 200, $2, 'pve9', 'lxc', 'running', 'h')`,
      [id, node!.id],
    );
    await db.query('delete from pve_node where id = $1', [node!.id]);
    const [vm] = await db.query<{ node_id: number | null; node_name: string }>(
      'select node_id, node_name from pve_vm where cluster_id = $1 and vmid = 200',
      [id],
    );
    expect(vm).toEqual({ node_id: null, node_name: 'pve9' });
  });

  it('refuse flags other than 0 and 1', async () => {
    await expect(
      db.query(
        `insert into pve_cluster (cluster_name, api_url, user_id, user_token, is_enabled) values ('flag', 'https://h', 'a@b!c', 'x', 2)`,
      ),
    ).rejects.toThrow(/pve_cluster_is_enabled_check/);
  });

  it('move updated_at when a user column is edited by plain SQL, not on sync status writes', async () => {
    const id = await cluster('touch');
    const stamp = async () =>
      (
        await db.query<{ t: Date }>('select updated_at as t from pve_cluster where id = $1', [id])
      )[0]!.t;
    await db.query(`update pve_cluster set updated_at = now() - interval '1 hour' where id = $1`, [
      id,
    ]);
    const old = await stamp();
    await db.query(`update pve_cluster set sync_state = 'SYNCED' where id = $1`, [id]);
    expect(await stamp()).toEqual(old);
    await db.query('update pve_cluster set is_enabled = 0 where id = $1', [id]);
    expect((await stamp()).getTime()).toBeGreaterThan(old.getTime());
  });
});
