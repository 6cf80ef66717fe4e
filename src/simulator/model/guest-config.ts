import { createHash } from 'node:crypto';
import type { SimDisk, SimGuest, SimNic } from './types.js';

/** ConfigObject is a guest config as PVE's config endpoints return it (values typed as PVE does). */
export type ConfigObject = Record<string, string | number>;

/**
 * qemuConfig renders `/nodes/{node}/qemu/{vmid}/config` for a VM: keys only when set; booleans
 * as 1, integers (`cores`, `sockets`, `balloon`) as numbers; `memory` (a property string since
 * qemu-server 8.0.8) and `cpulimit` (type number) as strings; NIC MACs upper case; `digest`
 * the SHA-1 of the config text (API.md §1.2, §4).
 */
export function qemuConfig(guest: SimGuest): ConfigObject {
  const config: ConfigObject = {};
  if (guest.name !== undefined) config.name = guest.name;
  if (guest.description !== undefined) config.description = guest.description;
  if (guest.tags !== undefined) config.tags = guest.tags;
  if (guest.template) config.template = 1;
  if (guest.lock !== undefined) config.lock = guest.lock;
  if (guest.agent !== undefined) config.agent = guest.agent;
  config.cores = guest.cores;
  config.sockets = guest.sockets;
  config.memory = String(guest.memoryMiB);
  if (guest.balloonMiB !== undefined) config.balloon = guest.balloonMiB;
  if (guest.cpulimit !== undefined) config.cpulimit = guest.cpulimit;
  config.cpu = 'x86-64-v2-AES';
  config.ostype = guest.ostype;
  if (guest.onboot) config.onboot = 1;
  config.scsihw = 'virtio-scsi-single';
  const bootDisk = guest.disks[0]?.key;
  config.boot = `order=${[bootDisk, 'ide2', 'net0'].filter(Boolean).join(';')}`;
  config.ide2 = 'none,media=cdrom';
  for (const disk of guest.disks) config[disk.key] = diskValue(disk, 'iothread=1,');
  for (const nic of guest.nics) config[`net${nic.index}`] = qemuNetValue(nic);
  if (guest.serial) config.serial0 = 'socket';
  config.numa = 0;
  config.smbios1 = `uuid=${guest.uuid}`;
  config.vmgenid = guest.vmgenid;
  config.meta = `creation-qemu=9.2.0,ctime=${guest.ctime}`;
  config.digest = digestOf(config);
  return config;
}

/**
 * lxcConfig renders `/nodes/{node}/lxc/{vmid}/config` for a container: `memory`/`swap`/`cores`
 * as numbers, `netN` as `name=eth0,bridge=…,hwaddr=<upper-case MAC>,ip=…,type=veth`.
 */
export function lxcConfig(guest: SimGuest): ConfigObject {
  const config: ConfigObject = { arch: 'amd64' };
  if (guest.name !== undefined) config.hostname = guest.name;
  if (guest.description !== undefined) config.description = guest.description;
  if (guest.tags !== undefined) config.tags = guest.tags;
  if (guest.template) config.template = 1;
  if (guest.lock !== undefined) config.lock = guest.lock;
  config.cores = guest.cores;
  if (guest.cpulimit !== undefined) config.cpulimit = guest.cpulimit;
  config.memory = guest.memoryMiB;
  config.swap = guest.swapMiB;
  config.ostype = guest.ostype;
  config.features = 'nesting=1';
  config.unprivileged = 1;
  if (guest.onboot) config.onboot = 1;
  const rootfs = guest.disks[0];
  if (rootfs) config.rootfs = diskValue(rootfs, '');
  for (const disk of guest.disks.slice(1)) config[disk.key] = diskValue(disk, '');
  for (const nic of guest.nics) config[`net${nic.index}`] = lxcNetValue(nic);
  config.digest = digestOf(config);
  return config;
}

/** formatSize writes a byte count as PVE's `size=` does (`32G`, `512M`, `100K`). */
export function formatSize(bytes: number): string {
  const gib = 1024 ** 3;
  const mib = 1024 ** 2;
  if (bytes % gib === 0) return `${bytes / gib}G`;
  if (bytes % mib === 0) return `${bytes / mib}M`;
  return `${Math.ceil(bytes / 1024)}K`;
}

function diskValue(disk: SimDisk, options: string): string {
  return `${disk.storage}:${disk.volume},${options}size=${formatSize(disk.sizeBytes)}`;
}

function qemuNetValue(nic: SimNic): string {
  let value = `${nic.model}=${nic.mac},bridge=${nic.bridge}`;
  if (nic.firewall) value += ',firewall=1';
  if (nic.vlan !== undefined) value += `,tag=${nic.vlan}`;
  return value;
}

function lxcNetValue(nic: SimNic): string {
  let value = `name=${nic.ifname},bridge=${nic.bridge}`;
  if (nic.firewall) value += ',firewall=1';
  if (!nic.dhcp && nic.ipv4Gateway) value += `,gw=${nic.ipv4Gateway}`;
  value += `,hwaddr=${nic.mac}`;
  value += nic.dhcp || !nic.ipv4 ? ',ip=dhcp' : `,ip=${nic.ipv4.address}/${nic.ipv4.prefix}`;
  if (nic.ipv6) value += nic.dhcp ? ',ip6=auto' : `,ip6=${nic.ipv6.address}/${nic.ipv6.prefix}`;
  if (nic.vlan !== undefined) value += `,tag=${nic.vlan}`;
  return `${value},type=veth`;
}

function digestOf(config: ConfigObject): string {
  const text = Object.entries(config)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n');
  return createHash('sha1').update(text).digest('hex');
}
