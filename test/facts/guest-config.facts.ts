import type { PveFact } from './fact.js';
import { objectOf, okData, Violations } from './raw.js';

const CONFIG_MAC = /([0-9A-F]{2}:){5}[0-9A-F]{2}/;

/** Facts of API.md §4 / §7 GET /nodes/{node}/qemu/{vmid}/config and the lxc config. */
export const facts: PveFact[] = [
  {
    id: 'qemu-config.fields',
    section: '§4 GET /nodes/{node}/qemu/{vmid}/config, §7',
    statement:
      'A qemu config has only the keys that are set, plus `digest`; `description` comes from ' +
      'the comment lines; `agent` is a property string ("1", "1,fstrim_cloned_disks=1", ' +
      '"enabled=1,type=virtio"); net[n] is "<model>=<MAC upper-case>,bridge=…,firewall=1,tag=…".',
    request: {
      method: 'GET',
      route: '/nodes/{node}/qemu/{vmid}/config',
      params: { node: 'pve1', vmid: '101' },
    },
    scenario: 'healthy',
    samples: [
      {
        name: 'VM with two NICs, tags, agent and description',
        era: 'current',
        raw: okData({
          name: 'web01',
          description: 'Frontend\nowner: ops\n',
          tags: 'prod;web',
          agent: '1,fstrim_cloned_disks=1',
          net0: 'virtio=BC:24:11:2E:C5:4A,bridge=vmbr0,firewall=1,tag=30',
          net1: 'e1000=BC:24:11:00:00:02,bridge=vmbr1',
          net10: 'vmxnet3=BC:24:11:00:00:0A,bridge=vmbr2,link_down=1',
          memory: '4096',
          cores: 2,
          sockets: 1,
          cpulimit: '1.5',
          scsi0: 'local-lvm:vm-101-disk-0,size=32G',
          ipconfig0: 'ip=dhcp',
          onboot: 1,
          ostype: 'l26',
          meta: 'creation-qemu=9.0.2,ctime=1718000000',
          smbios1: 'uuid=6f1c8a52-3f0e-4a55-9d2e-1c7a3b9e0d11',
          digest: '3f2a9c0d1e7b4a6f8c5d2e1b0a9f8e7d6c5b4a39',
        }),
        expected: {
          kind: 'value',
          value: {
            name: 'web01',
            description: 'Frontend\nowner: ops\n',
            agentEnabled: true,
            template: false,
            tags: ['prod', 'web'],
            nets: [
              { id: 'net0', model: 'virtio', mac: 'bc:24:11:2e:c5:4a', bridge: 'vmbr0' },
              { id: 'net1', model: 'e1000', mac: 'bc:24:11:00:00:02', bridge: 'vmbr1' },
              { id: 'net10', model: 'vmxnet3', mac: 'bc:24:11:00:00:0a', bridge: 'vmbr2' },
            ],
            digest: '3f2a9c0d1e7b4a6f8c5d2e1b0a9f8e7d6c5b4a39',
          },
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const data = objectOf(raw, v);
      if (!data) return v.list;
      v.require(typeof data.digest === 'string', 'no digest');
      v.require(data.agent === undefined || typeof data.agent === 'string', 'agent not a string');
      v.require(data.tags === undefined || typeof data.tags === 'string', 'tags not a string');
      for (const [key, value] of Object.entries(data)) {
        if (!/^net\d+$/.test(key)) continue;
        v.require(
          typeof value === 'string' && new RegExp(`^[a-z0-9-]+=${CONFIG_MAC.source}`).test(value),
          `${key} ${JSON.stringify(value)} is not "<model>=<MAC>,…"`,
        );
      }
      return v.list;
    },
    counterexamples: [
      okData({ name: 'x', agent: 1, digest: 'd' }),
      okData({ name: 'x', net0: 'bridge=vmbr0,virtio=bc:24:11:00:00:01', digest: 'd' }),
      okData({ name: 'x' }),
    ],
  },
  {
    id: 'qemu-config.agent-forms',
    section: '§4 GET /nodes/{node}/qemu/{vmid}/config',
    statement:
      'The agent is enabled by "1", "1,<opts>" or "enabled=1,…" and disabled by "0", ' +
      '"enabled=0" or no `agent` key.',
    request: {
      method: 'GET',
      route: '/nodes/{node}/qemu/{vmid}/config',
      params: { node: 'pve1', vmid: '101' },
    },
    scenario: 'client-only',
    samples: [
      ['enabled=1,type=virtio', true],
      ['1', true],
      ['0', false],
      ['enabled=0,fstrim_cloned_disks=1', false],
      [undefined, false],
    ].map(([agent, enabled]) => ({
      name: `agent ${JSON.stringify(agent)}`,
      era: 'current' as const,
      raw: okData(agent === undefined ? { digest: 'd' } : { agent, digest: 'd' }),
      expected: {
        kind: 'value' as const,
        value: { agentEnabled: enabled, template: false, tags: [], nets: [], digest: 'd' },
      },
    })),
  },
  {
    id: 'lxc-config.fields',
    section: '§4 GET /nodes/{node}/lxc (config), §7',
    statement:
      'An lxc config has hostname, description, tags, template (1 when set), and net[n] ' +
      '"name=eth0,bridge=vmbr0,hwaddr=<MAC>,ip=dhcp|<cidr>,ip6=auto|dhcp|<cidr>,type=veth".',
    request: {
      method: 'GET',
      route: '/nodes/{node}/lxc/{vmid}/config',
      params: { node: 'pve2', vmid: '200' },
    },
    scenario: 'healthy',
    samples: [
      {
        name: 'container with two NICs',
        era: 'current',
        raw: okData({
          hostname: 'dns',
          description: 'resolver\n',
          tags: 'infra;dns',
          arch: 'amd64',
          cores: 1,
          memory: 512,
          swap: 512,
          ostype: 'debian',
          rootfs: 'local-lvm:vm-200-disk-0,size=8G',
          net0: 'name=eth0,bridge=vmbr0,firewall=1,hwaddr=BC:24:11:3A:7E:01,ip=dhcp,ip6=auto,type=veth',
          net1: 'name=eth1,bridge=vmbr1,gw=192.168.10.1,hwaddr=BC:24:11:3A:7E:02,ip=192.168.10.5/24,type=veth',
          features: 'nesting=1',
          unprivileged: 1,
          digest: '0d9f8e7c6b5a49382716a5b4c3d2e1f0a9b8c7d6',
        }),
        expected: {
          kind: 'value',
          value: {
            hostname: 'dns',
            description: 'resolver\n',
            template: false,
            tags: ['infra', 'dns'],
            nets: [
              {
                id: 'net0',
                name: 'eth0',
                hwaddr: 'bc:24:11:3a:7e:01',
                ip: 'dhcp',
                ip6: 'auto',
                bridge: 'vmbr0',
              },
              {
                id: 'net1',
                name: 'eth1',
                hwaddr: 'bc:24:11:3a:7e:02',
                ip: '192.168.10.5/24',
                bridge: 'vmbr1',
              },
            ],
            digest: '0d9f8e7c6b5a49382716a5b4c3d2e1f0a9b8c7d6',
          },
        },
      },
      {
        name: 'template container',
        era: 'current',
        raw: okData({ hostname: 'base', template: 1, digest: 'e1' }),
        expected: {
          kind: 'value',
          value: { hostname: 'base', template: true, tags: [], nets: [], digest: 'e1' },
        },
      },
    ],
    check: (raw) => {
      const v = new Violations();
      const data = objectOf(raw, v);
      if (!data) return v.list;
      v.require(typeof data.digest === 'string', 'no digest');
      v.require(data.template === undefined || data.template === 1, 'template not absent or 1');
      for (const [key, value] of Object.entries(data)) {
        if (!/^net\d+$/.test(key)) continue;
        v.require(
          typeof value === 'string' && /(^|,)name=[^,]+/.test(value) && CONFIG_MAC.test(value),
          `${key} ${JSON.stringify(value)} lacks name= or hwaddr=`,
        );
      }
      return v.list;
    },
    counterexamples: [
      okData({ hostname: 'x', template: 0, digest: 'd' }),
      okData({ hostname: 'x', net0: 'bridge=vmbr0', digest: 'd' }),
    ],
  },
];
