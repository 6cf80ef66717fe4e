import { BlockList, isIP } from 'node:net';
import type { IpFamily, PveInterface } from './normalize/guest-interfaces.js';

const MAC =
  /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i;
const ZERO_MAC = '00:00:00:00:00:00';

/** Addresses that never identify a guest from outside: loopback and IPv6 link-local. */
const UNUSABLE = new BlockList();
UNUSABLE.addSubnet('127.0.0.0', 8, 'ipv4');
UNUSABLE.addAddress('::1', 'ipv6');
UNUSABLE.addSubnet('fe80::', 10, 'ipv6');

/**
 * normalizeMac returns a MAC address in lower-case colon form (`bc:24:11:2e:c5:4a`), accepting
 * either case and `:` or `-` separators (PVE configs write upper case, QGA usually lower), so
 * config `netN` MACs and agent MACs compare equal. Undefined when `value` is not a MAC.
 */
export function normalizeMac(value: string): string | undefined {
  const match = MAC.exec(value.trim());
  return match ? match.slice(1).join(':').toLowerCase() : undefined;
}

/** stripZone removes an IPv6 zone suffix (`fe80::1%eth0` → `fe80::1`). */
export function stripZone(address: string): string {
  const percent = address.indexOf('%');
  return percent < 0 ? address : address.slice(0, percent);
}

/**
 * isUsableAddress is false for addresses that do not identify a guest: 127.0.0.0/8, ::1,
 * fe80::/10 (zone suffix allowed), and anything that is not a valid address of `family`.
 */
export function isUsableAddress(address: string, family: IpFamily): boolean {
  const plain = stripZone(address);
  if (isIP(plain) !== (family === 'ipv4' ? 4 : 6)) return false;
  return !UNUSABLE.check(plain, family);
}

/**
 * filterInterfaces keeps what identifies a guest on the network: it drops the `lo` interface,
 * unusable addresses (see isUsableAddress) and duplicate addresses, treats the all-zero MAC as
 * none, and drops interfaces left with neither a MAC nor an address (Windows' loopback
 * pseudo-interface, tunnels without addresses).
 */
export function filterInterfaces(interfaces: readonly PveInterface[]): PveInterface[] {
  const kept: PveInterface[] = [];
  for (const iface of interfaces) {
    if (iface.name === 'lo') continue;
    const seen = new Set<string>();
    const addresses = iface.addresses.filter((a) => {
      if (!isUsableAddress(a.address, a.family) || seen.has(a.address)) return false;
      seen.add(a.address);
      return true;
    });
    const mac = iface.mac === ZERO_MAC ? undefined : iface.mac;
    if (mac === undefined && addresses.length === 0) continue;
    kept.push(
      mac === undefined ? { name: iface.name, addresses } : { name: iface.name, mac, addresses },
    );
  }
  return kept;
}

/** GuestNicRef is a configured NIC to match against: its config id and MAC (any case). */
export interface GuestNicRef {
  id: string;
  mac?: string;
  hwaddr?: string;
}

/** PveMatchedInterface is a PveInterface with the id of the config NIC (`net0`) it belongs to. */
export interface PveMatchedInterface extends PveInterface {
  netId?: string;
}

/**
 * matchInterfacesToNets pairs guest interfaces with configured NICs by MAC (case-insensitive):
 * each interface gets `netId` of the `netN` whose `mac`/`hwaddr` equals its MAC; interfaces
 * without a configured NIC (docker0, VPN tunnels) keep no `netId`, which lets an inventory
 * prefer the addresses of real NICs.
 */
export function matchInterfacesToNets(
  interfaces: readonly PveInterface[],
  nets: readonly GuestNicRef[],
): PveMatchedInterface[] {
  const byMac = new Map<string, string>();
  for (const net of nets) {
    const mac = normalizeMac(net.mac ?? net.hwaddr ?? '');
    if (mac !== undefined && !byMac.has(mac)) byMac.set(mac, net.id);
  }
  return interfaces.map((iface) => {
    const netId = iface.mac === undefined ? undefined : byMac.get(iface.mac);
    return netId === undefined ? { ...iface } : { ...iface, netId };
  });
}
