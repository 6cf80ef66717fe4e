import { describe, expect, it } from 'vitest';
import type { SimGuest } from '../../src/simulator/model/types.js';
import { agentEnabled, displayName } from '../../src/simulator/routes/guest-rows.js';

const guest = (patch: Partial<SimGuest>) => ({ vmid: 100, type: 'qemu', ...patch }) as SimGuest;

describe('guest row helpers', () => {
  it.each([
    ['1', true],
    ['0', false],
    ['1,fstrim_cloned_disks=1', true],
    ['enabled=1,type=virtio', true],
    ['type=isa,enabled=0', false],
    ['type=virtio', false],
    [undefined, false],
  ])('agentEnabled(agent: %j) is %j', (agent, enabled) => {
    expect(agentEnabled(guest({ agent }))).toBe(enabled);
  });

  it('names unnamed guests like PVE: "VM <vmid>" and "CT<vmid>"', () => {
    expect(displayName(guest({ name: undefined }))).toBe('VM 100');
    expect(displayName(guest({ type: 'lxc', name: undefined }))).toBe('CT100');
    expect(displayName(guest({ name: 'web' }))).toBe('web');
  });
});
