import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import {
  type IpAddressRecord,
  ipAddressFromRow,
  vmFromRow,
} from '../../src/db/inventory-records.js';
import type { InventoryEvent } from '../../src/events/inventory-change.js';
import {
  ClusterSync,
  type ClusterSyncOptions,
  type SyncSettings,
} from '../../src/inventory/cluster-sync.js';
import { sortIpAddresses } from '../../src/inventory/state.js';
import type { SyncStatusUpdate } from '../../src/inventory/sync-status.js';
import { realClock } from '../../src/lib/clock.js';
import { Limiter } from '../../src/lib/limiter.js';
import { PveClient } from '../../src/proxmox/client.js';
import type { RunningSimulator } from '../../src/simulator/simulator.js';
import { registerSecret, testLogger } from '../support/capture.js';
import { collectGarbage } from '../support/collect-garbage.js';
import { eventually, startTestSimulator } from '../support/simulator-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const SETTINGS: SyncSettings = {
  pollIntervalMs: 150,
  resyncIntervalMs: 60_000,
  metricsIntervalMs: 60_000,
  ipRefreshIntervalMs: 60_000,
  listStrategy: 'cluster-resources',
  deleteConfirmations: 2,
  detailConcurrency: 4,
};

let testDb: TestDatabase;
let db: Database;
let sim: RunningSimulator;
let clusterId = 0;
const syncs: ClusterSync[] = [];

interface Harness {
  sync: ClusterSync;
  events: InventoryEvent[];
  statuses: SyncStatusUpdate[];
  client: PveClient;
  /** Quiet points the sync called (one per cycle). */
  quiet: { points: number };
}

async function insertCluster(name: string): Promise<number> {
  const [row] = await testDb.query<{ id: number }>(
    `insert into pve_cluster (cluster_name, api_url, user_id, user_token) values ($1, $2, $3, 'x') returning id`,
    [name, sim.url, sim.tokenId],
  );
  return row!.id;
}

function startSync(
  settings: Partial<SyncSettings> = {},
  secret = sim.secret,
  options: Partial<Pick<ClusterSyncOptions, 'writeSlots' | 'status'>> = {},
  /** Changes the client before the sync starts (its first requests go out at once). */
  prepareClient: (client: PveClient) => void = () => {},
): Harness {
  const events: InventoryEvent[] = [];
  const statuses: SyncStatusUpdate[] = [];
  const quiet = { points: 0 };
  const client = new PveClient({
    baseUrl: sim.url,
    tokenId: sim.tokenId,
    secret,
    tlsFingerprint: sim.fingerprint!,
  });
  prepareClient(client);
  const sync = new ClusterSync({
    cluster: { id: clusterId, name: `sim-${clusterId}`, apiUrl: sim.url },
    client,
    db,
    settings: { ...SETTINGS, ...settings },
    publish: (batch) => events.push(...batch),
    logger: testLogger({ test: 'cluster-sync' }),
    quietPoint: () => quiet.points++,
    ...options,
    status:
      options.status ??
      (async (_id, update) => {
        statuses.push(update);
      }),
  });
  syncs.push(sync);
  sync.start();
  return { sync, events, statuses, client, quiet };
}

async function stopAll(): Promise<void> {
  for (const sync of syncs.splice(0)) await sync.stop();
}

/** holdSlot takes one of the limiter's slots, as another cluster's long write would. */
function holdSlot(slots: Limiter): { release: () => void; done: Promise<void> } {
  let release = () => {};
  const done = slots.run(() => new Promise<void>((resolve) => (release = resolve)));
  return { release: () => release(), done };
}

/**
 * TakenAfterFirstTask is a Limiter whose slot the test takes (as another cluster's write would)
 * the moment the first task it ran for the sync — the load of its inventory — is done.
 */
class TakenAfterFirstTask extends Limiter {
  other: { release: () => void; done: Promise<void> } | undefined;
  #ran = false;

  override async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const first = !this.#ran;
    this.#ran = true;
    const result = await super.run(task, signal);
    if (first) this.other = holdSlot(this);
    return result;
  }
}

/** startBehindHeldSlot starts a sync on a fresh cluster whose only database slot is taken. */
async function startBehindHeldSlot() {
  const slots = new Limiter(1);
  const other = holdSlot(slots);
  await freshCluster();
  const h = startSync({}, sim.secret, { writeSlots: slots });
  await eventually(() => expect(slots.pending).toBe(1));
  return { h, other, slots };
}

const count = async (table: string) =>
  Number(
    (
      await testDb.query<{ n: string }>(
        `select count(*) as n from ${table} where cluster_id = $1`,
        [clusterId],
      )
    )[0]!.n,
  );

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = await openDatabase({ clientUrl: testDb.url, logger: testLogger() });
});

afterAll(async () => {
  await stopAll();
  await db?.close();
  await testDb?.drop();
});

afterEach(async () => {
  await stopAll();
  await sim?.stop();
});

async function freshCluster(options: Parameters<typeof startTestSimulator>[0] = {}) {
  sim = await startTestSimulator({ nodes: 3, guests: 24, seed: 7, ...options });
  clusterId = await insertCluster(`sim-${Date.now()}-${Math.random()}`);
}

describe('ClusterSync', () => {
  it('writes the whole inventory on the first poll, with one ADDED event per object', async () => {
    await freshCluster();
    const h = startSync();
    await eventually(() => expect(h.sync.hasSynced()).toBe(true));
    expect(await count('pve_node')).toBe(sim.control.nodes().length);
    expect(await count('pve_vm')).toBe(sim.control.guests().length);
    expect(await count('pve_storage')).toBeGreaterThan(3);
    // Every object is ADDED exactly once (details fetched afterwards arrive as UPDATED).
    const added = h.events.filter((e) => e.type === 'ADDED');
    const objects =
      (await count('pve_node')) + (await count('pve_vm')) + (await count('pve_storage'));
    expect(added.length).toBe(objects);
    expect(new Set(added.map((e) => e.objectKey)).size).toBe(objects);
    expect(h.events.some((e) => e.type === 'DELETED')).toBe(false);
    expect(h.statuses.map((s) => s.state)).toEqual(['SYNCING', 'SYNCED']);
    // Sequences are increasing decimal strings.
    const sequences = h.events.map((e) => BigInt(e.sequence));
    expect(sequences).toEqual([...sequences].sort((a, b) => (a < b ? -1 : 1)));
  });

  it('asks PVE for its first listing and node addresses at once, while it still starts up', async () => {
    await freshCluster();
    let started = () => {};
    const starting = new Promise<void>((resolve) => (started = resolve));
    // The SYNCING status (recorded before the stored inventory is read) hangs until released.
    const h = startSync({}, sim.secret, { status: () => starting });
    await eventually(() => {
      const asked = sim.control.counters().byEndpoint;
      expect(asked['GET /cluster/resources']).toBe(1);
      expect(asked['GET /cluster/status']).toBe(1);
    });
    expect(h.sync.hasSynced()).toBe(false);
    started();
    await eventually(() => expect(h.sync.hasSynced()).toBe(true));
    // The first poll used those answers: no request of its own.
    const asked = sim.control.counters().byEndpoint;
    expect(asked['GET /cluster/resources']).toBe(1);
    expect(asked['GET /cluster/status']).toBe(1);
    expect(await count('pve_vm')).toBe(sim.control.guests().length);
    const [node] = await testDb.query<{ ip_address: string | null }>(
      'select ip_address from pve_node where cluster_id = $1 limit 1',
      [clusterId],
    );
    expect(node?.ip_address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('keeps nothing of its first listing once it is written', async () => {
    await freshCluster();
    let firstListing: WeakRef<object> | undefined;
    const h = startSync({}, sim.secret, {}, (client) => {
      const listSince = client.listClusterResourcesSince.bind(client);
      client.listClusterResourcesSince = async (known, options) => {
        const listed = await listSince(known, options);
        firstListing ??= new WeakRef(listed.guests);
        return listed;
      };
    });
    await eventually(() => expect(h.sync.hasSynced()).toBe(true));
    sim.control.resetCounters();
    await eventually(() =>
      expect(sim.control.counters().byEndpoint['GET /cluster/resources']).toBeGreaterThanOrEqual(2),
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    expect(firstListing).toBeDefined();
    expect(firstListing?.deref()).toBeUndefined();
  });

  it('waits for a database slot shared with other clusters before loading its inventory', async () => {
    // PVE is asked at once; the load waits behind the other cluster's write, and so does the rest.
    const { h, other } = await startBehindHeldSlot();
    expect(sim.control.counters().byEndpoint['GET /cluster/resources']).toBe(1);
    expect(await count('pve_vm')).toBe(0);
    expect(h.sync.hasSynced()).toBe(false);
    other.release();
    await eventually(() => expect(h.sync.hasSynced()).toBe(true));
    expect(await count('pve_vm')).toBe(sim.control.guests().length);
    expect(h.events.filter((e) => e.type === 'ADDED').length).toBeGreaterThan(0);
  });

  it('waits for a database slot before writing its cycle, and leaves the line when stopped', async () => {
    const slots = new TakenAfterFirstTask(1);
    await freshCluster();
    const h = startSync({}, sim.secret, { writeSlots: slots });
    // Loaded (the first task), polled and mapped, now waiting to write: nothing written yet.
    await eventually(() => expect(slots.pending).toBe(1));
    expect(slots.other).toBeDefined();
    expect(await count('pve_vm')).toBe(0);
    // Stopping aborts the wait at once: the slot freed right after goes to nobody's cycle.
    const stopping = h.sync.stop();
    slots.other?.release();
    await stopping;
    await slots.other?.done;
    expect(slots.active + slots.pending).toBe(0);
    expect(await count('pve_vm')).toBe(0);
    expect(h.events).toEqual([]);
  });

  it('stops while waiting for a database slot to load its inventory', async () => {
    const { h, other, slots } = await startBehindHeldSlot();
    await h.sync.stop();
    expect(slots.pending).toBe(0);
    other.release();
    await other.done;
    expect(await count('pve_vm')).toBe(0);
    expect(h.statuses.map((s) => s.state)).toEqual(['SYNCING']);
  });

  it('uses one list request per steady poll and writes nothing when nothing changed', async () => {
    await freshCluster();
    const h = startSync();
    await eventually(() => expect(h.sync.hasSynced()).toBe(true));
    // Let the first details settle, then watch a few idle polls.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const eventsBefore = h.events.length;
    const [stamp] = await testDb.query<{ n: string; t: Date }>(
      'select count(*) as n, max(updated_at) as t from pve_vm where cluster_id = $1',
      [clusterId],
    );
    sim.control.resetCounters();
    const quietBefore = h.quiet.points;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const counters = sim.control.counters();
    const polls = counters.byEndpoint['GET /cluster/resources'] ?? 0;
    expect(polls).toBeGreaterThanOrEqual(4);
    expect(counters.list).toBe(polls);
    // Every cycle ends at a quiet point (where a young-generation collection may run).
    expect(Math.abs(h.quiet.points - quietBefore - polls)).toBeLessThanOrEqual(1);
    expect(h.events.length).toBe(eventsBefore);
    const [after] = await testDb.query<{ n: string; t: Date }>(
      'select count(*) as n, max(updated_at) as t from pve_vm where cluster_id = $1',
      [clusterId],
    );
    expect(after).toEqual(stamp);
  });

  it('writes its usage one interval after its start, then on its own phase of the interval', async () => {
    await freshCluster();
    const interval = 1000;
    const touches: number[] = [];
    const startedAt = realClock.now();
    // Half an interval away from the start's own beat, where flushes one interval apart would be.
    const phase = Math.floor((startedAt + interval / 2) % interval);
    startSync({ metricsIntervalMs: interval, metricsPhaseMs: phase }, undefined, {
      // A flush ends with a touch of the sync status (the only update without `lastError`).
      status: async (_id, update) => {
        if (!('lastError' in update)) touches.push(realClock.now());
      },
    });
    await eventually(() => expect(touches.length).toBeGreaterThanOrEqual(3), { timeoutMs: 10_000 });
    expect(touches[0]! - startedAt).toBeGreaterThanOrEqual(interval - 5);
    // Each later flush at or shortly after its phase: timers fire late under load (and up to a
    // millisecond early: the event loop's clock counts whole milliseconds).
    for (const at of touches.slice(1, 3)) {
      const late = (((at - phase + 5) % interval) + interval) % interval;
      expect(late).toBeLessThan(interval / 4);
    }
    expect(touches[1]! - touches[0]!).toBeGreaterThan(interval / 2 - 5);
  });

  it('reads unchanged guest rows by their usage only, and still writes every change, undone ones too', async () => {
    await freshCluster();
    const h = startSync();
    const reads: { full: number; unchanged: number }[] = [];
    const listSince = h.client.listClusterResourcesSince.bind(h.client);
    h.client.listClusterResourcesSince = async (known, options) => {
      const listed = await listSince(known, options);
      reads.push({ full: listed.guests.length, unchanged: listed.unchangedGuests.length });
      return listed;
    };
    await eventually(() => expect(h.sync.hasSynced()).toBe(true));
    const guests = sim.control.guests().length;
    await eventually(() => expect(reads.at(-1)).toEqual({ full: 0, unchanged: guests }));
    const nameOf = async (vmid: number) =>
      (
        await testDb.query<{ vm_name: string }>(
          'select vm_name from pve_vm where cluster_id = $1 and vmid = $2',
          [clusterId, vmid],
        )
      )[0]?.vm_name;
    const target = sim.control.guests().find((g) => !g.template)!;
    sim.control.updateGuest(target.vmid, { name: 'renamed-once' });
    await eventually(async () => expect(await nameOf(target.vmid)).toBe('renamed-once'));
    // Back to the very row the first state was made from: a change, not "unchanged".
    sim.control.updateGuest(target.vmid, { name: target.name });
    await eventually(async () => expect(await nameOf(target.vmid)).toBe(target.name));
    expect(
      h.events
        .filter((e) => e.vmid === target.vmid && e.changedFields.includes('name'))
        .map((e) => (e.payload as { name: string }).name),
    ).toEqual(['renamed-once', target.name]);
    expect(reads.some((r) => r.full === 1 && r.unchanged === guests - 1)).toBe(true);
  });

  it('follows additions, removals, renames, power changes and migrations', async () => {
    await freshCluster();
    const h = startSync();
    await eventually(() => expect(h.sync.hasSynced()).toBe(true));
    const [first, second, third] = sim.control.guests().filter((g) => !g.template);
    const target = sim.control.nodes().find((n) => n.name !== third!.node)!.name;
    const added = sim.control.addGuest({ name: 'new-guest', type: 'lxc', running: true });
    sim.control.removeGuest(first!.vmid);
    sim.control.updateGuest(second!.vmid, { name: 'renamed-guest' });
    sim.control.migrate(third!.vmid, target, { phaseMs: 50 });
    await eventually(async () => {
      const rows = await testDb.query<{
        vmid: number;
        vm_name: string;
        node_name: string;
        lock: string | null;
      }>('select vmid, vm_name, node_name, lock from pve_vm where cluster_id = $1', [clusterId]);
      const byVmid = new Map(rows.map((r) => [r.vmid, r]));
      expect(byVmid.get(added.vmid)?.vm_name).toBe('new-guest');
      expect(byVmid.has(first!.vmid)).toBe(false);
      expect(byVmid.get(second!.vmid)?.vm_name).toBe('renamed-guest');
      expect(byVmid.get(third!.vmid)).toMatchObject({ node_name: target, lock: null });
    });
    const forVm = (vmid: number) => h.events.filter((e) => e.vmid === vmid);
    expect(forVm(added.vmid).map((e) => e.type)).toContain('ADDED');
    // ADDED first, DELETED last (details fetched meanwhile may add an UPDATED in between).
    const types = forVm(first!.vmid).map((e) => e.type);
    expect([types[0], types.at(-1), types.filter((t) => t === 'DELETED').length]).toEqual([
      'ADDED',
      'DELETED',
      1,
    ]);
    const rename = forVm(second!.vmid).find((e) => e.changedFields.includes('name'))!;
    expect(rename.previous).toMatchObject({ name: second!.name });
    expect(rename.payload).toMatchObject({ name: 'renamed-guest' });
    const move = forVm(third!.vmid).find((e) => e.changedFields.includes('node'))!;
    expect(move).toMatchObject({ type: 'UPDATED', node: target, previousNode: third!.node });
    expect(forVm(third!.vmid).some((e) => e.type === 'DELETED')).toBe(false);
    // The newest event of each guest carries the row exactly as stored (it is built from what
    // was written, not read back).
    await eventually(async () => {
      const rows = await testDb.query('select * from pve_vm where cluster_id = $1', [clusterId]);
      const ips = await testDb.query(
        'select * from vm_ipaddress where cluster_id = $1 order by nic_name, ip_address',
        [clusterId],
      );
      for (const row of rows) {
        const last = h.events.filter((e) => e.kind === 'vm' && e.vmid === Number(row.vmid)).at(-1)!;
        const stored = vmFromRow(
          row,
          sortIpAddresses(ips.filter((ip) => ip.vm_id === row.id).map(ipAddressFromRow)),
        );
        expect(last.payload).toEqual(stored);
      }
    });
  });

  it('starts from the database after a restart: unchanged objects write nothing, vanished ones are deleted', async () => {
    await freshCluster();
    let h = startSync();
    await eventually(() => expect(h.sync.hasSynced()).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await stopAll();
    const [gone] = sim.control.guests();
    sim.control.removeGuest(gone!.vmid);
    const [before] = await testDb.query<{ n: string }>('select count(*) as n from inventory_event');
    h = startSync();
    await eventually(() => expect(h.sync.hasSynced()).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.events.map((e) => `${e.type} ${e.objectKey}`)).toEqual([
      `DELETED ${gone!.type}/${gone!.vmid}`,
    ]);
    const [after] = await testDb.query<{ n: string }>('select count(*) as n from inventory_event');
    expect(Number(after!.n) - Number(before!.n)).toBe(1);
  });

  it('keeps the guests of an offline node, unknown after the staleness window, and takes them back', async () => {
    await freshCluster({ stalenessMs: 400 });
    const h = startSync();
    await eventually(() => expect(h.sync.hasSynced()).toBe(true));
    const node = sim.control.nodes().find((n) => !n.entry && n.guests > 0)!;
    const onNode = sim.control.guests().filter((g) => g.node === node.name);
    const names = new Map(onNode.map((g) => [g.vmid, g.name]));
    sim.control.setNodeOnline(node.name, false);
    await eventually(async () => {
      const rows = await testDb.query<{ vmid: number; vm_name: string; status: string }>(
        'select vmid, vm_name, status from pve_vm where cluster_id = $1 and node_name = $2',
        [clusterId, node.name],
      );
      expect(rows).toHaveLength(onNode.length);
      for (const row of rows) {
        expect(row.status).toBe('unknown');
        expect(row.vm_name).toBe(names.get(row.vmid) ?? null);
      }
    });
    expect(h.events.some((e) => e.type === 'DELETED')).toBe(false);
    sim.control.setNodeOnline(node.name, true);
    await eventually(async () => {
      const rows = await testDb.query<{ status: string }>(
        `select status from pve_vm where cluster_id = $1 and node_name = $2 and status = 'unknown'`,
        [clusterId, node.name],
      );
      expect(rows).toHaveLength(0);
    });
  });

  it('holds a mass deletion (a token that lost its privileges) until confirmed', async () => {
    await freshCluster();
    const h = startSync({ deleteConfirmations: 3, pollIntervalMs: 300 });
    await eventually(() => expect(h.sync.hasSynced()).toBe(true));
    const vms = await count('pve_vm');
    sim.control.dropPrivileges(sim.tokenId);
    await eventually(() =>
      expect(h.statuses.at(-1)?.lastError ?? '').toMatch(/^warning: .*vanished from PVE's answer/),
    );
    expect(await count('pve_vm')).toBe(vms);
    sim.control.restorePrivileges(sim.tokenId);
    await eventually(() =>
      expect(h.statuses.at(-1)).toMatchObject({ state: 'SYNCED', lastError: null }),
    );
    expect(await count('pve_vm')).toBe(vms);
    expect(h.events.some((e) => e.type === 'DELETED')).toBe(false);
  });

  it('does not count a cycle that only writes new guest details as a confirmation of a held deletion', async () => {
    await freshCluster({ guests: 8 });
    const kept = sim.control
      .guests()
      .find((g) => g.type === 'qemu' && g.status === 'running' && g.agentRunning && g.nics[0])!;
    const h = startSync({
      deleteConfirmations: 1,
      pollIntervalMs: 2_500,
      ipRefreshIntervalMs: 200,
    });
    await eventually(() => expect(h.sync.hasSynced()).toBe(true));
    const vms = await count('pve_vm');
    for (const guest of sim.control.guests()) {
      if (guest.vmid !== kept.vmid) sim.control.removeGuest(guest.vmid);
    }
    await eventually(
      () =>
        expect(h.statuses.at(-1)?.lastError ?? '').toMatch(
          /^warning: .*vanished from PVE's answer/,
        ),
      { timeoutMs: 5_000 },
    );
    // Between two polls, only the kept guest's agent answer changes: a details-only cycle.
    sim.control.setGuestAddresses(kept.vmid, kept.nics[0]!.index, { ipv4: '192.0.2.91/24' });
    await eventually(async () => {
      const [row] = await testDb.query<{ n: string }>(
        `select count(*) as n from vm_ipaddress where cluster_id = $1 and ip_address = '192.0.2.91'`,
        [clusterId],
      );
      expect(Number(row!.n)).toBe(1);
    });
    expect(await count('pve_vm')).toBe(vms);
    // The next poll is the confirmation.
    await eventually(async () => expect(await count('pve_vm')).toBe(1), { timeoutMs: 6_000 });
  });

  it('applies a confirmed mass deletion', async () => {
    await freshCluster({ guests: 6 });
    const h = startSync({ deleteConfirmations: 1 });
    await eventually(() => expect(h.sync.hasSynced()).toBe(true));
    for (const guest of sim.control.guests()) sim.control.removeGuest(guest.vmid);
    await eventually(async () => expect(await count('pve_vm')).toBe(0));
    expect(h.events.filter((e) => e.type === 'DELETED' && e.kind === 'vm')).toHaveLength(6);
  });

  it('reports a revoked token as ERROR, keeps the data, and recovers by itself', async () => {
    await freshCluster();
    const h = startSync({ pollIntervalMs: 100 });
    await eventually(() => expect(h.sync.hasSynced()).toBe(true));
    const vms = await count('pve_vm');
    sim.control.revokeToken(sim.tokenId);
    await eventually(() => expect(h.statuses.at(-1)).toMatchObject({ state: 'ERROR' }));
    expect(h.statuses.at(-1)!.lastError).toMatch(/HTTP 401/);
    expect(h.statuses.at(-1)!.lastError).not.toContain(sim.secret);
    expect(await count('pve_vm')).toBe(vms);
    sim.control.restoreToken(sim.tokenId);
    await eventually(
      () => expect(h.statuses.at(-1)).toMatchObject({ state: 'SYNCED', lastError: null }),
      {
        timeoutMs: 15_000,
      },
    );
  });

  it('backs off while PVE is down instead of hammering it, and deletes nothing', async () => {
    await freshCluster();
    const h = startSync({ pollIntervalMs: 50 });
    await eventually(() => expect(h.sync.hasSynced()).toBe(true));
    const vms = await count('pve_vm');
    sim.control.addFault({ kind: 'status', status: 503, path: '/cluster/resources', count: 1000 });
    sim.control.resetCounters();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const calls = sim.control.counters().byEndpoint['GET /cluster/resources'] ?? 0;
    // At a 50 ms poll interval 3 s would be 60 calls; the backoff (0.8 s, 1.6 s, …) allows ~3.
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(6);
    expect(h.statuses.at(-1)).toMatchObject({ state: 'ERROR' });
    expect(await count('pve_vm')).toBe(vms);
    sim.control.clearFaults();
    await eventually(() => expect(h.statuses.at(-1)).toMatchObject({ state: 'SYNCED' }), {
      timeoutMs: 15_000,
    });
  });

  it('fills guest IP addresses from the agent and templates into vm_template', async () => {
    await freshCluster();
    const h = startSync();
    await eventually(() => expect(h.sync.hasSynced()).toBe(true));
    const withAgent = sim.control
      .guests()
      .filter(
        (g) =>
          g.type === 'qemu' &&
          g.status === 'running' &&
          g.agentRunning &&
          g.nics.some((n) => n.ipv4),
      );
    expect(withAgent.length).toBeGreaterThan(0);
    await eventually(async () => {
      const rows = await testDb.query<{ vmid: number; ip_address: string; mac_address: string }>(
        `select v.vmid, i.ip_address, i.mac_address from vm_ipaddress i join pve_vm v on v.id = i.vm_id
          where i.cluster_id = $1`,
        [clusterId],
      );
      for (const guest of withAgent) {
        const nic = guest.nics.find((n) => n.ipv4)!;
        expect(rows).toContainEqual({
          vmid: guest.vmid,
          ip_address: nic.ipv4!.split('/')[0],
          mac_address: nic.mac.toUpperCase(),
        });
      }
    });
    const template =
      sim.control.guests().find((g) => !g.template && g.status === 'stopped') ??
      sim.control.guests()[0]!;
    if (template.status === 'running') sim.control.stopGuest(template.vmid);
    sim.control.convertToTemplate(template.vmid);
    await eventually(async () => {
      const rows = await testDb.query<{ vmid: number }>(
        'select vmid from vm_template where cluster_id = $1',
        [clusterId],
      );
      expect(rows.map((r) => r.vmid)).toContain(template.vmid);
    });

    // A rename: the event's `previous` is the row replaced, with the addresses stored for it (in
    // NIC, then address order); and a vm_template row that a guest which is no template has
    // (inserted by hand here) is removed when the guest is written.
    const renamed = withAgent[0]!;
    const stored = await testDb.query<{ nic_name: string; ip_address: string }>(
      `select i.nic_name, i.ip_address from vm_ipaddress i join pve_vm v on v.id = i.vm_id
        where v.cluster_id = $1 and v.vmid = $2 order by i.nic_name, i.ip_address`,
      [clusterId, renamed.vmid],
    );
    expect(stored.length).toBeGreaterThan(0);
    await testDb.query(
      `insert into vm_template (cluster_id, vm_id, vmid, template_name, node_name, type)
       select cluster_id, id, vmid, 'stale', node_name, type from pve_vm
        where cluster_id = $1 and vmid = $2`,
      [clusterId, renamed.vmid],
    );
    sim.control.updateGuest(renamed.vmid, { name: `${renamed.name}-renamed` });
    await eventually(() => {
      const update = h.events.find(
        (e) =>
          e.kind === 'vm' &&
          e.vmid === renamed.vmid &&
          e.type === 'UPDATED' &&
          e.changedFields.includes('name'),
      );
      expect(update).toBeDefined();
      const previous = update!.previous as { name: string; ipAddresses: IpAddressRecord[] };
      expect(previous.name).toBe(renamed.name);
      expect(previous.ipAddresses.map((ip) => [ip.nicName, ip.ipAddress])).toEqual(
        stored.map((row) => [row.nic_name, row.ip_address]),
      );
    });
    const stale = await testDb.query(
      'select 1 from vm_template where cluster_id = $1 and vmid = $2',
      [clusterId, renamed.vmid],
    );
    expect(stale).toEqual([]);
    registerSecret(sim.secret);
  });

  it("lists per node when configured (1 + 3·N requests per poll), keeping an offline node's guests", async () => {
    await freshCluster({ nodes: 4 });
    const h = startSync({ listStrategy: 'per-node', pollIntervalMs: 200 });
    await eventually(() => expect(h.sync.hasSynced()).toBe(true));
    expect(await count('pve_vm')).toBe(sim.control.guests().length);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    sim.control.resetCounters();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const counters = sim.control.counters();
    const polls = counters.byEndpoint['GET /nodes'] ?? 0;
    expect(polls).toBeGreaterThanOrEqual(3);
    // 1 + 3·N per poll; a poll in flight when the counters were reset may be cut in two.
    expect(Math.abs(counters.list - polls * (1 + 3 * 4))).toBeLessThan(1 + 3 * 4);
    expect(counters.byEndpoint['GET /cluster/resources'] ?? 0).toBe(0);
    const node = sim.control.nodes().find((n) => !n.entry && n.guests > 0)!;
    sim.control.setNodeOnline(node.name, false);
    await new Promise((resolve) => setTimeout(resolve, 800));
    const rows = await testDb.query<{ status: string }>(
      'select status from pve_vm where cluster_id = $1 and node_name = $2',
      [clusterId, node.name],
    );
    expect(rows).toHaveLength(node.guests);
    expect(rows.every((r) => r.status === 'unknown')).toBe(true);
    expect(h.events.some((e) => e.type === 'DELETED')).toBe(false);
  });

  it('writes a large first sync in one transaction, logging its progress', async () => {
    await freshCluster({ nodes: 20, guests: 5000 });
    const started = Date.now();
    const h = startSync({ pollIntervalMs: 1000 });
    await eventually(() => expect(h.sync.hasSynced()).toBe(true), { timeoutMs: 30_000 });
    const ms = Date.now() - started;
    expect(await count('pve_vm')).toBe(5000);
    expect(h.events.filter((e) => e.kind === 'vm' && e.type === 'ADDED')).toHaveLength(5000);
    // Sequences of one transaction are contiguous.
    const vmSequences = h.events.slice(0, 5000 + 20).map((e) => Number(e.sequence));
    expect(vmSequences.at(-1)! - vmSequences[0]!).toBe(vmSequences.length - 1);
    expect(ms).toBeLessThan(20_000);
  });
});
