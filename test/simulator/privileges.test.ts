import { describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.js';
import { call, data, useSimulator } from './support/sim-http.js';

type Row = Record<string, unknown>;
const sim = useSimulator({ seed: 5, nodes: 3, guests: 40, clock: new FakeClock().now });

describe('a token without ACL (API.md §2.4)', () => {
  it('gets 200 with nodes but no guests, storage or pools from /cluster/resources', async () => {
    const rows = await data<Row[]>(sim(), '/cluster/resources', { credentials: 'restricted' });
    expect(rows.length).toBe(sim().control.nodes().length);
    for (const row of rows) {
      expect(row.type).toBe('node');
      expect(row.maxmem).toBeUndefined();
      expect(row.cpu).toBeUndefined();
    }
    expect(await data(sim(), '/cluster/resources?type=vm', { credentials: 'restricted' })).toEqual(
      [],
    );
  });

  it('sees /nodes without stats, empty guest and storage lists, and 403 on detail calls', async () => {
    const nodes = await data<Row[]>(sim(), '/nodes', { credentials: 'restricted' });
    expect(
      nodes.every((n) => n.maxcpu === undefined && typeof n.ssl_fingerprint === 'string'),
    ).toBe(true);
    const node = sim().control.entryNode;
    expect(await data(sim(), `/nodes/${node}/qemu`, { credentials: 'restricted' })).toEqual([]);
    expect(await data(sim(), `/nodes/${node}/storage`, { credentials: 'restricted' })).toEqual([]);
    const status = await call(sim(), `/nodes/${node}/status`, { credentials: 'restricted' });
    expect([status.status, status.statusText]).toEqual([
      403,
      `Permission check failed (/nodes/${node}, Sys.Audit)`,
    ]);
    const vm = sim()
      .control.guests()
      .find((g) => g.type === 'qemu');
    const agent = await call(
      sim(),
      `/nodes/${vm?.node}/qemu/${vm?.vmid}/agent/network-get-interfaces`,
      {
        credentials: 'restricted',
      },
    );
    expect(agent.statusText).toBe(
      `Permission check failed (/vms/${vm?.vmid}, VM.GuestAgent.Audit|VM.GuestAgent.Unrestricted)`,
    );
  });

  it('gets 403 before the proxy hop even when the target node is offline', async () => {
    const offline = sim()
      .control.nodes()
      .find((n) => !n.entry);
    const vm = sim().control.addGuest({ node: offline?.name, type: 'qemu' });
    sim().control.setNodeOnline(offline?.name ?? '', false);
    try {
      const denied = await call(sim(), `/nodes/${vm.node}/qemu/${vm.vmid}/config`, {
        credentials: 'restricted',
      });
      expect(denied.status).toBe(403);
      expect((await call(sim(), `/nodes/${vm.node}/qemu/${vm.vmid}/config`)).status).toBe(595);
    } finally {
      sim().control.setNodeOnline(offline?.name ?? '', true);
    }
  });
});

describe('ACL paths and pools (API.md §2.4)', () => {
  it('grants guests through /vms/<id> and through /pool/<pool>, and strips pools without Pool.Audit', async () => {
    const direct = sim().control.addGuest({ type: 'qemu' });
    const pooled = sim().control.addGuest({ type: 'lxc', pool: 'staging' });
    const token = sim().control.addToken({
      tokenId: 'ops@pve!partial',
      acl: [
        { path: `/vms/${direct.vmid}`, privileges: ['VM.Audit'] },
        { path: '/pool/staging', privileges: ['VM.Audit'] },
      ],
    });
    const header = { header: `PVEAPIToken=${token.tokenId}=${token.secret}` };
    const rows = await data<Row[]>(sim(), '/cluster/resources?type=vm', { credentials: header });
    const staging = sim()
      .control.guests()
      .filter((g) => g.pool === 'staging')
      .map((g) => g.vmid);
    expect(rows.map((r) => r.vmid).sort()).toEqual([direct.vmid, ...staging].sort());
    expect(rows.find((r) => r.vmid === pooled.vmid)?.pool).toBeUndefined();
  });
});

describe('privilege loss and token revocation (control surface)', () => {
  it('answers 200 with an empty list after the sync token loses its ACL, and recovers', async () => {
    const before = await data<Row[]>(sim(), '/cluster/resources?type=vm');
    expect(before.length).toBeGreaterThan(0);
    sim().control.dropPrivileges(sim().tokenId);
    expect(await data(sim(), '/cluster/resources?type=vm')).toEqual([]);
    sim().control.restorePrivileges(sim().tokenId);
    expect((await data<Row[]>(sim(), '/cluster/resources?type=vm')).length).toBe(before.length);
  });

  it('answers 401 while the token is revoked', async () => {
    sim().control.revokeToken(sim().tokenId);
    expect((await call(sim(), '/version')).status).toBe(401);
    sim().control.restoreToken(sim().tokenId);
    expect((await call(sim(), '/version')).status).toBe(200);
  });
});
