import { describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.js';
import { ensure } from './support/scenarios.js';
import { call, data, useSimulator } from './support/sim-http.js';

type Row = Record<string, unknown>;
const sim = useSimulator({ seed: 11, nodes: 4, guests: 80, clock: new FakeClock().now });

describe('/cluster/resources (API.md §4, §6)', () => {
  it('lists pools (id "/pool/<id>") before guests sorted by vmid as a string, then nodes and storage', async () => {
    sim().control.addGuest({ vmid: 1000, type: 'qemu' });
    const rows = await data<Row[]>(sim(), '/cluster/resources');
    const types = rows.map((row) => row.type);
    const firstGuest = types.findIndex((t) => t === 'qemu' || t === 'lxc');
    expect(
      rows
        .slice(0, firstGuest)
        .every((row) => row.type === 'pool' && String(row.id).startsWith('/pool/')),
    ).toBe(true);
    const vmids = rows
      .filter((row) => row.type === 'qemu' || row.type === 'lxc')
      .map((row) => String(row.vmid));
    expect(vmids).toEqual([...vmids].sort());
    expect(vmids.indexOf('1000')).toBeLessThan(vmids.indexOf('101'));
    expect(types.lastIndexOf('node')).toBeLessThan(types.indexOf('storage'));
  });

  it('repeats shared storages per node with per-node sizes and keeps restricted ones to their nodes', async () => {
    const rows = await data<Row[]>(sim(), '/cluster/resources?type=storage');
    const nodes = sim()
      .control.nodes()
      .map((n) => n.name);
    const ceph = rows.filter((row) => row.storage === 'ceph-vm');
    expect(ceph.map((row) => row.node).sort()).toEqual([...nodes].sort());
    expect(ceph.every((row) => row.shared === 1 && row.plugintype === 'rbd')).toBe(true);
    expect(new Set(ceph.map((row) => row.maxdisk)).size).toBeGreaterThan(1);
    for (const storage of sim().control.storages()) {
      const expected = storage.disabled ? [] : (storage.nodes ?? nodes);
      const listed = rows.filter((row) => row.storage === storage.id).map((row) => row.node);
      expect(listed.sort(), storage.id).toEqual([...expected].sort());
    }
  });

  it('answers type=vm with both qemu and lxc rows carrying live lock, tags, pool and hastate', async () => {
    const guest = sim().control.addGuest({
      type: 'lxc',
      tags: 'one, two',
      pool: 'infra',
      ha: 'started',
      running: true,
    });
    sim().control.updateGuest(guest.vmid, { lock: 'backup' });
    const rows = await data<Row[]>(sim(), '/cluster/resources?type=vm');
    expect(new Set(rows.map((row) => row.type))).toEqual(new Set(['qemu', 'lxc']));
    const row = rows.find((r) => r.vmid === guest.vmid);
    expect(row).toMatchObject({
      id: `lxc/${guest.vmid}`,
      tags: 'one, two',
      pool: 'infra',
      hastate: 'started',
      lock: 'backup',
      status: 'running',
      template: 0,
    });
  });
});

describe('per-node guest lists (API.md §1.2, §4)', () => {
  it("lists a node's VMs with vmid numbers, template 1 only on templates and no type member", async () => {
    const tpl = ensure(sim(), (g) => g.type === 'qemu' && g.template, {
      type: 'qemu',
      template: true,
    });
    const rows = await data<Row[]>(sim(), `/nodes/${tpl.node}/qemu`);
    expect(rows.length).toBe(
      sim()
        .control.guests()
        .filter((g) => g.node === tpl.node && g.type === 'qemu').length,
    );
    for (const row of rows) {
      expect(typeof row.vmid).toBe('number');
      expect(row.template === undefined || row.template === 1).toBe(true);
      expect(row.type).toBeUndefined();
    }
    expect(rows.find((row) => row.vmid === tpl.vmid)?.template).toBe(1);
  });

  it('lists containers with type "lxc" and numeric vmid; a stopped one has no pid', async () => {
    const ct = sim().control.addGuest({ type: 'lxc', running: false });
    const rows = await data<Row[]>(sim(), `/nodes/${ct.node}/lxc`);
    const row = rows.find((r) => r.vmid === ct.vmid);
    expect(row).toMatchObject({ type: 'lxc', status: 'stopped', uptime: 0 });
    expect(row?.pid).toBeUndefined();
  });
});

describe('configs and guest IPs (API.md §4, §5.11)', () => {
  it('types qemu config values like PVE: memory string, cores number, upper-case MACs, a digest', async () => {
    const vm = sim().control.addGuest({
      type: 'qemu',
      running: true,
      memoryMiB: 4096,
      cores: 2,
      agent: '1',
      agentRunning: true,
    });
    const config = await data<Row>(sim(), `/nodes/${vm.node}/qemu/${vm.vmid}/config`);
    expect(config.memory).toBe('4096');
    expect(config.cores).toBe(2);
    expect(config.agent).toBe('1');
    expect(String(config.net0)).toContain(vm.nics[0]?.mac);
    expect(vm.nics[0]?.mac).toMatch(/^BC:24:11(:[0-9A-F]{2}){3}$/);
    expect(config.digest).toMatch(/^[0-9a-f]{40}$/);
    const agent = await data<{ result: Row[] }>(
      sim(),
      `/nodes/${vm.node}/qemu/${vm.vmid}/agent/network-get-interfaces`,
    );
    const names = agent.result.map((nic) => nic.name);
    expect(names[0] === 'lo' || String(names[0]).startsWith('Loopback')).toBe(true);
    const nic = agent.result.find((n) => n['hardware-address'] === vm.nics[0]?.mac.toLowerCase());
    const addresses = ((nic?.['ip-addresses'] ?? []) as Row[]).map((a) => a['ip-address']);
    expect(addresses).toContain(vm.nics[0]?.ipv4?.split('/')[0]);
    expect(addresses.some((a) => String(a).startsWith('fe80::'))).toBe(true);
  });

  it("types lxc config values as numbers and returns the container's interfaces only while it runs", async () => {
    const ct = sim().control.addGuest({ type: 'lxc', running: true, memoryMiB: 1024 });
    const config = await data<Row>(sim(), `/nodes/${ct.node}/lxc/${ct.vmid}/config`);
    expect(config.memory).toBe(1024);
    expect(String(config.net0)).toMatch(/^name=eth0,bridge=vmbr0,.*hwaddr=BC:24:11:/);
    const nics = await data<Row[]>(sim(), `/nodes/${ct.node}/lxc/${ct.vmid}/interfaces`);
    expect(nics[0]).toMatchObject({ name: 'lo', inet: '127.0.0.1/8', inet6: '::1/128' });
    expect(nics[1]?.hwaddr).toBe(ct.nics[0]?.mac.toLowerCase());
    sim().control.stopGuest(ct.vmid);
    expect(await data(sim(), `/nodes/${ct.node}/lxc/${ct.vmid}/interfaces`)).toBeNull();
  });
});

describe('node and misc endpoints (API.md §1.2, §4)', () => {
  it('sends node status loadavg and cpuinfo.mhz as strings', async () => {
    const status = await data<Row>(sim(), `/nodes/${sim().control.entryNode}/status`);
    expect((status.loadavg as unknown[]).every((x) => typeof x === 'string')).toBe(true);
    expect(typeof (status.cpuinfo as Row).mhz).toBe('string');
    expect(String(status.pveversion)).toMatch(/^pve-manager\/9\.1\.5\//);
  });

  it('answers /cluster/nextid as a JSON string and refuses a taken vmid with 400', async () => {
    const next = await call(sim(), '/cluster/nextid');
    expect(next.body).toMatch(/^\{"data":"\d+"\}$/);
    expect(sim().control.guest(Number(JSON.parse(next.body).data))).toBeUndefined();
    const taken = sim().control.guests()[0]?.vmid;
    const answer = await call(sim(), `/cluster/nextid?vmid=${taken}`);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).errors).toEqual({ vmid: `VM ${taken} already exists` });
  });

  it('prints petabyte storage sizes in exponent form and lists restricted storages as disabled', async () => {
    const node = sim().control.entryNode;
    const answer = await call(sim(), `/nodes/${node}/storage`);
    expect(answer.body).toMatch(/"total":\d\.\d+e\+15/);
    const rows = JSON.parse(answer.body).data as Row[];
    expect(rows.find((row) => row.storage === 'nfs-old')).toMatchObject({
      enabled: 0,
      active: 0,
      total: 0,
    });
    const enabledOnly = await data<Row[]>(sim(), `/nodes/${node}/storage?enabled=1`);
    expect(enabledOnly.every((row) => row.enabled === 1)).toBe(true);
    expect(enabledOnly.length).toBeLessThan(rows.length);
  });

  it('fails a call for an unknown node with the host lookup error', async () => {
    const answer = await call(sim(), '/nodes/nosuchnode/qemu');
    expect(answer.status).toBe(500);
    expect(answer.statusText).toBe(
      "hostname lookup 'nosuchnode' failed - failed to get address info for: nosuchnode: Name or service not known",
    );
  });
});
