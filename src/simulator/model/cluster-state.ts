import type { SimGuest, SimNode, SimPool, SimStorage, SimToken, StorageUsage } from './types.js';

/** PveVersionInfo is what `/version` reports. */
export interface PveVersionInfo {
  version: string;
  release: string;
  repoid: string;
}

/** ClusterStateOptions configures a ClusterState. */
export interface ClusterStateOptions {
  /** Cluster name (`/cluster/status`). */
  name: string;
  /** Clock in ms; tests inject a fake one. */
  clock: () => number;
  /** How long RRD data of a silent node/storage stays visible (PVE: 5 min). */
  stalenessMs: number;
  /** pvestatd update period (PVE: 10 s). */
  rrdIntervalMs: number;
  version: PveVersionInfo;
}

/**
 * ClusterState holds one simulated cluster: members, guests (keyed by the cluster-wide vmid),
 * storage.cfg, pools and API tokens, plus the node → guests index pmxcfs keeps. Mutations that
 * change membership go through its methods (which keep the index and bump `version`); field
 * edits on records are followed by `touch()`.
 *
 * `entryNode` is the node the simulated API is served from: calls for it are not proxied.
 */
export class ClusterState {
  readonly name: string;
  readonly nodes = new Map<string, SimNode>();
  readonly guests = new Map<number, SimGuest>();
  readonly storages = new Map<string, SimStorage>();
  readonly pools = new Map<string, SimPool>();
  readonly tokens = new Map<string, SimToken>();
  readonly versionInfo: PveVersionInfo;
  readonly stalenessMs: number;
  readonly rrdIntervalMs: number;
  entryNode = '';
  /** corosync config_version (bumped when members are added or removed). */
  corosyncVersion = 1;
  /** Bumped on every mutation; caches key on it. */
  version = 0;
  /** Number of the last pvestatd update interval applied (set by RrdUpdater). */
  rrdEpoch = 0;
  private readonly clock: () => number;
  private readonly byNode = new Map<string, Set<number>>();
  /** Bumped when guests are added or removed (the vmid order changes only then). */
  private membership = 0;
  private sortedCache: { membership: number; guests: SimGuest[] } | undefined;

  /** ClusterState starts empty; `generateCluster` fills it. */
  constructor(options: ClusterStateOptions) {
    this.name = options.name;
    this.clock = options.clock;
    this.stalenessMs = options.stalenessMs;
    this.rrdIntervalMs = options.rrdIntervalMs;
    this.versionInfo = options.version;
  }

  /** now is the simulator clock in ms. */
  now(): number {
    return this.clock();
  }

  /** touch records that something changed. */
  touch(): void {
    this.version++;
  }

  /** touchGuest records that a guest's config or state changed (invalidates its cached rows). */
  touchGuest(guest: SimGuest): void {
    guest.rev++;
    this.version++;
  }

  /** rrdTime is the clock time of the last pvestatd update (what RRD-derived values refer to). */
  rrdTime(): number {
    return this.rrdEpoch * this.rrdIntervalMs;
  }

  /** addNode registers a member (its guests index starts empty). */
  addNode(node: SimNode): void {
    this.nodes.set(node.name, node);
    if (!this.byNode.has(node.name)) this.byNode.set(node.name, new Set());
    this.corosyncVersion++;
    this.touch();
  }

  /** deleteNode removes a member; the caller has moved or removed its guests. */
  deleteNode(name: string): void {
    this.nodes.delete(name);
    this.byNode.delete(name);
    this.corosyncVersion++;
    this.touch();
  }

  /** addGuest registers a guest on `guest.node`. */
  addGuest(guest: SimGuest): void {
    this.guests.set(guest.vmid, guest);
    this.indexOf(guest.node).add(guest.vmid);
    this.membership++;
    this.touch();
  }

  /** deleteGuest removes a guest everywhere. */
  deleteGuest(vmid: number): void {
    const guest = this.guests.get(vmid);
    if (!guest) return;
    this.byNode.get(guest.node)?.delete(vmid);
    this.guests.delete(vmid);
    this.membership++;
    this.touch();
  }

  /** moveGuest moves a guest's config to another node (the last step of a migration). */
  moveGuest(vmid: number, node: string): void {
    const guest = this.guests.get(vmid);
    if (!guest) return;
    this.byNode.get(guest.node)?.delete(vmid);
    guest.node = node;
    this.indexOf(node).add(vmid);
    this.touchGuest(guest);
  }

  /** guestsOn lists the guests whose config lives on `node`. */
  guestsOn(node: string): SimGuest[] {
    const out: SimGuest[] = [];
    for (const vmid of this.byNode.get(node) ?? []) {
      const guest = this.guests.get(vmid);
      if (guest) out.push(guest);
    }
    return out;
  }

  /** sortedGuests lists every guest ordered by vmid compared as strings (PVE's `sort keys`). */
  sortedGuests(): SimGuest[] {
    if (this.sortedCache?.membership !== this.membership) {
      const guests = [...this.guests.values()]
        .map((guest) => ({ key: String(guest.vmid), guest }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .map((entry) => entry.guest);
      this.sortedCache = { membership: this.membership, guests };
    }
    return this.sortedCache.guests;
  }

  /**
   * hasRrd tells whether pvestatd data of `node` is still in the RRD dump: always while online,
   * for `stalenessMs` after it went offline.
   */
  hasRrd(node: SimNode | undefined): boolean {
    if (!node) return false;
    if (node.online || node.offlineSince === undefined) return true;
    return this.now() - node.offlineSince <= this.stalenessMs;
  }

  /**
   * rrdTimeOf is the time the RRD values of `node` refer to: the last pvestatd update, or the
   * last one before it went offline.
   */
  rrdTimeOf(node: SimNode | undefined): number {
    const last = this.rrdTime();
    if (!node || node.online || node.offlineSince === undefined) return last;
    return Math.min(last, node.offlineSince);
  }

  /** storageEnabledOn mirrors `storage_check_enabled`: not disabled and not restricted away. */
  storageEnabledOn(storage: SimStorage, node: string): boolean {
    if (storage.disabled) return false;
    return storage.nodes === undefined || storage.nodes.includes(node);
  }

  /**
   * usageOn returns `node`'s view of a storage: the per-node usage of a local storage, or the
   * shared usage with a small deterministic per-node skew (real nodes report slightly different
   * totals for the same shared store).
   */
  usageOn(storage: SimStorage, node: string): StorageUsage {
    if (storage.sharedUsage) {
      const base = storage.sharedUsage;
      return { ...base, total: Math.max(base.used, base.total - nodeSkew(node)) };
    }
    let usage = storage.nodeUsage.get(node);
    if (!usage) {
      usage = { total: 0, used: 0, active: false };
      storage.nodeUsage.set(node, usage);
    }
    return usage;
  }

  /** storageHasRrd tells whether a storage row of `node` still carries RRD data. */
  storageHasRrd(storage: SimStorage, node: string): boolean {
    if (!this.hasRrd(this.nodes.get(node))) return false;
    const usage = this.usageOn(storage, node);
    if (usage.active) return true;
    if (usage.inactiveSince === undefined) return false;
    return this.now() - usage.inactiveSince <= this.stalenessMs;
  }

  private indexOf(node: string): Set<number> {
    let set = this.byNode.get(node);
    if (!set) {
      set = new Set();
      this.byNode.set(node, set);
    }
    return set;
  }
}

/** nodeSkew is a stable 0–400 MiB offset per node name. */
function nodeSkew(node: string): number {
  let hash = 0;
  for (let i = 0; i < node.length; i++) hash = (Math.imul(hash, 31) + node.charCodeAt(i)) >>> 0;
  return (hash % 400) * 1024 * 1024;
}
