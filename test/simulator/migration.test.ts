import { describe, expect, it } from 'vitest';
import { SimulatorControlError } from '../../src/simulator/control-error.js';
import { admin, data, useSimulator } from './support/sim-http.js';

type Row = Record<string, unknown>;
const sim = useSimulator({ seed: 13, nodes: 3, guests: 20, http: true });

async function where(vmid: number) {
  const resources = await data<Row[]>(sim(), '/cluster/resources?type=vm');
  const row = resources.find((r) => r.vmid === vmid);
  const listedOn: string[] = [];
  for (const node of sim().control.nodes()) {
    const rows = await data<Row[]>(sim(), `/nodes/${node.name}/qemu`);
    if (rows.some((r) => r.vmid === vmid)) listedOn.push(node.name);
  }
  return { node: row?.node, lock: row?.lock, hastate: row?.hastate, status: row?.status, listedOn };
}

describe('migration goes through the lock: migrate phases (API.md §5.3)', () => {
  it('locks on the source, moves the config still locked, then unlocks on the target', async () => {
    const vm = sim().control.addGuest({ type: 'qemu', running: true, ha: 'started', node: 'pve1' });
    const migration = sim().control.beginMigration(vm.vmid, 'pve2');
    expect(migration.phase).toBe('locked');
    expect(await where(vm.vmid)).toEqual({
      node: 'pve1',
      lock: 'migrate',
      hastate: 'migrate',
      status: 'running',
      listedOn: ['pve1'],
    });
    expect(sim().control.stepMigration(vm.vmid)).toBe('moved');
    expect(await where(vm.vmid)).toEqual({
      node: 'pve2',
      lock: 'migrate',
      hastate: 'migrate',
      status: 'running',
      listedOn: ['pve2'],
    });
    expect(sim().control.stepMigration(vm.vmid)).toBe('done');
    expect(await where(vm.vmid)).toEqual({
      node: 'pve2',
      lock: undefined,
      hastate: 'started',
      status: 'running',
      listedOn: ['pve2'],
    });
    expect(sim().control.migrations()).toEqual([]);
  });

  it('runs a timed migration to completion', async () => {
    const vm = sim().control.addGuest({ type: 'qemu', node: 'pve2' });
    const done = sim().control.migrate(vm.vmid, 'pve3', { phaseMs: 20 });
    expect(sim().control.guest(vm.vmid)?.lock).toBe('migrate');
    await done;
    expect(sim().control.guest(vm.vmid)).toMatchObject({ node: 'pve3', lock: undefined });
  });

  it('refuses an unknown or offline target, the current node and a locked guest', () => {
    const vm = sim().control.addGuest({ type: 'lxc', node: 'pve1' });
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return err instanceof SimulatorControlError ? err.code : 'other';
      }
      return 'none';
    };
    expect(refusal(() => sim().control.beginMigration(vm.vmid, 'nope'))).toBe('NOT_FOUND');
    expect(refusal(() => sim().control.beginMigration(vm.vmid, 'pve1'))).toBe('INVALID');
    sim().control.setNodeOnline('pve3', false);
    expect(refusal(() => sim().control.beginMigration(vm.vmid, 'pve3'))).toBe('CONFLICT');
    sim().control.setNodeOnline('pve3', true);
    sim().control.updateGuest(vm.vmid, { lock: 'backup' });
    expect(refusal(() => sim().control.beginMigration(vm.vmid, 'pve2'))).toBe('CONFLICT');
  });

  it('is available stepwise over the admin HTTP surface', async () => {
    const vm = sim().control.addGuest({ type: 'qemu', node: 'pve3' });
    const begun = await admin(sim(), 'POST', `/guests/${vm.vmid}/migrate`, {
      target: 'pve1',
      stepwise: true,
    });
    expect(begun).toEqual({ status: 200, json: { result: { phase: 'locked' } } });
    expect((await admin(sim(), 'POST', `/guests/${vm.vmid}/migrate/step`)).json.result).toEqual({
      phase: 'moved',
    });
    expect((await admin(sim(), 'POST', `/guests/${vm.vmid}/migrate/step`)).json.result).toEqual({
      phase: 'done',
    });
    expect(sim().control.guest(vm.vmid)?.node).toBe('pve1');
  });
});
