import {
  addGuest,
  convertToTemplate,
  removeGuest,
  setAddresses,
  setAgent,
  setRunning,
  updateGuest,
} from './control/guest-ops.js';
import { updateStorage } from './control/storage-ops.js';
import type { ClusterState } from './model/cluster-state.js';
import type { SimGuest } from './model/types.js';
import type { Prng } from './prng.js';

/** ChurnEvent describes one random change the churn scenario made. */
export interface ChurnEvent {
  kind:
    | 'start'
    | 'stop'
    | 'rename'
    | 'retag'
    | 'resize'
    | 'address'
    | 'agent'
    | 'migrate'
    | 'create'
    | 'destroy'
    | 'template'
    | 'storage-usage';
  vmid?: number;
  node?: string;
  storage?: string;
}

/** ChurnDependencies are what the churn scenario acts through. */
export interface ChurnDependencies {
  state: ClusterState;
  /** The churn stream (forked from the simulator seed). */
  rng: Prng;
  /** Starts a timed migration through the control surface. */
  migrate(vmid: number, target: string): void;
}

const WEIGHTS: readonly (readonly [ChurnEvent['kind'], number])[] = [
  ['start', 12],
  ['stop', 12],
  ['rename', 8],
  ['retag', 8],
  ['resize', 8],
  ['address', 8],
  ['agent', 4],
  ['migrate', 8],
  ['create', 6],
  ['destroy', 5],
  ['template', 1],
  ['storage-usage', 5],
];
const TAGS = ['prod', 'staging', 'dev', 'web', 'db', 'k8s', 'backup', 'monitoring', 'ci', 'legacy'];

/**
 * ChurnRunner applies realistic random changes — start/stop, rename, retag, resize, guest IP
 * changes, agent up/down, migrations (through the lock phases), create/destroy, template
 * conversion, storage usage jumps — either one at a time (`step`, deterministic from the seed
 * for a given cluster state) or at `ratePerSecond` in the background (`start`/`stop`).
 */
export class ChurnRunner {
  private timer: NodeJS.Timeout | undefined;
  private carry = 0;
  private last = 0;

  /** ChurnRunner acts on the cluster through `deps`. */
  constructor(private readonly deps: ChurnDependencies) {}

  /** running tells whether background churn is on. */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** step makes one random change and describes it. */
  step(): ChurnEvent {
    const kind = this.deps.rng.weighted(WEIGHTS);
    return this.apply(kind) ?? this.apply('create') ?? { kind: 'create' };
  }

  /** start makes `ratePerSecond` changes per second (wall clock) until `stop`. */
  start(ratePerSecond: number): void {
    this.stop();
    if (!(ratePerSecond > 0)) return;
    const tickMs = Math.max(20, Math.min(1000, Math.floor(1000 / ratePerSecond)));
    this.last = performance.now();
    this.carry = 0;
    this.timer = setInterval(() => {
      const now = performance.now();
      this.carry += ((now - this.last) / 1000) * ratePerSecond;
      this.last = now;
      while (this.carry >= 1) {
        this.carry -= 1;
        this.step();
      }
    }, tickMs);
    this.timer.unref();
  }

  /** stop ends background churn. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private apply(kind: ChurnEvent['kind']): ChurnEvent | undefined {
    const { state, rng } = this.deps;
    switch (kind) {
      case 'start':
        return this.onGuest(
          kind,
          (g) => !g.running && !g.template,
          (g) => {
            setRunning(state, rng, g.vmid, true);
          },
        );
      case 'stop':
        return this.onGuest(
          kind,
          (g) => g.running,
          (g) => {
            setRunning(state, rng, g.vmid, false);
          },
        );
      case 'rename':
        return this.onGuest(
          kind,
          () => true,
          (g) => {
            updateGuest(state, g.vmid, {
              name: `${rng.pick(['app', 'svc', 'web', 'db', 'job'])}-${rng.int(1, 999)}`,
            });
          },
        );
      case 'retag':
        return this.onGuest(
          kind,
          () => true,
          (g) => {
            updateGuest(state, g.vmid, { tags: rng.sample(TAGS, rng.int(0, 3)).sort() });
          },
        );
      case 'resize':
        return this.onGuest(
          kind,
          (g) => !g.template,
          (g) => {
            const patch = rng.chance(0.5)
              ? { memoryMiB: rng.pick([1024, 2048, 4096, 8192, 16384]) }
              : { cores: rng.pick([1, 2, 4, 8]) };
            updateGuest(state, g.vmid, patch);
          },
        );
      case 'address':
        return this.onGuest(
          kind,
          (g) => g.running && g.nics.length > 0,
          (g) => {
            const nic = rng.pick(g.nics);
            const ipv4 = `10.${rng.int(100, 199)}.${rng.int(0, 255)}.${rng.int(2, 254)}/24`;
            setAddresses(state, g.vmid, nic.index, { ipv4 });
          },
        );
      case 'agent':
        return this.onGuest(
          kind,
          (g) => g.type === 'qemu' && g.agent !== undefined,
          (g) => {
            setAgent(state, g.vmid, { running: !g.agentRunning });
          },
        );
      case 'migrate':
        return this.migrateOne();
      case 'create': {
        const guest = addGuest(state, rng, {});
        return { kind, vmid: guest.vmid, node: guest.node };
      }
      case 'destroy':
        return this.onGuest(
          kind,
          (g) => !g.template,
          (g) => removeGuest(state, g.vmid),
        );
      case 'template':
        return this.onGuest(
          kind,
          (g) => !g.running && !g.template,
          (g) => {
            convertToTemplate(state, g.vmid);
          },
        );
      case 'storage-usage': {
        const storages = [...state.storages.values()].filter((s) => !s.disabled);
        if (storages.length === 0) return undefined;
        const storage = rng.pick(storages);
        updateStorage(state, rng, storage.id, { usedFraction: rng.float(0.05, 0.9) });
        return { kind, storage: storage.id };
      }
    }
  }

  private onGuest(
    kind: ChurnEvent['kind'],
    accept: (guest: SimGuest) => boolean,
    action: (guest: SimGuest) => void,
  ): ChurnEvent | undefined {
    const guest = this.pickGuest(accept);
    if (!guest) return undefined;
    action(guest);
    return { kind, vmid: guest.vmid };
  }

  private migrateOne(): ChurnEvent | undefined {
    const { state, rng } = this.deps;
    const online = [...state.nodes.values()].filter((n) => n.online).map((n) => n.name);
    if (online.length < 2) return undefined;
    const guest = this.pickGuest((g) => online.includes(g.node));
    if (!guest) return undefined;
    const target = rng.pick(online.filter((name) => name !== guest.node));
    this.deps.migrate(guest.vmid, target);
    return { kind: 'migrate', vmid: guest.vmid, node: target };
  }

  /** pickGuest draws an unlocked guest matching `accept` (a few tries, then a scan). */
  private pickGuest(accept: (guest: SimGuest) => boolean): SimGuest | undefined {
    const guests = this.deps.state.sortedGuests();
    if (guests.length === 0) return undefined;
    const ok = (g: SimGuest) => g.lock === undefined && accept(g);
    for (let i = 0; i < 8; i++) {
      const guest = this.deps.rng.pick(guests);
      if (ok(guest)) return guest;
    }
    const start = this.deps.rng.int(0, guests.length - 1);
    for (let i = 0; i < guests.length; i++) {
      const guest = guests[(start + i) % guests.length] as SimGuest;
      if (ok(guest)) return guest;
    }
    return undefined;
  }
}
