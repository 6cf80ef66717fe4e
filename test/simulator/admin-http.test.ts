import { describe, expect, it } from 'vitest';
import { admin, call, data, useSimulator } from './support/sim-http.js';

type Row = Record<string, unknown>;
const sim = useSimulator({ seed: 23, nodes: 2, guests: 10 });

describe('the /_sim admin surface over HTTPS', () => {
  it('requires its own bearer token (the PVE token does not work, nor a wrong one)', async () => {
    expect((await admin(sim(), 'GET', '/state', undefined, 'wrong')).status).toBe(401);
    expect((await admin(sim(), 'GET', '/state', undefined, sim().secret)).status).toBe(401);
    const state = await admin(sim(), 'GET', '/state');
    expect(state.status).toBe(200);
    expect(state.json.result).toMatchObject({ cluster: 'sim-23', entryNode: 'pve1' });
  });

  it('drives guests, nodes, faults, churn and counters', async () => {
    const created = await admin(sim(), 'POST', '/guests', {
      type: 'lxc',
      name: 'from-http',
      running: true,
    });
    expect(created.status).toBe(201);
    const vmid = (created.json.result as { vmid: number }).vmid;
    expect((await admin(sim(), 'PATCH', `/guests/${vmid}`, { tags: 'x;y' })).status).toBe(200);
    const row = (await data<Row[]>(sim(), '/cluster/resources?type=vm')).find(
      (r) => r.vmid === vmid,
    );
    expect(row).toMatchObject({ name: 'from-http', tags: 'x;y', type: 'lxc' });

    expect((await admin(sim(), 'POST', '/nodes/pve2/offline', { status: 596 })).status).toBe(200);
    expect((await call(sim(), '/nodes/pve2/lxc')).status).toBe(596);
    await admin(sim(), 'POST', '/nodes/pve2/online');

    expect(
      (await admin(sim(), 'POST', '/faults', { kind: 'status', status: 502, count: 1 })).status,
    ).toBe(201);
    expect((await call(sim(), '/version')).status).toBe(502);

    const steps = await admin(sim(), 'POST', '/churn/step', { count: 3 });
    expect((steps.json.result as unknown[]).length).toBe(3);

    const counters = await admin(sim(), 'GET', '/counters');
    expect((counters.json.result as { total: number }).total).toBeGreaterThan(2);
    await admin(sim(), 'DELETE', '/counters');
    expect(((await admin(sim(), 'GET', '/counters')).json.result as { total: number }).total).toBe(
      0,
    );
  });

  it('maps refusals to 404/409/400 with a stable code', async () => {
    expect(await admin(sim(), 'DELETE', '/guests/99999')).toMatchObject({
      status: 404,
      json: { error: { code: 'NOT_FOUND' } },
    });
    const taken = sim().control.guests()[0]?.vmid;
    expect(await admin(sim(), 'POST', '/guests', { vmid: taken })).toMatchObject({
      status: 409,
      json: { error: { code: 'CONFLICT' } },
    });
    expect(await admin(sim(), 'POST', '/faults', { kind: 'nope' })).toMatchObject({
      status: 400,
      json: { error: { code: 'INVALID' } },
    });
    expect((await admin(sim(), 'GET', '/no-such-route')).status).toBe(404);
  });

  it('revokes and restores tokens by id (path-encoded)', async () => {
    const id = encodeURIComponent(sim().tokenId);
    await admin(sim(), 'POST', `/tokens/${id}/revoke`);
    expect((await call(sim(), '/version')).status).toBe(401);
    await admin(sim(), 'POST', `/tokens/${id}/restore`);
    expect((await call(sim(), '/version')).status).toBe(200);
    await admin(sim(), 'POST', `/tokens/${id}/drop-privileges`);
    expect(await data(sim(), '/cluster/resources?type=vm')).toEqual([]);
    await admin(sim(), 'POST', `/tokens/${id}/restore-privileges`);
    expect((await data<Row[]>(sim(), '/cluster/resources?type=vm')).length).toBeGreaterThan(0);
  });
});
