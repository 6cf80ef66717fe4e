import { describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.js';
import { call, data, useSimulator } from './support/sim-http.js';

type Row = Record<string, unknown>;
const sim = useSimulator({
  seed: 17,
  nodes: 3,
  guests: 25,
  clock: new FakeClock().now,
  http: true,
});

const vmRow = async (vmid: number) =>
  (await data<Row[]>(sim(), '/cluster/resources?type=vm')).find((r) => r.vmid === vmid);

describe('guest control', () => {
  it('adds, updates, starts, stops, templates and removes guests visibly in the API', async () => {
    const vm = sim().control.addGuest({
      vmid: 4242,
      type: 'qemu',
      node: 'pve2',
      name: 'new-vm',
      running: false,
    });
    expect(await vmRow(4242)).toMatchObject({ node: 'pve2', name: 'new-vm', status: 'stopped' });
    sim().control.updateGuest(vm.vmid, {
      name: 'renamed',
      tags: ['b', 'a'],
      memoryMiB: 3072,
      cores: 3,
    });
    expect(await vmRow(4242)).toMatchObject({
      name: 'renamed',
      tags: 'b;a',
      maxmem: 3072 * 1024 * 1024,
      maxcpu: 3,
    });
    sim().control.startGuest(vm.vmid);
    expect(await vmRow(4242)).toMatchObject({ status: 'running' });
    expect((await vmRow(4242))?.uptime).toBe(0);
    sim().control.stopGuest(vm.vmid);
    sim().control.convertToTemplate(vm.vmid);
    expect(await vmRow(4242)).toMatchObject({ template: 1, status: 'stopped' });
    const config = await data<Row>(sim(), `/nodes/pve2/qemu/4242/config`);
    expect(config.template).toBe(1);
    expect(String(config.scsi0 ?? config.virtio0)).toContain('base-4242-disk-0');
    expect(() => sim().control.startGuest(vm.vmid)).toThrow(/template/);
    sim().control.removeGuest(vm.vmid);
    expect(await vmRow(4242)).toBeUndefined();
    expect(() => sim().control.addGuest({ vmid: sim().control.guests()[0]?.vmid })).toThrow(
      /already exists/,
    );
  });

  it('changes agent state and the addresses the agent reports', async () => {
    const vm = sim().control.addGuest({
      type: 'qemu',
      running: true,
      agent: '1',
      agentRunning: true,
      nics: 1,
    });
    const path = `/nodes/${vm.node}/qemu/${vm.vmid}/agent/network-get-interfaces`;
    sim().control.setGuestAddresses(vm.vmid, 0, { ipv4: '192.0.2.77/25', ipv6: '2001:db8::77/64' });
    const result = (await data<{ result: Row[] }>(sim(), path)).result;
    const addresses = result.flatMap((nic) =>
      ((nic['ip-addresses'] as Row[] | undefined) ?? []).map((a) => a['ip-address']),
    );
    expect(addresses).toEqual(expect.arrayContaining(['192.0.2.77', '2001:db8::77']));
    sim().control.setAgent(vm.vmid, { running: false });
    expect((await call(sim(), path)).statusText).toBe('QEMU guest agent is not running');
    sim().control.setAgent(vm.vmid, { configured: null });
    expect((await call(sim(), path)).statusText).toBe('No QEMU guest agent configured');
    expect(() => sim().control.setGuestAddresses(vm.vmid, 0, { ipv4: 'nonsense' })).toThrow(
      /address/,
    );
  });
});

describe('node control', () => {
  it('adds a node with local storage and removes it (refusing while it holds guests)', async () => {
    const node = sim().control.addNode();
    expect(node).toMatchObject({ name: 'pve4', online: true, guests: 0 });
    const storage = await data<Row[]>(sim(), '/cluster/resources?type=storage');
    expect(
      storage.some((r) => r.node === 'pve4' && r.storage === 'local' && r.status === 'available'),
    ).toBe(true);
    const status = await data<Row[]>(sim(), '/cluster/status');
    expect(status[0]).toMatchObject({ nodes: 4 });
    const guest = sim().control.addGuest({ node: 'pve4' });
    expect(() => sim().control.removeNode('pve4')).toThrow(/still has/);
    sim().control.removeNode('pve4', { force: true });
    expect(sim().control.guest(guest.vmid)).toBeUndefined();
    expect((await data<Row[]>(sim(), '/nodes')).map((n) => n.node)).not.toContain('pve4');
    expect(() => sim().control.setNodeOnline(sim().control.entryNode, false)).toThrow(
      /serves the API/,
    );
  });
});

describe('storage control', () => {
  it('adds, deactivates, resizes and removes storages', async () => {
    sim().control.addStorage({ id: 'nfs-new', type: 'nfs', total: 2 ** 40, usedFraction: 0.5 });
    let rows = (await data<Row[]>(sim(), '/cluster/resources?type=storage')).filter(
      (r) => r.storage === 'nfs-new',
    );
    expect(rows.length).toBe(sim().control.nodes().length);
    expect(rows[0]).toMatchObject({ shared: 1, plugintype: 'nfs', status: 'available' });
    sim().control.updateStorage('nfs-new', { usedBytes: 2 ** 39 + 5 });
    const entry = sim().control.entryNode;
    const list = await data<Row[]>(sim(), `/nodes/${entry}/storage?storage=nfs-new`);
    expect(list[0]).toMatchObject({ used: 2 ** 39 + 5, active: 1, enabled: 1 });
    sim().control.updateStorage('nfs-new', { active: false });
    expect((await data<Row[]>(sim(), `/nodes/${entry}/storage?storage=nfs-new`))[0]).toMatchObject({
      active: 0,
      total: 0,
    });
    sim().control.removeStorage('nfs-new');
    rows = (await data<Row[]>(sim(), '/cluster/resources?type=storage')).filter(
      (r) => r.storage === 'nfs-new',
    );
    expect(rows).toEqual([]);
    expect(() => sim().control.addStorage({ id: 'local', type: 'dir' })).toThrow(/already defined/);
  });
});

describe('request counters', () => {
  it('count calls per endpoint and by list/detail kind, and reset', async () => {
    sim().control.resetCounters();
    const vm = sim()
      .control.guests()
      .find((g) => g.type === 'qemu');
    await call(sim(), '/cluster/resources');
    await call(sim(), `/nodes/${vm?.node}/qemu`);
    await call(sim(), `/nodes/${vm?.node}/qemu/${vm?.vmid}/config`);
    await call(sim(), '/version');
    await call(sim(), '/nope');
    expect(sim().control.counters()).toEqual({
      total: 5,
      list: 2,
      detail: 1,
      other: 2,
      byEndpoint: {
        'GET /cluster/resources': 1,
        'GET /nodes/{node}/qemu': 1,
        'GET /nodes/{node}/qemu/{vmid}/config': 1,
        'GET /version': 1,
        'GET (unknown)': 1,
      },
      byStatus: { '200': 4, '501': 1 },
    });
    sim().control.resetCounters();
    expect(sim().control.counters().total).toBe(0);
  });
});
