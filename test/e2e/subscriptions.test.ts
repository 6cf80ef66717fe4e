/**
 * Subscriptions end to end (issue 6, DESIGN §5): a simulated PVE cluster changes underneath, the
 * real server syncs it, and independent graphql-ws and SSE clients must receive every change
 * once, in order, with the right contents — the `inventory_event` rows are the ground truth.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventPruner } from '../../src/events/event-pruner.js';
import type { RunningSimulator } from '../../src/simulator/simulator.js';
import { NodeChanged, StorageChanged, VmChanged, VmSequences } from '../events/operations.js';
import {
  errorCodesOf,
  type Recording,
  subscribeSse,
  subscribeWs,
} from '../events/subscription-client.js';
import { CreateCluster } from '../graphql/operations.js';
import { registerSecret, testLogger } from '../support/capture.js';
import { gql } from '../support/graphql-client.js';
import { clusterInput, eventually, startTestSimulator } from '../support/simulator-fixture.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const READ_TOKEN = registerSecret('subscriptions-read-token-5d1e0c7a93');
const AUTH = `Bearer ${READ_TOKEN}`;
const WS_AUTH = { connectionParams: { authorization: AUTH } };
const SSE_AUTH = { authorization: AUTH };

let app: TestApp;
let sim: RunningSimulator;
let clusterId: string;

interface EventRow {
  sequence: string;
  type: string;
  object_key: string;
  node_name: string | null;
  previous_node_name: string | null;
  vmid: number | null;
}

/** Subscriptions a test opened; afterEach stops them, also when the test failed. */
const open: { stop(): Promise<void> }[] = [];
function track<R extends { stop(): Promise<void> }>(recording: R): R {
  open.push(recording);
  return recording;
}

afterEach(async () => {
  for (const recording of open.splice(0)) await recording.stop();
});

/** logged lists the rows of the event log of one kind after a sequence: the ground truth. */
async function logged(kind: string, after: string): Promise<EventRow[]> {
  return app.db.query<EventRow>(
    `select sequence::text as sequence, type, object_key, node_name, previous_node_name, vmid
       from inventory_event where kind = $1 and cluster_id = $2 and sequence > $3::bigint
      order by inventory_event.sequence`,
    [kind, Number(clusterId), after],
  );
}

async function head(): Promise<string> {
  const [row] = await app.db.query<{ head: string }>(
    'select coalesce(max(sequence), 0)::text as head from inventory_event',
  );
  return row!.head;
}

/** quiet waits until no event was written for `ms` (the sync caught up with the simulator). */
async function quiet(ms = 400): Promise<string> {
  let last = await head();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const now = await head();
    if (now === last) return now;
    last = now;
  }
}

/** noSubscribers waits until the subscriptions of earlier tests are released; returns 0. */
async function noSubscribers(): Promise<number> {
  await eventually(() => expect(app.services.bus.listenerCount).toBe(0));
  return 0;
}

/** subscribed waits until the server registered `count` more bus listeners than `baseline`. */
async function subscribed(baseline: number, count = 1): Promise<void> {
  await eventually(() => expect(app.services.bus.listenerCount).toBe(baseline + count));
}

/** sequencesOf lists the sequences a vmChanged/nodeChanged/storageChanged recording received. */
function sequencesOf(recording: Recording<Record<string, { sequence: string }>>): string[] {
  return recording.data().map((data) => Object.values(data)[0]!.sequence);
}

/**
 * receivedAll waits until each recording received exactly what the log holds after `after` (and
 * nothing more), all compared with one read of the log: a late event may arrive meanwhile.
 */
async function receivedAll(
  recordings:
    | Recording<Record<string, { sequence: string }>>
    | Recording<Record<string, { sequence: string }>>[],
  kind: string,
  after: string,
  timeoutMs = 10_000,
): Promise<string[]> {
  return eventually(
    async () => {
      const expected = (await logged(kind, after)).map((row) => row.sequence);
      expect(expected.length).toBeGreaterThan(0);
      for (const recording of [recordings].flat()) {
        expect(sequencesOf(recording)).toEqual(expected);
      }
      return expected;
    },
    { timeoutMs },
  );
}

beforeAll(async () => {
  sim = await startTestSimulator({ nodes: 3, guests: 24, seed: 61 });
  app = await startTestApp({
    env: {
      PVESPHERE_SYNC: 'true',
      PVESPHERE_POLL_INTERVAL: '100ms',
      PVESPHERE_DISCOVERY_INTERVAL: '1s',
      PVESPHERE_READ_TOKEN: READ_TOKEN,
      PVESPHERE_SUBSCRIBER_BUFFER: '50',
    },
  });
  const res = await gql(
    app.url,
    CreateCluster,
    {
      input: clusterInput(sim, 'events'),
    },
    { token: READ_TOKEN },
  );
  expect(res.errors).toBeUndefined();
  clusterId = res.data!.createCluster.id;
  // The first sync: every guest ADDED (then their addresses, as the agent answers).
  await eventually(async () =>
    expect((await logged('vm', '0')).filter((r) => r.type === 'ADDED').length).toBe(
      sim.control.guests().length,
    ),
  );
});

afterAll(async () => {
  sim?.control.stopChurn();
  await app?.stop();
  await sim?.stop();
});

describe('vmChanged, nodeChanged and storageChanged', () => {
  it('graphql-ws and SSE both receive every guest change once, in order, with the guest as it was', async () => {
    const baseline = await noSubscribers();
    const from = await quiet();
    const ws = track(subscribeWs(app.url, VmChanged, { clusterId }, WS_AUTH));
    const sse = track(subscribeSse(app.url, VmChanged, { clusterId }, SSE_AUTH));
    await subscribed(baseline, 2);

    const [renamed, removed, stopped] = sim.control
      .guests()
      .filter((g) => !g.template && g.status === 'running');
    const created = sim.control.addGuest({
      vmid: 901,
      name: 'ev-created',
      type: 'lxc',
      running: false,
    });
    sim.control.updateGuest(renamed!.vmid, { name: 'ev-renamed', tags: ['ev', 'prod'] });
    sim.control.removeGuest(removed!.vmid);
    sim.control.stopGuest(stopped!.vmid);

    const count = (await receivedAll([ws, sse], 'vm', from)).length;
    expect(sse.data().slice(0, count)).toEqual(ws.data().slice(0, count));
    const events = ws.data().map((d) => d.vmChanged);
    const about = (vmid: number) => events.filter((e) => e.vm.vmid === vmid);

    expect(about(created.vmid)[0]).toMatchObject({
      type: 'ADDED',
      clusterId,
      previous: null,
      vm: { vmid: created.vmid, type: 'LXC', name: 'ev-created', status: 'stopped', clusterId },
    });
    expect(about(renamed!.vmid)[0]).toMatchObject({
      type: 'UPDATED',
      changedFields: expect.arrayContaining(['name', 'tags']),
      vm: { name: 'ev-renamed', tags: ['ev', 'prod'] },
      previous: { name: renamed!.name },
    });
    expect(about(removed!.vmid)).toEqual([
      expect.objectContaining({
        type: 'DELETED',
        previous: null,
        // The last known state.
        vm: expect.objectContaining({
          vmid: removed!.vmid,
          name: removed!.name,
          node: removed!.node,
          status: 'running',
        }),
      }),
    ]);
    expect(about(stopped!.vmid)[0]).toMatchObject({
      type: 'UPDATED',
      changedFields: expect.arrayContaining(['status']),
      vm: { status: 'stopped' },
      previous: { status: 'running' },
    });
    for (const event of events) expect(Number.isNaN(Date.parse(event.at))).toBe(false);

    await ws.stop();
    await sse.stop();
    await eventually(() => expect(app.services.bus.listenerCount).toBe(baseline));
  });

  it('filters by node (a migration is seen from both sides), by vmid and by cluster', async () => {
    const baseline = await noSubscribers();
    await quiet();
    const guest = sim.control.guests().find((g) => !g.template && g.status === 'running')!;
    const source = guest.node;
    const target = sim.control.nodes().find((n) => n.name !== source)!.name;
    const other = sim.control.guests().find((g) => g.vmid !== guest.vmid && !g.template)!;
    const onSource = track(subscribeWs(app.url, VmChanged, { clusterId, node: source }, WS_AUTH));
    const onTarget = track(subscribeSse(app.url, VmChanged, { clusterId, node: target }, SSE_AUTH));
    const byVmid = track(subscribeWs(app.url, VmChanged, { vmid: guest.vmid }, WS_AUTH));
    const elsewhere = track(subscribeWs(app.url, VmChanged, { clusterId: '99999' }, WS_AUTH));
    await subscribed(baseline, 4);

    await sim.control.migrate(guest.vmid, target, { phaseMs: 300 });
    sim.control.updateGuest(other.vmid, { name: 'ev-other' });
    const moved = await eventually(() => {
      const events = byVmid.data().map((d) => d.vmChanged);
      const move = events.find((e) => e.changedFields.includes('node'));
      expect(move).toMatchObject({
        type: 'UPDATED',
        vm: { node: target },
        previous: { node: source },
      });
      // Unlocked on the target: the migration is over.
      expect(events.at(-1)!.vm.node).toBe(target);
      return move!;
    });
    await eventually(() => {
      const sourceSeen = onSource.data().map((d) => d.vmChanged);
      const targetSeen = onTarget.data().map((d) => d.vmChanged);
      expect(sourceSeen.map((e) => e.sequence)).toContain(moved.sequence);
      expect(targetSeen.map((e) => e.sequence)).toContain(moved.sequence);
      for (const e of sourceSeen) expect([e.vm.node, e.previous?.node]).toContain(source);
      for (const e of targetSeen) expect([e.vm.node, e.previous?.node]).toContain(target);
    });
    expect(byVmid.data().every((d) => d.vmChanged.vm.vmid === guest.vmid)).toBe(true);
    // What the log says about the guest, byVmid received exactly. Later events of the guest
    // (its details refreshed on the target) may be committed but not yet delivered, so the
    // comparison waits for delivery to catch up with the log.
    await quiet();
    await eventually(async () => {
      const rows = (await logged('vm', '0')).filter((r) => r.vmid === guest.vmid);
      expect(byVmid.data().map((d) => d.vmChanged.sequence)).toEqual(
        rows
          .filter((r) => Number(r.sequence) > Number(byVmid.data()[0]!.vmChanged.sequence) - 1)
          .map((r) => r.sequence),
      );
    });
    expect(elsewhere.results).toEqual([]);
    for (const s of [onSource, onTarget, byVmid, elsewhere]) await s.stop();
    await eventually(() => expect(app.services.bus.listenerCount).toBe(baseline));
  });

  it('nodeChanged and storageChanged carry nodes and storages added and deleted (with their last state)', async () => {
    const baseline = await noSubscribers();
    const from = await quiet();
    const nodes = track(subscribeWs(app.url, NodeChanged, { clusterId }, WS_AUTH));
    const storages = track(subscribeSse(app.url, StorageChanged, { clusterId }, SSE_AUTH));
    const firstNode = sim.control.nodes()[0]!.name;
    const oneNode = track(
      subscribeWs(app.url, StorageChanged, { clusterId, node: firstNode }, WS_AUTH),
    );
    await subscribed(baseline, 3);

    const added = sim.control.addNode();
    await eventually(() =>
      expect(nodes.data().map((d) => [d.nodeChanged.type, d.nodeChanged.node.name])).toContainEqual(
        ['ADDED', added.name],
      ),
    );
    sim.control.removeNode(added.name);
    sim.control.addStorage({ id: 'ev-nfs', type: 'nfs', content: ['images', 'backup'] });

    const nodeEvents = () => nodes.data().map((d) => d.nodeChanged);
    const nfs = () =>
      storages
        .data()
        .map((d) => d.storageChanged)
        .filter((e) => e.storage.name === 'ev-nfs');
    await eventually(() => {
      expect(nodeEvents().find((e) => e.type === 'ADDED')).toMatchObject({
        node: { name: added.name, clusterId },
        previous: null,
      });
      // The last known state of the node that left.
      expect(nodeEvents().find((e) => e.type === 'DELETED')).toMatchObject({
        node: { name: added.name, clusterId },
      });
      expect(
        nfs()
          .filter((e) => e.type === 'ADDED')
          .map((e) => e.storage.node)
          .sort(),
      ).toEqual(
        sim.control
          .nodes()
          .map((n) => n.name)
          .sort(),
      );
    });
    expect(nfs()[0]!.storage).toMatchObject({
      type: 'nfs',
      shared: true,
      content: ['backup', 'images'],
    });
    await receivedAll(nodes, 'node', from);
    await receivedAll(storages, 'storage', from);
    await eventually(() =>
      expect(oneNode.data().map((d) => d.storageChanged.storage.node)).toEqual(
        storages
          .data()
          .map((d) => d.storageChanged.storage.node)
          .filter((n) => n === firstNode),
      ),
    );
    expect(oneNode.results.length).toBeGreaterThan(0);
    for (const s of [nodes, storages, oneNode]) await s.stop();
  });
});

describe('resuming with after', () => {
  it('replays what changed during a forced disconnect, then continues live', async () => {
    const baseline = await noSubscribers();
    const from = await quiet();
    const [a, b, c] = sim.control.guests().filter((g) => !g.template);
    const first = track(subscribeWs(app.url, VmChanged, { clusterId }, WS_AUTH));
    await subscribed(baseline);
    sim.control.updateGuest(a!.vmid, { name: 'resume-1' });
    await first.waitFor(1);
    await quiet();
    const seen = sequencesOf(first);
    first.terminate();
    await eventually(() => expect(app.services.bus.listenerCount).toBe(baseline));

    // Meanwhile:
    sim.control.updateGuest(b!.vmid, { name: 'resume-2' });
    const created = sim.control.addGuest({ vmid: 902, name: 'resume-created', running: false });
    await eventually(async () =>
      expect((await logged('vm', seen.at(-1)!)).map((r) => r.vmid)).toEqual(
        expect.arrayContaining([b!.vmid, created.vmid]),
      ),
    );
    const again = track(
      subscribeWs(app.url, VmChanged, { clusterId, after: seen.at(-1)! }, WS_AUTH),
    );
    await again.waitFor(2);
    sim.control.updateGuest(c!.vmid, { name: 'resume-3' });
    await eventually(async () => {
      const expected = (await logged('vm', from)).map((r) => r.sequence);
      expect([...seen, ...sequencesOf(again)]).toEqual(expected);
      expect(again.data().map((d) => d.vmChanged.vm.name)).toEqual(
        expect.arrayContaining(['resume-2', 'resume-created', 'resume-3']),
      );
    });
    await again.stop();
  });

  it('has no gap and no duplicate while changes keep arriving during the replay (graphql-ws and SSE)', async () => {
    const from = await quiet();
    sim.control.startChurn(40);
    try {
      await eventually(async () => expect((await logged('vm', from)).length).toBeGreaterThan(20));
      const rows = await logged('vm', from);
      const mid = rows[Math.floor(rows.length / 2)]!.sequence;
      const fromStart = track(
        subscribeWs(app.url, VmSequences, { clusterId, after: from }, WS_AUTH),
      );
      const fromMid = track(
        subscribeSse(app.url, VmSequences, { clusterId, after: mid }, SSE_AUTH),
      );
      await new Promise((resolve) => setTimeout(resolve, 1500));
      sim.control.stopChurn();
      await quiet();
      // Both recordings against one read of the log (a late event may still arrive meanwhile).
      await eventually(async () => {
        const all = (await logged('vm', from)).map((row) => row.sequence);
        const tail = all.slice(all.indexOf(mid) + 1);
        expect(tail.length).toBeGreaterThan(0);
        expect(sequencesOf(fromStart)).toEqual(all);
        expect(sequencesOf(fromMid)).toEqual(tail);
      });
      for (const s of [fromStart, fromMid]) await s.stop();
    } finally {
      sim.control.stopChurn();
    }
  });
});

describe('refusals', () => {
  it('subscriptions need the read token on graphql-ws and SSE (UNAUTHENTICATED)', async () => {
    const baseline = await noSubscribers();
    const wrong = registerSecret('subscriptions-wrong-token-000000000');
    for (const params of [{}, { connectionParams: { Authorization: `Bearer ${wrong}` } }]) {
      const ws = track(subscribeWs(app.url, VmChanged, { clusterId }, params));
      await ws.ended();
      expect(errorCodesOf(ws)).toEqual(['UNAUTHENTICATED']);
      await ws.stop();
    }
    for (const headers of [{}, { authorization: `Bearer ${wrong}` }] as Record<string, string>[]) {
      const sse = track(subscribeSse(app.url, VmChanged, { clusterId }, headers));
      await sse.ended();
      expect(errorCodesOf(sse)).toEqual(['UNAUTHENTICATED']);
      await sse.stop();
    }
    expect(app.services.bus.listenerCount).toBe(baseline);
  });

  it('a malformed after is BAD_USER_INPUT; an unknown or pruned one is EVENTS_EXPIRED', async () => {
    const baseline = await noSubscribers();
    const refused = async (after: string) => {
      const ws = track(subscribeWs(app.url, VmChanged, { clusterId, after }, WS_AUTH));
      await ws.ended();
      await ws.stop();
      return errorCodesOf(ws);
    };
    for (const after of ['abc', '-1', '1.5', '', '99999999999999999999']) {
      expect(await refused(after)).toEqual(['BAD_USER_INPUT']);
    }
    // Never assigned by this log (a sequence from another database).
    expect(await refused('9000000000000000000')).toEqual(['EVENTS_EXPIRED']);

    await quiet();
    const rows = await logged('vm', '0');
    const cut = rows[10]!.sequence;
    await app.db.query(
      `update inventory_event set at = now() - interval '30 days' where sequence <= $1::bigint`,
      [cut],
    );
    const pruner = new EventPruner({
      pool: app.services.db.pool,
      retentionMs: 7 * 86_400_000,
      batchSize: 4,
      logger: testLogger({ component: 'pruner-test' }),
    });
    const pruned = await pruner.pruneOnce();
    expect(pruned).toMatchObject({ deleted: Number(cut), through: cut });
    expect(pruned.batches).toBeGreaterThan(1);

    const sse = track(
      subscribeSse(app.url, VmChanged, { clusterId, after: String(Number(cut) - 1) }, SSE_AUTH),
    );
    await sse.ended();
    expect(errorCodesOf(sse)).toEqual(['EVENTS_EXPIRED']);
    await sse.stop();
    // The last pruned sequence still resumes: nothing after it is missing.
    const resumed = track(subscribeWs(app.url, VmSequences, { clusterId, after: cut }, WS_AUTH));
    await resumed.waitFor(rows.length - 11);
    expect(sequencesOf(resumed)).toEqual(rows.slice(11).map((r) => r.sequence));
    await resumed.stop();
    await eventually(() => expect(app.services.bus.listenerCount).toBe(baseline));
  });
});
