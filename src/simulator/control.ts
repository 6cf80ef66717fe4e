import { type ChurnEvent, ChurnRunner } from './churn.js';
import {
  type AddressPatch,
  addGuest,
  convertToTemplate,
  type GuestInfo,
  type GuestPatch,
  guestInfo,
  removeGuest,
  setAddresses,
  setAgent,
  setRunning,
  updateGuest,
} from './control/guest-ops.js';
import {
  addNode,
  type NodeInfo,
  nodeInfo,
  type OfflineOptions,
  removeNode,
  setNodeOnline,
} from './control/node-ops.js';
import {
  addStorage,
  removeStorage,
  type StorageInfo,
  type StoragePatch,
  storageInfo,
  updateStorage,
} from './control/storage-ops.js';
import { addToken, setAcl, setRevoked, type TokenInfo, tokenInfo } from './control/token-ops.js';
import { SimulatorControlError } from './control-error.js';
import type { RequestCounters, RequestCountSnapshot } from './counters.js';
import type { FaultInfo, FaultInjector, FaultRule } from './faults.js';
import { Migration, type MigrationPhase } from './migration.js';
import type { ClusterState } from './model/cluster-state.js';
import type { GuestSpec } from './model/guest-factory.js';
import type { RrdUpdater } from './model/rrd-updater.js';
import type { StorageSpec } from './model/storage-factory.js';
import type { AclEntry } from './model/types.js';
import type { Prng } from './prng.js';

/** SimulatorControlDependencies wire the control surface to one simulated cluster. */
export interface SimulatorControlDependencies {
  state: ClusterState;
  rrd: RrdUpdater;
  faults: FaultInjector;
  counters: RequestCounters;
  /** Seed-derived stream for control-made randomness (new guests, nodes, storages). */
  rng: Prng;
  /** Seed-derived stream for the churn scenario. */
  churnRng: Prng;
  /** Default time per migration phase for timed migrations (ms). */
  migrationPhaseMs: number;
}

/** MigrationInfo describes a migration in progress. */
export interface MigrationInfo {
  vmid: number;
  source: string;
  target: string;
  phase: MigrationPhase;
}

/**
 * SimulatorControl changes a running simulated cluster: guests, migrations, nodes, storages,
 * tokens and privileges, injected faults, churn, request counters and RRD updates. Every
 * operation applies at once and is visible to the next API call. Refusals throw
 * SimulatorControlError (`NOT_FOUND`, `CONFLICT`, `INVALID`). The same operations are exposed
 * over HTTP under `/_sim/` (see admin-routes.ts).
 */
export class SimulatorControl {
  private readonly migrationsInFlight = new Map<number, Migration>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pending = new Set<() => void>();
  private readonly churn: ChurnRunner;

  /** SimulatorControl acts on the cluster described by `deps`. */
  constructor(private readonly deps: SimulatorControlDependencies) {
    this.churn = new ChurnRunner({
      state: deps.state,
      rng: deps.churnRng,
      migrate: (vmid, target) => {
        this.migrate(vmid, target).catch(() => undefined);
      },
    });
  }

  /** clusterName is the simulated cluster's name. */
  get clusterName(): string {
    return this.deps.state.name;
  }

  /** entryNode is the member serving the API (never proxied, never offline). */
  get entryNode(): string {
    return this.deps.state.entryNode;
  }

  // ── inspection ───────────────────────────────────────────────────────────

  /** nodes lists the members. */
  nodes(): NodeInfo[] {
    return [...this.deps.state.nodes.values()].map((node) => nodeInfo(this.deps.state, node));
  }

  /** guests lists every guest, ordered by vmid. */
  guests(): GuestInfo[] {
    return [...this.deps.state.guests.values()].sort((a, b) => a.vmid - b.vmid).map(guestInfo);
  }

  /** guest describes one guest (undefined when it does not exist). */
  guest(vmid: number): GuestInfo | undefined {
    const guest = this.deps.state.guests.get(vmid);
    return guest ? guestInfo(guest) : undefined;
  }

  /** storages lists storage.cfg with each node's usage. */
  storages(): StorageInfo[] {
    return [...this.deps.state.storages.values()].map((s) => storageInfo(this.deps.state, s));
  }

  /** tokens lists the API tokens (without secrets). */
  tokens(): TokenInfo[] {
    return [...this.deps.state.tokens.values()].map(tokenInfo);
  }

  // ── guests ───────────────────────────────────────────────────────────────

  /** addGuest creates a guest (random where `spec` is silent) and returns it. */
  addGuest(spec: GuestSpec = {}): GuestInfo {
    return guestInfo(addGuest(this.deps.state, this.deps.rng, spec));
  }

  /** updateGuest edits a guest's config (rename, tags, cores, memory, pool, HA, lock…). */
  updateGuest(vmid: number, patch: GuestPatch): GuestInfo {
    return guestInfo(updateGuest(this.deps.state, vmid, patch));
  }

  /** removeGuest destroys a guest. */
  removeGuest(vmid: number): void {
    removeGuest(this.deps.state, vmid);
  }

  /** startGuest starts a guest (CONFLICT for templates). */
  startGuest(vmid: number): GuestInfo {
    return guestInfo(setRunning(this.deps.state, this.deps.rng, vmid, true));
  }

  /** stopGuest stops a guest. */
  stopGuest(vmid: number): GuestInfo {
    return guestInfo(setRunning(this.deps.state, this.deps.rng, vmid, false));
  }

  /** convertToTemplate turns a stopped guest into a template. */
  convertToTemplate(vmid: number): GuestInfo {
    return guestInfo(convertToTemplate(this.deps.state, vmid));
  }

  /** setAgent sets a VM's `agent` config value (`null`: no key) and/or whether it answers. */
  setAgent(vmid: number, change: { configured?: string | null; running?: boolean }): GuestInfo {
    return guestInfo(setAgent(this.deps.state, vmid, change));
  }

  /** setGuestAddresses changes the addresses NIC `index` reports to agent/interfaces calls. */
  setGuestAddresses(vmid: number, index: number, patch: AddressPatch): GuestInfo {
    return guestInfo(setAddresses(this.deps.state, vmid, index, patch));
  }

  // ── migration ────────────────────────────────────────────────────────────

  /**
   * beginMigration starts a stepwise migration: the guest is locked (`lock: migrate`) on its
   * node now; each `stepMigration` (or `Migration.step`) advances: config moved to `target`
   * (still locked), then unlocked.
   */
  beginMigration(vmid: number, target: string): Migration {
    const migration = new Migration(this.deps.state, vmid, target);
    this.migrationsInFlight.set(vmid, migration);
    return migration;
  }

  /** stepMigration advances the migration of `vmid` and returns the phase reached. */
  stepMigration(vmid: number): MigrationPhase {
    const migration = this.migrationsInFlight.get(vmid);
    if (!migration) throw new SimulatorControlError('NOT_FOUND', `no migration of ${vmid}`);
    const phase = migration.step();
    if (phase === 'done') this.migrationsInFlight.delete(vmid);
    return phase;
  }

  /**
   * migrate runs a whole migration on timers: locked now, moved after `phaseMs`, unlocked after
   * another `phaseMs`; resolves when done.
   */
  migrate(vmid: number, target: string, options: { phaseMs?: number } = {}): Promise<void> {
    const phaseMs = Math.max(0, options.phaseMs ?? this.deps.migrationPhaseMs);
    this.beginMigration(vmid, target);
    return new Promise((done) => {
      const resolve = () => {
        this.pending.delete(resolve);
        done();
      };
      this.pending.add(resolve);
      const advance = () => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!this.migrationsInFlight.has(vmid)) return resolve();
          if (this.stepMigration(vmid) === 'done') resolve();
          else advance();
        }, phaseMs);
        this.timers.add(timer);
      };
      advance();
    });
  }

  /** migrations lists the migrations in progress. */
  migrations(): MigrationInfo[] {
    return [...this.migrationsInFlight.values()].map((m) => ({
      vmid: m.vmid,
      source: m.source,
      target: m.target,
      phase: m.phase,
    }));
  }

  // ── nodes ────────────────────────────────────────────────────────────────

  /** addNode joins a new member (default name `pve<N>`). */
  addNode(spec: { name?: string } = {}): NodeInfo {
    return nodeInfo(this.deps.state, addNode(this.deps.state, this.deps.rng, spec));
  }

  /** removeNode removes a member; with `force` its guests go too. */
  removeNode(name: string, options: { force?: boolean } = {}): void {
    removeNode(this.deps.state, name, options.force ?? false);
  }

  /** setNodeOnline takes a member down (595/596 on proxied calls, stats age out) or back up. */
  setNodeOnline(name: string, online: boolean, options: OfflineOptions = {}): NodeInfo {
    return nodeInfo(this.deps.state, setNodeOnline(this.deps.state, name, online, options));
  }

  // ── storage ──────────────────────────────────────────────────────────────

  /** addStorage adds a storage.cfg entry. */
  addStorage(spec: StorageSpec): StorageInfo {
    return storageInfo(this.deps.state, addStorage(this.deps.state, this.deps.rng, spec));
  }

  /** updateStorage changes content, restriction, enablement, activity or usage. */
  updateStorage(id: string, patch: StoragePatch): StorageInfo {
    return storageInfo(this.deps.state, updateStorage(this.deps.state, this.deps.rng, id, patch));
  }

  /** removeStorage deletes a storage.cfg entry. */
  removeStorage(id: string): void {
    removeStorage(this.deps.state, id);
  }

  // ── tokens and privileges ────────────────────────────────────────────────

  /** addToken creates an API token; returns its id and secret. */
  addToken(spec: { tokenId: string; secret?: string; acl?: readonly AclEntry[] }): {
    tokenId: string;
    secret: string;
  } {
    const token = addToken(this.deps.state, spec);
    return { tokenId: token.tokenId, secret: token.secret };
  }

  /** revokeToken makes every call with the token answer 401. */
  revokeToken(tokenId: string): void {
    setRevoked(this.deps.state, tokenId, true);
  }

  /** restoreToken undoes revokeToken. */
  restoreToken(tokenId: string): void {
    setRevoked(this.deps.state, tokenId, false);
  }

  /** setTokenAcl replaces a token's ACL. */
  setTokenAcl(tokenId: string, acl: readonly AclEntry[]): void {
    setAcl(this.deps.state, tokenId, acl);
  }

  /** dropPrivileges empties a token's ACL: lists answer 200 but filtered (often `[]`). */
  dropPrivileges(tokenId: string): void {
    setAcl(this.deps.state, tokenId, []);
  }

  /** restorePrivileges gives a token back the ACL it was created with. */
  restorePrivileges(tokenId: string): void {
    setAcl(this.deps.state, tokenId, undefined);
  }

  // ── faults ───────────────────────────────────────────────────────────────

  /** addFault injects a fault (see FaultRule); returns its id. */
  addFault(rule: FaultRule): number {
    return this.deps.faults.add(rule);
  }

  /** removeFault removes one fault; false when it was not active. */
  removeFault(id: number): boolean {
    return this.deps.faults.remove(id);
  }

  /** clearFaults removes every fault. */
  clearFaults(): void {
    this.deps.faults.clear();
  }

  /** faults lists the active faults with their remaining counts. */
  faults(): FaultInfo[] {
    return this.deps.faults.list();
  }

  // ── churn ────────────────────────────────────────────────────────────────

  /** startChurn makes `ratePerSecond` random realistic changes per second until stopChurn. */
  startChurn(ratePerSecond: number): void {
    if (!(ratePerSecond > 0)) throw new SimulatorControlError('INVALID', 'churn rate must be > 0');
    this.churn.start(ratePerSecond);
  }

  /** stopChurn ends background churn. */
  stopChurn(): void {
    this.churn.stop();
  }

  /** churnStep makes `count` random changes now (deterministic from the seed) and lists them. */
  churnStep(count = 1): ChurnEvent[] {
    const events: ChurnEvent[] = [];
    for (let i = 0; i < count; i++) events.push(this.churn.step());
    return events;
  }

  // ── counters and metrics ─────────────────────────────────────────────────

  /** counters returns the request counters (totals, by kind, by endpoint, by status). */
  counters(): RequestCountSnapshot {
    return this.deps.counters.snapshot();
  }

  /** resetCounters sets the request counters to zero. */
  resetCounters(): void {
    this.deps.counters.reset();
  }

  /** tickRrd applies one pvestatd update now (metrics drift) regardless of the clock. */
  tickRrd(): void {
    this.deps.rrd.force();
  }

  /**
   * dispose stops churn and pending migration timers, settling timed migrations where they
   * stand (called by the simulator's stop).
   */
  dispose(): void {
    this.churn.stop();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const resolve of [...this.pending]) resolve();
  }
}
