import { describe, expect, it } from 'vitest';
import type { SimulatorResponse } from '../../src/simulator/simulator.js';
import { call, useSimulator } from './support/sim-http.js';

const responses: SimulatorResponse[] = [];
const sim = useSimulator({
  seed: 4,
  guests: 6,
  http: true,
  onResponse: (response) => responses.push(response),
});

describe('the onResponse hook', () => {
  it('reports each answered call with its endpoint, kind, status and timing, after the reply is sent', async () => {
    responses.length = 0;
    const guest = sim()
      .control.guests()
      .find((g) => g.type === 'qemu')!;
    const before = performance.now();
    const list = await call(sim(), '/cluster/resources?type=vm');
    const detail = await call(sim(), `/nodes/${guest.node}/qemu/${guest.vmid}/config`);
    const denied = await call(sim(), '/nodes', { credentials: 'wrong-secret' });
    expect([list.status, detail.status, denied.status]).toEqual([200, 200, 401]);
    expect(
      responses.map(({ method, path, endpoint, kind, status }) => ({
        method,
        path,
        endpoint,
        kind,
        status,
      })),
    ).toEqual([
      {
        method: 'GET',
        path: '/cluster/resources',
        endpoint: 'GET /cluster/resources',
        kind: 'list',
        status: 200,
      },
      {
        method: 'GET',
        path: `/nodes/${guest.node}/qemu/${guest.vmid}/config`,
        endpoint: 'GET /nodes/{node}/qemu/{vmid}/config',
        kind: 'detail',
        status: 200,
      },
      { method: 'GET', path: '/nodes', endpoint: 'GET /nodes', kind: 'list', status: 401 },
    ]);
    for (const response of responses) {
      expect(response.receivedAt).toBeGreaterThanOrEqual(before);
      expect(response.sentAt).toBeGreaterThanOrEqual(response.receivedAt);
    }
    expect(responses[0]!.sentAt).toBeLessThanOrEqual(responses[1]!.receivedAt);
  });

  it('is not called for the admin surface', async () => {
    responses.length = 0;
    const answer = await fetch(`${sim().adminUrl}/guests`, {
      headers: { authorization: `Bearer ${sim().adminToken}` },
    });
    expect(answer.status).toBe(200);
    expect(responses).toEqual([]);
  });
});
