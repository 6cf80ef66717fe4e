import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/simulator.js';
import { FakeClock } from './support/fake-clock.js';
import { ensure } from './support/scenarios.js';
import { call, closeAgent, data } from './support/sim-http.js';

type Row = Record<string, unknown>;
let sim: RunningSimulator;
let clock: FakeClock;
beforeEach(async () => {
  clock = new FakeClock();
  sim = await startSimulator({
    seed: 21,
    nodes: 3,
    guests: 30,
    clock: clock.now,
    stalenessMs: 60_000,
    http: true,
  });
});
afterEach(async () => {
  await closeAgent(sim);
  await sim.stop();
});

function victim() {
  const node = sim.control.nodes().find((n) => !n.entry);
  if (!node) throw new Error('no second node');
  const found = ensure(sim, (g) => g.node === node.name && g.status === 'running', {
    node: node.name,
    running: true,
  });
  const guest = sim.control.updateGuest(found.vmid, { tags: 'keep;me' });
  return { node: node.name, guest };
}

describe('an offline node (API.md §4 /nodes, §5.9, §5.10)', () => {
  it("keeps its max* and its guests' last stats inside the staleness window", async () => {
    const { node, guest } = victim();
    sim.control.setNodeOnline(node, false);
    const rows = await data<Row[]>(sim, '/cluster/resources');
    const nodeRow = rows.find((r) => r.id === `node/${node}`);
    expect(nodeRow).toMatchObject({
      status: 'offline',
      level: expect.any(String),
      maxcpu: expect.any(Number),
    });
    expect(nodeRow?.uptime).toBeUndefined();
    expect(nodeRow?.cpu).toBeUndefined();
    const guestRow = rows.find((r) => r.vmid === guest.vmid);
    expect(guestRow).toMatchObject({ status: 'running', name: guest.name, template: 0 });
    const status = await data<Row[]>(sim, '/cluster/status');
    expect(status.find((r) => r.name === node)).toMatchObject({ online: 0 });
    expect(status[0]).toMatchObject({ type: 'cluster', quorate: 1, nodes: 3 });
  });

  it('degrades its guests to status "unknown" without name/template/max* after the window', async () => {
    const { node, guest } = victim();
    sim.control.setNodeOnline(node, false);
    clock.advance(60_001);
    const rows = await data<Row[]>(sim, '/cluster/resources');
    const guestRow = rows.find((r) => r.vmid === guest.vmid);
    expect(guestRow).toEqual({
      id: `${guest.type}/${guest.vmid}`,
      vmid: guest.vmid,
      node,
      type: guest.type,
      status: 'unknown',
      tags: 'keep;me',
      ...(guest.pool ? { pool: guest.pool } : {}),
      ...(guest.ha ? { hastate: guest.ha } : {}),
    });
    expect(rows.find((r) => r.id === `node/${node}`)).toEqual({
      id: `node/${node}`,
      node,
      type: 'node',
      status: 'offline',
      'cgroup-mode': 2,
    });
    const storage = rows.filter((r) => r.type === 'storage' && r.node === node);
    expect(storage.length).toBeGreaterThan(0);
    expect(storage.every((r) => r.status === 'unknown' && r.disk === undefined)).toBe(true);
    const nodes = await data<Row[]>(sim, '/nodes');
    expect(Object.keys(nodes.find((n) => n.node === node) ?? {}).sort()).toEqual([
      'id',
      'node',
      'ssl_fingerprint',
      'status',
      'type',
    ]);
  });

  it('fails proxied calls with 595 and an empty body (596 "Connection timed out" on request)', async () => {
    const { node, guest } = victim();
    sim.control.setNodeOnline(node, false, { delayMs: 80 });
    const started = performance.now();
    const answer = await call(sim, `/nodes/${node}/qemu`);
    expect([answer.status, answer.statusText, answer.body]).toEqual([595, 'No route to host', '']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(70);
    sim.control.setNodeOnline(node, false, { status: 596 });
    const timedOut = await call(sim, `/nodes/${node}/${guest.type}/${guest.vmid}/config`);
    expect([timedOut.status, timedOut.statusText]).toEqual([596, 'Connection timed out']);
    expect((await call(sim, '/cluster/resources')).status).toBe(200);
  });

  it('comes back with fresh data when it is online again', async () => {
    const { node, guest } = victim();
    sim.control.setNodeOnline(node, false);
    clock.advance(120_000);
    sim.control.setNodeOnline(node, true);
    const rows = await data<Row[]>(sim, '/cluster/resources?type=vm');
    expect(rows.find((r) => r.vmid === guest.vmid)).toMatchObject({
      status: 'running',
      name: guest.name,
    });
    expect((await call(sim, `/nodes/${node}/qemu`)).status).toBe(200);
  });
});

describe('pvestatd updates (RRD interval)', () => {
  it('drifts usage metrics every interval without changing inventory fields', async () => {
    const inventory = (rows: Row[]) =>
      rows.map((r) => [r.id, r.name, r.status, r.node, r.maxmem, r.maxcpu, r.template, r.tags]);
    const usage = (rows: Row[]) => rows.map((r) => [r.cpu, r.mem, r.netin]);
    const first = await data<Row[]>(sim, '/cluster/resources?type=vm');
    const same = await data<Row[]>(sim, '/cluster/resources?type=vm');
    expect(usage(same)).toEqual(usage(first));
    clock.advance(10_000);
    const later = await data<Row[]>(sim, '/cluster/resources?type=vm');
    expect(inventory(later)).toEqual(inventory(first));
    expect(usage(later)).not.toEqual(usage(first));
  });

  it("freezes the stats of an offline node's guests", async () => {
    const { node, guest } = victim();
    sim.control.setNodeOnline(node, false);
    const before = (await data<Row[]>(sim, '/cluster/resources?type=vm')).find(
      (r) => r.vmid === guest.vmid,
    );
    clock.advance(30_000);
    const after = (await data<Row[]>(sim, '/cluster/resources?type=vm')).find(
      (r) => r.vmid === guest.vmid,
    );
    expect(after).toEqual(before);
  });
});
