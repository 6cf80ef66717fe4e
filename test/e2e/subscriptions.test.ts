/**
 * Subscriptions end to end (issue 6, DESIGN §5): a simulated PVE cluster changes underneath, the
 * real server syncs it, and independent graphql-ws and SSE clients must receive every change
 * once, in order, with the right contents — the `inventory_event` rows are the ground truth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/simulator.js';
import { NodeChanged, StorageChanged, VmChanged, VmSequences } from '../events/operations.js';
import {
  errorCodesOf,
  type Recording,
  subscribeSse,
  subscribeWs,
} from '../events/subscription-client.js';
import { CreateCluster } from '../graphql/operations.js';
import { registerSecret } from '../support/capture.js';
import { gql } from '../support/graphql-client.js';
import { eventually, startTestSimulator } from '../support/simulator-fixture.js';
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

/** logged lists the rows of the event log of one kind after a sequence: the ground truth. */
async function logged(kind: string, after: string): Promise<EventRow[]> {
  return app.db.query<EventRow>(
    `select sequence::text as sequence, type, object_key, node_name, previous_node_name, vmid
       from inventory_event where kind = $1 and cluster_id = $2 and sequence > $3::bigint
      order by sequence`,
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

/** subscribed waits until the server registered `count` more bus listeners than `baseline`. */
async function subscribed(baseline: number, count = 1): Promise<void> {
  await eventually(() => expect(app.services.bus.listenerCount).toBe(baseline + count));
}

/** sequencesOf lists the sequences a vmChanged/nodeChanged/storageChanged recording received. */
function sequencesOf(recording: Recording<Record<string, { sequence: string }>>): string[] {
  return recording.data().map((data) => Object.values(data)[0]!.sequence);
}

/** settled waits until the recording received exactly what the log holds (and nothing more). */
async function receivedAll(
  recording: Recording<Record<string, { sequence: string }>>,
  kind: string,
  after: string,
  timeoutMs = 10_000,
): Promise<string[]> {
  return eventually(
    async () => {
      const expected = (await logged(kind, after)).map((row) => row.sequence);
      expect(expected.length).toBeGreaterThan(0);
      expect(sequencesOf(recording)).toEqual(expected);
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
      input: {
        name: 'events',
        apiUrl: sim.url,
        tokenId: sim.tokenId,
        tokenSecret: sim.secret,
        tlsFingerprint: sim.fingerprint!,
      },
    },
    { token: READ_TOKEN },
  );
  expect(res.errors).toBeUndefined();
  clusterId = res.data!.createCluster.id;
  // The first sync: every guest ADDED.
  await eventually(async () =>
    expect((await logged('vm', '0')).length).toBe(sim.control.guests().length),
  );
});

afterAll(async () => {
  sim?.control.stopChurn();
  await app?.stop();
  await sim?.stop();
});

describe('vmChanged, nodeChanged and storageChanged', () => {
  it('graphql-ws and SSE both receive every guest change once, in order, with the guest as it was', async () => {
    const baseline = app.services.bus.listenerCount;
    const from = await quiet();
    const ws = subscribeWs(app.url, VmChanged, { clusterId }, WS_AUTH);
    const sse = subscribeSse(app.url, VmChanged, { clusterId }, SSE_AUTH);
    await subscribed(baseline, 2);

    const [renamed, removed, stopped] = sim.control
      .guests()
      .filter((g) => !g.template && g.status === 'running');
    const created = sim.control.addGuest({ name: 'ev-created', type: 'lxc', running: false });
    sim.control.updateGuest(renamed!.vmid, { name: 'ev-renamed', tags: ['ev', 'prod'] });
    sim.control.removeGuest(removed!.vmid);
    sim.control.stopGuest(stopped!.vmid);

    const expected = await receivedAll(ws, 'vm', from);
    expect(sequencesOf(sse)).toEqual(expected);
    expect(sse.data()).toEqual(ws.data());
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
});
