import { describe, expect, it } from 'vitest';
import { PveBadResponseError } from '../../src/proxmox/errors.js';
import { normalizeClusterResources } from '../../src/proxmox/normalize/cluster-resources.js';
import { normalizeClusterStatus } from '../../src/proxmox/normalize/cluster-status.js';
import {
  FieldReader,
  INVALID,
  toBoolean,
  toNumber,
} from '../../src/proxmox/normalize/field-reader.js';
import { normalizeNodeGuest, normalizeResourceGuest } from '../../src/proxmox/normalize/guest.js';
import { normalizeAgentInterfaces } from '../../src/proxmox/normalize/guest-interfaces.js';
import { normalizeLxcConfig } from '../../src/proxmox/normalize/lxc-config.js';
import { parsePropertyString } from '../../src/proxmox/normalize/property-string.js';
import { normalizeQemuConfig } from '../../src/proxmox/normalize/qemu-config.js';
import { splitContent } from '../../src/proxmox/normalize/storage.js';
import { splitTags } from '../../src/proxmox/normalize/tags.js';

/** badFieldOf runs `fn` and returns the `field` of the PveBadResponseError it throws. */
function badFieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PveBadResponseError);
    expect((err as PveBadResponseError).code).toBe('PVE_BAD_RESPONSE');
    return (err as PveBadResponseError).field;
  }
  throw new Error('no PveBadResponseError thrown');
}

describe('wire coercion', () => {
  it.each([
    [42, 42],
    ['2048', 2048],
    ['3.47726673451418e+15', 3477266734514180],
    [3.47726673451418e15, 3477266734514180],
    ['0.0123', 0.0123],
    [' 7 ', 7],
    ['', undefined],
    [null, undefined],
    [undefined, undefined],
  ])('toNumber(%j) is %j', (wire, expected) => {
    expect(toNumber(wire)).toBe(expected);
  });

  it.each([['abc'], ['1,5'], [Number.NaN], [Number.POSITIVE_INFINITY], [{}], [[1]], [true]])(
    'toNumber(%j) is invalid',
    (wire) => {
      expect(toNumber(wire)).toBe(INVALID);
    },
  );

  it.each([
    [1, true],
    ['1', true],
    [true, true],
    [0, false],
    ['0', false],
    ['', false],
    [false, false],
    [undefined, undefined],
    [null, undefined],
  ])('toBoolean(%j) is %j', (wire, expected) => {
    expect(toBoolean(wire)).toBe(expected);
  });

  it.each([[2], ['yes'], ['true'], [{}]])('toBoolean(%j) is invalid', (wire) => {
    expect(toBoolean(wire)).toBe(INVALID);
  });

  it('names the member of a value that cannot be coerced', () => {
    const r = FieldReader.of({ maxmem: 'lots', vmid: 0, name: { a: 1 } }, 'data[7]');
    expect(badFieldOf(() => r.optNumber('maxmem'))).toBe('data[7].maxmem');
    expect(badFieldOf(() => r.vmid())).toBe('data[7].vmid');
    expect(badFieldOf(() => r.optString('name'))).toBe('data[7].name');
    expect(badFieldOf(() => r.string('node'))).toBe('data[7].node');
    expect(badFieldOf(() => FieldReader.of(null, 'data'))).toBe('data');
  });
});

describe('tags and content lists', () => {
  it.each([
    ['prod;web', ['prod', 'web']],
    ['one, two, three', ['one', 'two', 'three']],
    ['a;;b;a', ['a', 'b']],
    ['  x\ty\n', ['x', 'y']],
    ['', []],
    [undefined, []],
  ])('splitTags(%j) is %j', (wire, expected) => {
    expect(splitTags(wire)).toEqual(expected);
  });

  it('sorts and de-duplicates storage content', () => {
    expect(splitContent('vztmpl,iso,backup,iso')).toEqual(['backup', 'iso', 'vztmpl']);
    expect(splitContent(undefined)).toEqual([]);
  });

  it('parses property strings into keys and positional values', () => {
    expect(parsePropertyString('1,fstrim_cloned_disks=1')).toEqual({
      values: new Map([['fstrim_cloned_disks', '1']]),
      positional: ['1'],
      order: ['fstrim_cloned_disks'],
    });
  });
});

describe('guest rows', () => {
  it('never invents a name, template flag or capacity for an unknown guest', () => {
    const guest = normalizeResourceGuest({
      id: 'qemu/104',
      type: 'qemu',
      vmid: '104',
      node: 'pve3',
      status: 'unknown',
    });
    expect(guest).toStrictEqual({
      vmid: 104,
      type: 'qemu',
      node: 'pve3',
      status: 'unknown',
      tags: [],
    });
  });

  it('drops empty name and lock strings (PVE 6 sent lock: "")', () => {
    const guest = normalizeNodeGuest(
      { vmid: 100, status: 'stopped', name: '', lock: '' },
      'lxc',
      'pve1',
    );
    expect(guest).toStrictEqual({
      vmid: 100,
      type: 'lxc',
      node: 'pve1',
      status: 'stopped',
      template: false,
      tags: [],
    });
  });

  it('rejects rows without the members a guest is identified by', () => {
    expect(
      badFieldOf(() => normalizeResourceGuest({ type: 'qemu', node: 'a', status: 'running' })),
    ).toBe('row.vmid');
    expect(badFieldOf(() => normalizeResourceGuest({ type: 'qemu', vmid: 1, node: 'a' }))).toBe(
      'row.status',
    );
    expect(
      badFieldOf(() => normalizeResourceGuest({ type: 'openvz', vmid: 1, node: 'a', status: 'x' })),
    ).toBe('row.type');
  });
});

describe('cluster lists', () => {
  it('keeps guests, nodes and storage of /cluster/resources and tolerates other kinds', () => {
    const result = normalizeClusterResources([
      { id: '/pool/p', type: 'pool', pool: 'p' },
      { id: 'openvz/1', type: 'openvz', vmid: 1 },
      {
        id: 'sdn/pve1/z',
        type: 'sdn',
        sdn: 'z',
        node: 'pve1',
        status: 'ok',
        extra: { nested: true },
      },
    ]);
    expect(result).toEqual({ guests: [], nodes: [], storage: [] });
  });

  it('rejects the whole /cluster/resources list for one row without a type', () => {
    expect(badFieldOf(() => normalizeClusterResources([{ id: 'qemu/1' }]))).toBe('data[0].type');
  });

  it('accepts true/false flags in /cluster/status (seen in client test fixtures)', () => {
    const status = normalizeClusterStatus([
      { type: 'cluster', id: 'cluster', name: 'c', nodes: 1, quorate: true },
      { type: 'node', id: 'node/a', name: 'a', nodeid: 1, local: true, online: false },
    ]);
    expect(status).toEqual({
      cluster: { name: 'c', quorate: true, nodeCount: 1 },
      nodes: [{ name: 'a', nodeid: 1, local: true, online: false }],
    });
  });
});

describe('guest configs', () => {
  it('reads the model=…,macaddr=… NIC form and NICs without a bridge', () => {
    const config = normalizeQemuConfig({
      digest: 'd',
      net0: 'model=virtio,macaddr=BC-24-11-00-00-01,bridge=vmbr0',
      net2: 'rtl8139=BC:24:11:00:00:03',
    });
    expect(config.nets).toEqual([
      { id: 'net0', model: 'virtio', mac: 'bc:24:11:00:00:01', bridge: 'vmbr0' },
      { id: 'net2', model: 'rtl8139', mac: 'bc:24:11:00:00:03' },
    ]);
  });

  it('rejects a NIC whose MAC is not one, naming the net', () => {
    expect(badFieldOf(() => normalizeQemuConfig({ net1: 'virtio=nope,bridge=vmbr0' }))).toBe(
      'data.net1',
    );
    expect(badFieldOf(() => normalizeQemuConfig({ net0: 'bridge=vmbr0' }))).toBe('data.net0');
    expect(badFieldOf(() => normalizeLxcConfig({ net0: 'name=eth0,hwaddr=zz' }))).toBe('data.net0');
  });

  it('reads the agent flag from a number or its default and rejects an unreadable one', () => {
    expect(normalizeQemuConfig({ agent: 1 }).agentEnabled).toBe(true);
    expect(normalizeQemuConfig({ agent: 'type=virtio' }).agentEnabled).toBe(false);
    expect(badFieldOf(() => normalizeQemuConfig({ agent: 'maybe' }))).toBe('data.agent');
  });

  it('keeps lxc NIC members that are set and nothing else', () => {
    const config = normalizeLxcConfig({
      hostname: 'h',
      net3: 'name=eth3,bridge=vmbr0,ip=manual,type=veth',
    });
    expect(config.nets).toEqual([{ id: 'net3', name: 'eth3', bridge: 'vmbr0', ip: 'manual' }]);
  });
});

describe('guest agent answers', () => {
  it('rejects a result that is neither a list nor a QGA error', () => {
    expect(badFieldOf(() => normalizeAgentInterfaces({ result: 'x' }))).toBe('data.result');
    expect(badFieldOf(() => normalizeAgentInterfaces({}))).toBe('data.result');
  });

  it('rejects an address of an unknown family, naming it', () => {
    const data = {
      result: [
        {
          name: 'eth0',
          'ip-addresses': [{ 'ip-address': '10.0.0.1', 'ip-address-type': 'ipx', prefix: 8 }],
        },
      ],
    };
    expect(badFieldOf(() => normalizeAgentInterfaces(data))).toBe(
      'data.result[0].ip-addresses[0].ip-address-type',
    );
  });

  it('infers the family and prefix when the agent omits them', () => {
    const result = normalizeAgentInterfaces({
      result: [
        {
          name: 'eth0',
          'ip-addresses': [{ 'ip-address': '2001:db8::7' }, { 'ip-address': '10.1.2.3' }],
        },
      ],
    });
    expect(result).toEqual({
      kind: 'interfaces',
      interfaces: [
        {
          name: 'eth0',
          addresses: [
            { address: '2001:db8::7', prefix: 128, family: 'ipv6' },
            { address: '10.1.2.3', prefix: 32, family: 'ipv4' },
          ],
        },
      ],
    });
  });

  it('reports a QGA error without a description as an agent error', () => {
    expect(normalizeAgentInterfaces({ result: { error: { class: 'GenericError' } } })).toEqual({
      kind: 'unavailable',
      reason: 'agent-error',
      message: 'guest agent error',
    });
  });
});
