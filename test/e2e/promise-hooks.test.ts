/**
 * The server runs without async hooks. On Node 20 an AsyncLocalStorage that ran once installs
 * promise hooks for the rest of the process — `disable()` does not remove them — and every
 * promise afterwards pays for an init hook and carries async ids (~7 % of the server's main
 * thread under the benchmark's query load). MikroORM runs one in `em.transactional` and in every
 * unit-of-work flush: pvesphere uses neither (migrations run in a connection transaction,
 * cluster edits are native statements). Tracked promises carry own symbol properties
 * (`async_id_symbol`, …); an untracked promise has none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/simulator.js';
import { VmChanged } from '../events/operations.js';
import { subscribeWs } from '../events/subscription-client.js';
import {
  CreateCluster,
  DeleteCluster,
  SetClusterEnabled,
  UpdateCluster,
} from '../graphql/operations.js';
import { gql } from '../support/graphql-client.js';
import { clusterInput, eventually, startTestSimulator } from '../support/simulator-fixture.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { E2eCluster, E2eVms } from './operations.js';

/** tracked lists the symbols async hooks attach to a new promise (none when no hook runs). */
const tracked = () => Object.getOwnPropertySymbols(new Promise(() => {})).map(String);

let sim: RunningSimulator;
let app: TestApp;
const untrackedAtStart = tracked();

beforeAll(async () => {
  sim = await startTestSimulator({ nodes: 2, guests: 12, seed: 23 });
  app = await startTestApp({
    env: { PVESPHERE_SYNC: 'true', PVESPHERE_POLL_INTERVAL: '200ms' },
  });
});

afterAll(async () => {
  await app?.stop();
  await sim?.stop();
});

describe('promise tracking', () => {
  it('is off before the app starts (the test process itself installs no hook)', () => {
    expect(untrackedAtStart).toEqual([]);
  });

  it('stays off through migrations, cluster edits, syncing, queries and subscriptions', async () => {
    expect(tracked()).toEqual([]);
    const created = await gql(app.url, CreateCluster, {
      input: clusterInput(sim, 'hooks'),
    });
    expect(created.errors).toBeUndefined();
    const id = created.data!.createCluster.id;
    await eventually(async () =>
      expect((await gql(app.url, E2eCluster, { id })).data!.cluster!.sync.state).toBe('SYNCED'),
    );
    const subscription = subscribeWs(app.url, VmChanged, { clusterId: id });
    try {
      const renamed = await gql(app.url, UpdateCluster, { id, input: { alias: 'renamed' } });
      expect(renamed.errors).toBeUndefined();
      await gql(app.url, SetClusterEnabled, { id, enabled: false });
      await gql(app.url, SetClusterEnabled, { id, enabled: true });
      const guest = sim.control.guests().find((g) => !g.template)!;
      sim.control.updateGuest(guest.vmid, { name: 'hooks-renamed' });
      await subscription.waitFor(1, 15_000);
      const vms = await gql(app.url, E2eVms, { filter: { clusterId: id }, first: 5 });
      expect(vms.data!.vms.totalCount).toBe(sim.control.guests().length);
    } finally {
      await subscription.stop();
    }
    await gql(app.url, DeleteCluster, { id });
    expect(tracked()).toEqual([]);
  });
});
