/**
 * Raw wire types: what PVE actually sends (shared/pve/API.md §1.2, §4, §7), before
 * normalisation. PVE does not normalise its output, so numbers may arrive as strings, booleans
 * as 1/0/""/"1"/"0", and members are absent rather than null. The normalisers in normalize/*
 * accept `unknown` and validate against these shapes; the types document them for readers and
 * for code that produces PVE answers (the simulator).
 */

/** WireNumber is a number PVE may send as a JSON number or a numeric string ("2048", "3.4e+15"). */
export type WireNumber = number | string;

/** WireFlag is a boolean as PVE sends it: 0/1, "0"/"1", or "" (false, old releases). */
export type WireFlag = 0 | 1 | '0' | '1' | '';

/** WireEnvelope is every success body: `{"data": …}` (+ `total`/`changes` on some endpoints). */
export interface WireEnvelope<T> {
  data: T;
  total?: number;
  changes?: unknown;
}

/** WireErrorBody is an error body (>= 400); `message` only since libpve-http-server-perl 5.2.0. */
export interface WireErrorBody {
  data: null;
  message?: string;
  errors?: Record<string, string>;
}

/** WireVersion is `/version`. */
export interface WireVersion {
  version: string;
  release: string;
  repoid: string;
  console?: string;
}

/** WireGuestUsage are the usage members of guest rows (absent without recent stats). */
export interface WireGuestUsage {
  cpu?: WireNumber;
  mem?: WireNumber;
  disk?: WireNumber;
  netin?: WireNumber;
  netout?: WireNumber;
  diskread?: WireNumber;
  diskwrite?: WireNumber;
  uptime?: WireNumber;
}

/** WireResourceGuest is a `/cluster/resources` row of type qemu or lxc. */
export interface WireResourceGuest extends WireGuestUsage {
  id: string;
  type: 'qemu' | 'lxc';
  vmid: WireNumber;
  node: string;
  status: string;
  name?: string;
  template?: WireFlag;
  maxcpu?: WireNumber;
  maxmem?: WireNumber;
  maxdisk?: WireNumber;
  memhost?: WireNumber;
  tags?: string;
  lock?: string;
  pool?: string;
  hastate?: string;
}

/** WireResourceNode is a `/cluster/resources` row of type node (also the shape of `/nodes`). */
export interface WireResourceNode {
  id: string;
  type: 'node';
  node: string;
  status: 'online' | 'offline' | 'unknown';
  level?: string;
  maxcpu?: WireNumber;
  maxmem?: WireNumber;
  maxdisk?: WireNumber;
  cpu?: WireNumber;
  mem?: WireNumber;
  disk?: WireNumber;
  uptime?: WireNumber;
  'cgroup-mode'?: number;
  /** Only in `/nodes`. */
  ssl_fingerprint?: string;
}

/** WireResourceStorage is a `/cluster/resources` row of type storage. */
export interface WireResourceStorage {
  id: string;
  type: 'storage';
  storage: string;
  node: string;
  plugintype: string;
  status: 'available' | 'unknown';
  shared: WireFlag;
  content: string;
  disk?: WireNumber;
  maxdisk?: WireNumber;
}

/** WireNodeGuest is a row of `/nodes/{node}/qemu` or `/nodes/{node}/lxc` (no `node` member). */
export interface WireNodeGuest extends WireGuestUsage {
  vmid: WireNumber;
  status: string;
  type?: 'lxc';
  name?: string;
  cpus?: WireNumber;
  maxmem?: WireNumber;
  maxdisk?: WireNumber;
  maxswap?: WireNumber;
  pid?: WireNumber;
  template?: WireFlag;
  lock?: string;
  tags?: string;
}

/** WireNodeStorage is a row of `/nodes/{node}/storage`. */
export interface WireNodeStorage {
  storage: string;
  type: string;
  content: string;
  shared?: WireFlag;
  enabled?: WireFlag;
  active?: WireFlag;
  total?: WireNumber;
  used?: WireNumber;
  avail?: WireNumber;
  used_fraction?: number;
}

/** WireClusterStatusEntry is a row of `/cluster/status` (type cluster or node). */
export interface WireClusterStatusEntry {
  type: 'cluster' | 'node';
  id: string;
  name: string;
  nodes?: number;
  version?: number;
  quorate?: WireFlag;
  nodeid?: number;
  local?: WireFlag;
  online?: WireFlag;
  ip?: string;
  level?: string;
}

/** WireGuestConfig is a qemu or lxc config: only the keys that are set, plus `digest`. */
export interface WireGuestConfig {
  digest: string;
  name?: string;
  hostname?: string;
  description?: string;
  tags?: string;
  template?: WireFlag;
  /** Property string: "1", "1,fstrim_cloned_disks=1", "enabled=1,type=virtio". */
  agent?: string;
  /** `net0`, `net1`, …: "virtio=BC:24:11:…,bridge=vmbr0" (qemu), "name=eth0,hwaddr=…" (lxc). */
  [key: `net${number}`]: string;
  [key: string]: unknown;
}

/** WireQgaAddress is one address of a QGA interface. */
export interface WireQgaAddress {
  'ip-address': string;
  'ip-address-type': 'ipv4' | 'ipv6';
  prefix: number;
}

/** WireQgaInterface is one item of `network-get-interfaces`' `result`. */
export interface WireQgaInterface {
  name: string;
  'hardware-address'?: string;
  'ip-addresses'?: WireQgaAddress[];
  statistics?: Record<string, number>;
}

/** WireAgentInterfaces is the `data` of `…/agent/network-get-interfaces`. */
export interface WireAgentInterfaces {
  result: WireQgaInterface[] | { error: { class: string; desc: string } };
}

/** WireLxcInterface is a row of `/nodes/{node}/lxc/{vmid}/interfaces`. */
export interface WireLxcInterface {
  name: string;
  hwaddr: string;
  inet?: string;
  inet6?: string;
  'hardware-address'?: string;
  'ip-addresses'?: WireQgaAddress[];
}
