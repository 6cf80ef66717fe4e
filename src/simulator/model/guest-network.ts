import type { SimGuest, SimNic } from './types.js';

/** QgaAddress is one address as the QEMU guest agent reports it. */
export interface QgaAddress {
  'ip-address': string;
  'ip-address-type': 'ipv4' | 'ipv6';
  prefix: number;
}

/** QgaInterface is one entry of QGA `guest-network-get-interfaces` (raw, as PVE relays it). */
export interface QgaInterface {
  name: string;
  'hardware-address'?: string;
  'ip-addresses'?: QgaAddress[];
  statistics?: Record<string, number>;
}

/**
 * linkLocal derives the IPv6 link-local address a guest forms from its MAC (EUI-64):
 * `BC:24:11:89:67:07` → `fe80::be24:11ff:fe89:6707`.
 */
export function linkLocal(mac: string): string {
  const bytes = mac.split(':').map((part) => Number.parseInt(part, 16));
  const [b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0] = bytes;
  const group = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
  return `fe80::${group(b0 ^ 0x02, b1)}:${group(b2, 0xff)}:${group(0xfe, b3)}:${group(b4, b5)}`;
}

/**
 * qgaInterfaces renders what `guest-network-get-interfaces` returns for a running guest with a
 * working agent: loopback first (none on Windows without a hardware address), then each NIC
 * with its MAC in lower case (QGA's habit), global addresses and the fe80:: link-local one,
 * `ip-addresses` absent for an interface without address, and a docker bridge when present.
 */
export function qgaInterfaces(guest: SimGuest): QgaInterface[] {
  const windows = guest.ostype.startsWith('w');
  const out: QgaInterface[] = [];
  if (windows) {
    out.push({
      name: 'Loopback Pseudo-Interface 1',
      'ip-addresses': [
        { 'ip-address': '::1', 'ip-address-type': 'ipv6', prefix: 128 },
        { 'ip-address': '127.0.0.1', 'ip-address-type': 'ipv4', prefix: 8 },
      ],
      statistics: zeroStatistics(),
    });
  } else {
    out.push({
      name: 'lo',
      'hardware-address': '00:00:00:00:00:00',
      'ip-addresses': [
        { 'ip-address': '127.0.0.1', 'ip-address-type': 'ipv4', prefix: 8 },
        { 'ip-address': '::1', 'ip-address-type': 'ipv6', prefix: 128 },
      ],
      statistics: zeroStatistics(),
    });
  }
  for (const nic of guest.nics) {
    const entry: QgaInterface = {
      name: nic.ifname,
      'hardware-address': nic.mac.toLowerCase(),
      statistics: nicStatistics(guest, nic),
    };
    if (!nic.noAddress) entry['ip-addresses'] = nicAddresses(nic);
    out.push(entry);
  }
  if (guest.extraInterfaces === 'docker') {
    out.push({
      name: 'docker0',
      'hardware-address': dockerMac(guest.vmid),
      'ip-addresses': [{ 'ip-address': '172.17.0.1', 'ip-address-type': 'ipv4', prefix: 16 }],
      statistics: zeroStatistics(),
    });
  }
  return out;
}

/** LxcInterface is one entry of `/nodes/{node}/lxc/{vmid}/interfaces` (PVE 9 shape). */
export interface LxcInterface {
  name: string;
  hwaddr: string;
  'hardware-address': string;
  inet?: string;
  inet6?: string;
  'ip-addresses': QgaAddress[];
}

/**
 * lxcInterfaces renders `ip -json a` inside a running container the way PVE 9 returns it: the
 * classic `hwaddr`/`inet`/`inet6` members (the last address of each family, `addr/prefix`) plus
 * the agent-style `hardware-address` and `ip-addresses`.
 */
export function lxcInterfaces(guest: SimGuest): LxcInterface[] {
  const out: LxcInterface[] = [
    withClassic('lo', '00:00:00:00:00:00', [
      { 'ip-address': '127.0.0.1', 'ip-address-type': 'ipv4', prefix: 8 },
      { 'ip-address': '::1', 'ip-address-type': 'ipv6', prefix: 128 },
    ]),
  ];
  for (const nic of guest.nics) {
    out.push(
      withClassic(nic.ifname, nic.mac.toLowerCase(), nic.noAddress ? [] : nicAddresses(nic)),
    );
  }
  return out;
}

function withClassic(name: string, mac: string, addresses: QgaAddress[]): LxcInterface {
  const entry: LxcInterface = {
    name,
    hwaddr: mac,
    'hardware-address': mac,
    'ip-addresses': addresses,
  };
  for (const address of addresses) {
    const text = `${address['ip-address']}/${address.prefix}`;
    if (address['ip-address-type'] === 'ipv4') entry.inet = text;
    else entry.inet6 = text;
  }
  return entry;
}

function nicAddresses(nic: SimNic): QgaAddress[] {
  const out: QgaAddress[] = [];
  if (nic.ipv4) {
    out.push({
      'ip-address': nic.ipv4.address,
      'ip-address-type': 'ipv4',
      prefix: nic.ipv4.prefix,
    });
  }
  if (nic.ipv6) {
    out.push({
      'ip-address': nic.ipv6.address,
      'ip-address-type': 'ipv6',
      prefix: nic.ipv6.prefix,
    });
  }
  out.push({ 'ip-address': linkLocal(nic.mac), 'ip-address-type': 'ipv6', prefix: 64 });
  return out;
}

function nicStatistics(guest: SimGuest, nic: SimNic): Record<string, number> {
  const share = guest.nics.length > 0 ? 1 / guest.nics.length : 1;
  const rx = Math.floor(guest.stats.netin * share) + nic.index;
  const tx = Math.floor(guest.stats.netout * share) + nic.index;
  return {
    'rx-bytes': rx,
    'rx-dropped': 0,
    'rx-errs': 0,
    'rx-packets': Math.floor(rx / 900),
    'tx-bytes': tx,
    'tx-dropped': 0,
    'tx-errs': 0,
    'tx-packets': Math.floor(tx / 900),
  };
}

function zeroStatistics(): Record<string, number> {
  return {
    'rx-bytes': 0,
    'rx-dropped': 0,
    'rx-errs': 0,
    'rx-packets': 0,
    'tx-bytes': 0,
    'tx-dropped': 0,
    'tx-errs': 0,
    'tx-packets': 0,
  };
}

function dockerMac(vmid: number): string {
  const hex = (vmid & 0xffffff).toString(16).padStart(6, '0');
  return `02:42:ac:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
}
