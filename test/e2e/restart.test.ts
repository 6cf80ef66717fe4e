import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/simulator.js';
import { CreateCluster } from '../graphql/operations.js';
import { gql } from '../support/graphql-client.js';
import { clusterInput, eventually, startTestSimulator } from '../support/simulator-fixture.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { E2eCluster, E2eVm } from './operations.js';

const ENV = {
  PVESPHERE_SYNC: 'true',
  PVESPHERE_POLL_INTERVAL: '150ms',
  PVESPHERE_IP_REFRESH_INTERVAL: '1h',
};

let sim: RunningSimulator;
let db: TestDatabase;
let app: TestApp | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'pvesphere-restart-'));

afterAll(async () => {
  await app?.stop();
  await sim?.stop();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const events = async (): Promise<{ object_key: string; type: string }[]> =>
  db.query('select object_key, type from inventory_event order by sequence');

describe('a server restart', () => {
  it('writes exactly what changed while it was down, and nothing for what did not', async () => {
    sim = await startTestSimulator({ nodes: 3, guests: 20, seed: 3 });
    db = await createTestDatabase();
    app = await startTestApp({ db, dataDir, env: ENV });
    const created = await gql(app.url, CreateCluster, {
      input: clusterInput(sim, 'restart'),
    });
    const clusterId = created.data!.createCluster.id;
    await eventually(async () =>
      expect((await gql(app!.url, E2eCluster, { id: clusterId })).data!.cluster!.sync.state).toBe(
        'SYNCED',
      ),
    );
    // Let guest details (descriptions, IPs) settle before stopping.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await app.stop();
    app = undefined;

    const before = (await events()).length;
    const [removed, renamed] = sim.control.guests();
    const added = sim.control.addGuest({ name: 'added-while-down', running: false });
    sim.control.removeGuest(removed!.vmid);
    sim.control.updateGuest(renamed!.vmid, { name: 'renamed-while-down' });

    app = await startTestApp({ db, dataDir, env: ENV });
    const url = app.url;
    await eventually(async () => {
      expect((await gql(url, E2eVm, { clusterId, vmid: added.vmid })).data!.vm).toMatchObject({
        name: 'added-while-down',
      });
      expect((await gql(url, E2eVm, { clusterId, vmid: removed!.vmid })).data!.vm).toBeNull();
      expect((await gql(url, E2eVm, { clusterId, vmid: renamed!.vmid })).data!.vm).toMatchObject({
        name: 'renamed-while-down',
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = (await events()).slice(before);
    const keys = new Set(after.map((e) => e.object_key));
    expect([...keys].sort()).toEqual(
      [
        `${added.type}/${added.vmid}`,
        `${removed!.type}/${removed!.vmid}`,
        `${renamed!.type}/${renamed!.vmid}`,
      ].sort(),
    );
    expect(
      after.filter((e) => e.object_key === `${removed!.type}/${removed!.vmid}`).map((e) => e.type),
    ).toEqual(['DELETED']);
  });
});
