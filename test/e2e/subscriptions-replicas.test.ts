/**
 * Fan-out across server processes (issue 6 §5, DESIGN §7): two real pvesphere processes share
 * one database with `PVESPHERE_BUS=postgres`; A syncs a simulated cluster (in this process), B is
 * a serve-only replica (`PVESPHERE_SYNC=false`). Subscribers of B must receive what A writes:
 * every event once, in order, with its contents — the same stream A's own subscribers get.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/simulator.js';
import { VmChanged } from '../events/operations.js';
import { type Recording, subscribeSse, subscribeWs } from '../events/subscription-client.js';
import { CreateCluster } from '../graphql/operations.js';
import { gql } from '../support/graphql-client.js';
import { makeDataDir, type RunningServer, startServer } from '../support/process-server.js';
import { clusterInput, eventually, startTestSimulator } from '../support/simulator-fixture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let db: TestDatabase;
let sim: RunningSimulator;
let syncing: RunningServer;
let replica: RunningServer;
const dataDirs: string[] = [];

async function serve(name: string, env: Record<string, string>): Promise<RunningServer> {
  const dataDir = await makeDataDir(`pvesphere-${name}-`);
  dataDirs.push(dataDir);
  return startServer({
    name,
    env: {
      DATABASE_URL: db.url,
      PVESPHERE_DATA_DIR: dataDir,
      PVESPHERE_BUS: 'postgres',
      LOG_LEVEL: 'info',
      ...env,
    },
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  [sim, syncing, replica] = await Promise.all([
    startTestSimulator({ nodes: 3, guests: 12, seed: 23 }),
    serve('replica-a', { PVESPHERE_SYNC: 'true', PVESPHERE_POLL_INTERVAL: '150ms' }),
    serve('replica-b', { PVESPHERE_SYNC: 'false' }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([syncing?.stop(), replica?.stop()]);
  await sim?.stop();
  await db?.drop();
  for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
});

type VmEvents = Recording<{
  vmChanged: { sequence: string; type: string; vm: { vmid: number; name: string | null } };
}>;

const sequencesOf = (recording: VmEvents) => recording.data().map((d) => d.vmChanged.sequence);

describe('PVESPHERE_BUS=postgres across two server processes', () => {
  it('a subscriber of the serve-only replica receives what the syncing process writes, once and in order', async () => {
    for (const server of [syncing, replica]) {
      const started = await server.waitForLog((l) => l.msg === 'postgres event bus started');
      expect(started.mode).toBe('listen');
    }
    // Live (no after) on B over both transports, and on A for comparison.
    const onReplicaWs: VmEvents = subscribeWs(replica.url, VmChanged, {});
    const onReplicaSse: VmEvents = subscribeSse(replica.url, VmChanged, {});
    const onSyncing: VmEvents = subscribeWs(syncing.url, VmChanged, {});
    try {
      // No way to count another process's listeners: give the subscriptions time to start.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const created = await gql(syncing.url, CreateCluster, {
        input: clusterInput(sim, 'replicated'),
      });
      expect(created.errors).toBeUndefined();
      await eventually(() => expect(onReplicaWs.results.length).toBeGreaterThanOrEqual(12));

      const [renamed, removed] = sim.control.guests().filter((g) => !g.template);
      sim.control.updateGuest(renamed!.vmid, { name: 'replicated-rename' });
      sim.control.removeGuest(removed!.vmid);
      const added = sim.control.addGuest({ vmid: 900, name: 'replicated-add', running: false });

      const logged = async () =>
        (
          await db.query<{ sequence: string }>(
            `select sequence::text as sequence from inventory_event where kind = 'vm'
              order by inventory_event.sequence`,
          )
        ).map((r) => r.sequence);
      const events = () => onReplicaWs.data().map((d) => d.vmChanged);
      await eventually(
        () => {
          expect(events()).toContainEqual(
            expect.objectContaining({
              type: 'UPDATED',
              vm: expect.objectContaining({ vmid: renamed!.vmid, name: 'replicated-rename' }),
            }),
          );
          expect(events()).toContainEqual(
            expect.objectContaining({
              type: 'DELETED',
              vm: expect.objectContaining({ vmid: removed!.vmid, name: removed!.name }),
            }),
          );
          expect(events()).toContainEqual(
            expect.objectContaining({
              type: 'ADDED',
              vm: expect.objectContaining({ vmid: added.vmid, name: 'replicated-add' }),
            }),
          );
        },
        { timeoutMs: 15_000 },
      );
      await eventually(async () => {
        const expected = await logged();
        expect(sequencesOf(onReplicaWs)).toEqual(expected);
        expect(sequencesOf(onReplicaSse)).toEqual(expected);
        expect(sequencesOf(onSyncing)).toEqual(expected);
      });
      // The same events, objects included, on both processes and both transports.
      expect(onReplicaWs.data()).toEqual(onSyncing.data());
      expect(onReplicaSse.data()).toEqual(onSyncing.data());
    } finally {
      for (const recording of [onReplicaWs, onReplicaSse, onSyncing]) await recording.stop();
    }
  }, 60_000);
});
