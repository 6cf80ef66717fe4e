/**
 * The simulator's model of a PVE cluster: what pmxcfs (configs, membership, ACLs) and pvestatd
 * (RRD stats) hold on a real cluster. Routes render these records into PVE's raw wire shapes;
 * nothing here is normalised for a client.
 */

/** GuestType is PVE's guest kind (`qemu` VM or `lxc` container); vmids are unique across both. */
export type GuestType = 'qemu' | 'lxc';

/** IpAssignment is one address configured inside a guest, with its prefix length. */
export interface IpAssignment {
  address: string;
  prefix: number;
}

/**
 * SimNic is one network device of a guest: the config side (`netN`: MAC upper-case as PVE writes
 * it, bridge, VLAN tag, firewall) and the guest side (interface name and addresses, which the
 * guest agent or `lxc/{vmid}/interfaces` report with the MAC in lower case).
 */
export interface SimNic {
  /** N of the `netN` config key. */
  index: number;
  /** MAC address as written in the config (upper case, `BC:24:11:…`). */
  mac: string;
  bridge: string;
  /** QEMU NIC model (`virtio`, `e1000`); ignored for containers. */
  model: string;
  firewall: boolean;
  vlan?: number;
  /** Interface name inside the guest (`ens18`, `eth0`, `Ethernet`). */
  ifname: string;
  /** Addresses come from DHCP (containers write `ip=dhcp`). */
  dhcp: boolean;
  ipv4?: IpAssignment;
  ipv4Gateway?: string;
  ipv6?: IpAssignment;
  /** The interface is up without any address (the agent then omits `ip-addresses`). */
  noAddress?: boolean;
}

/** SimDisk is one volume of a guest (`scsi0`, `virtio0`, `rootfs`, …). */
export interface SimDisk {
  key: string;
  storage: string;
  /** Volume name within the storage (`vm-101-disk-0`, `base-9000-disk-0`). */
  volume: string;
  sizeBytes: number;
}

/** GuestStats are the usage metrics pvestatd broadcasts (zero while stopped). */
export interface GuestStats {
  cpu: number;
  mem: number;
  memhost: number;
  swap: number;
  disk: number;
  netin: number;
  netout: number;
  diskread: number;
  diskwrite: number;
  /** Clock time (ms) the guest was started; meaningful while running. */
  startedAt: number;
  pid: number;
}

/**
 * HaState is the HA resource of a guest: the configured request state and, while the HA manager
 * is acting on it, a transient service state (`migrate`, `relocate`, `fence`, …) that
 * `/cluster/resources` shows instead.
 */
export interface HaState {
  state: 'started' | 'stopped' | 'disabled' | 'ignored';
  serviceState?: string;
}

/** SimGuest is one VM or container: its config file (on `node`) and its live state. */
export interface SimGuest {
  vmid: number;
  type: GuestType;
  /** Node whose config directory holds the guest (pmxcfs vmlist). */
  node: string;
  /** `name` (QEMU) / `hostname` (LXC); unset renders as `VM <vmid>` / `CT<vmid>`. */
  name?: string;
  /** Raw `tags` config string, verbatim (normally `;`-joined). */
  tags?: string;
  description?: string;
  template: boolean;
  running: boolean;
  /** QMP run state of a running VM (`running`, `paused`, `prelaunch`). */
  qmpStatus?: string;
  lock?: string;
  cores: number;
  sockets: number;
  memoryMiB: number;
  /** QEMU balloon target in MiB (unset: ballooning not configured). */
  balloonMiB?: number;
  /** LXC swap in MiB. */
  swapMiB: number;
  cpulimit?: string;
  ostype: string;
  onboot: boolean;
  serial: boolean;
  disks: SimDisk[];
  nics: SimNic[];
  /** QEMU `agent` config value verbatim (`1`, `0`, `enabled=1,type=virtio`); unset = no key. */
  agent?: string;
  /** The guest agent answers (installed and running inside the guest). */
  agentRunning: boolean;
  /** Extra guest-side interfaces the agent reports (e.g. a docker bridge). */
  extraInterfaces: 'none' | 'docker';
  pool?: string;
  ha?: HaState;
  /** Creation time (s since epoch) used in `meta` and UUIDs. */
  ctime: number;
  /** Deterministic identifiers (`smbios1` uuid, `vmgenid`). */
  uuid: string;
  vmgenid: string;
  stats: GuestStats;
  /** Revision, bumped by `ClusterState.touchGuest` on every config or state change. */
  rev: number;
}

/** NodeStats are a node's pvestatd metrics. */
export interface NodeStats {
  cpu: number;
  mem: number;
  disk: number;
  swapUsed: number;
  loadavg: [number, number, number];
  /** Clock time (ms) the node booted. */
  bootedAt: number;
}

/**
 * SimNode is one cluster member. `offlineSince` is set while it is down: its RRD data then ages
 * and disappears after the staleness window; proxied calls to it fail with `offlineStatus`.
 */
export interface SimNode {
  name: string;
  nodeid: number;
  ip: string;
  online: boolean;
  offlineSince?: number;
  /** Status code of proxied calls while offline (595, or 596 for a timeout). */
  offlineStatus: number;
  /** Reason phrase of proxied calls while offline (`No route to host`, …). */
  offlineReason: string;
  /** Time proxied calls wait before failing, overriding the simulator default. */
  offlineDelayMs?: number;
  maxcpu: number;
  maxmem: number;
  rootfsTotal: number;
  swapTotal: number;
  cpuModel: string;
  sockets: number;
  /** Subscription level (`""`, `c`, `b`, `s`, `p`). */
  level: string;
  kernel: string;
  /** SHA-256 certificate fingerprint shown by `/nodes` (`AA:BB:…`). */
  fingerprint: string;
  stats: NodeStats;
}

/** StorageUsage is one node's view of a storage. */
export interface StorageUsage {
  total: number;
  used: number;
  /** The storage can be activated (an unreachable NFS server makes it inactive). */
  active: boolean;
  /** Clock time the storage became inactive (its RRD data then ages out). */
  inactiveSince?: number;
}

/**
 * SimStorage is one storage.cfg entry. Shared storages have one usage (each node's view is that
 * usage with a tiny per-node skew); local ones have one usage per node.
 */
export interface SimStorage {
  id: string;
  type: string;
  content: string[];
  shared: boolean;
  /** `nodes=` restriction (unset: every node). */
  nodes?: string[];
  disabled: boolean;
  /** Type-specific storage.cfg keys (`path`, `vgname`, `server`, `datastore`, …). */
  settings: Record<string, string | number>;
  /** Shared storage usage (shared storages only). */
  sharedUsage?: StorageUsage;
  /** Per-node usage (local storages only). */
  nodeUsage: Map<string, StorageUsage>;
}

/** SimPool is a resource pool (`/pool/<id>`). */
export interface SimPool {
  id: string;
  comment?: string;
}

/**
 * AclEntry grants privileges on a path (`/`, `/vms/100`, `/pool/prod`, `/storage/local`,
 * `/nodes/pve1`), to sub-paths as well when `propagate` is not false.
 */
export interface AclEntry {
  path: string;
  privileges: readonly string[];
  propagate?: boolean;
}

/** SimToken is one API token (`user@realm!name`) with its secret and ACL. */
export interface SimToken {
  tokenId: string;
  secret: string;
  revoked: boolean;
  /** Expiry (s since epoch); unset or 0 = never. */
  expire?: number;
  acl: AclEntry[];
  /** The ACL the token was created with (restored by `restorePrivileges`). */
  initialAcl: AclEntry[];
}
