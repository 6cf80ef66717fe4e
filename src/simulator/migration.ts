import { SimulatorControlError } from './control-error.js';
import type { ClusterState } from './model/cluster-state.js';

/**
 * MigrationPhase is where a migration stands (API.md §5.3, QemuMigrate.pm):
 * - `locked`: `lock: migrate` written into the config on the source node;
 * - `moved`: the config moved to the target node, still locked (same vmid, new node);
 * - `done`: the target ran `qm unlock`.
 */
export type MigrationPhase = 'locked' | 'moved' | 'done';

/**
 * Migration walks one guest through PVE's migration phases, one `step()` at a time. Creating it
 * performs the first phase (lock on the source); HA-managed guests show HA state `migrate` until
 * done. Running guests keep running (live migration).
 */
export class Migration {
  /** source is the node the guest started on. */
  readonly source: string;
  private current: MigrationPhase = 'locked';

  /**
   * Migration validates (guest exists and is not locked, target is another online member) and
   * locks the guest. Throws SimulatorControlError.
   */
  constructor(
    private readonly state: ClusterState,
    readonly vmid: number,
    readonly target: string,
  ) {
    const guest = state.guests.get(vmid);
    if (!guest) throw new SimulatorControlError('NOT_FOUND', `no guest ${vmid}`);
    if (guest.lock !== undefined) {
      throw new SimulatorControlError('CONFLICT', `guest ${vmid} is locked (${guest.lock})`);
    }
    const targetNode = state.nodes.get(target);
    if (!targetNode) throw new SimulatorControlError('NOT_FOUND', `no node '${target}'`);
    if (!targetNode.online)
      throw new SimulatorControlError('CONFLICT', `node '${target}' is offline`);
    if (guest.node === target) {
      throw new SimulatorControlError('INVALID', `guest ${vmid} is already on '${target}'`);
    }
    this.source = guest.node;
    guest.lock = 'migrate';
    if (guest.ha) guest.ha.serviceState = 'migrate';
    state.touchGuest(guest);
  }

  /** phase is the phase reached so far. */
  get phase(): MigrationPhase {
    return this.current;
  }

  /** step performs the next phase and returns it (`done` stays `done`). */
  step(): MigrationPhase {
    const guest = this.state.guests.get(this.vmid);
    if (!guest) {
      this.current = 'done';
      return this.current;
    }
    if (this.current === 'locked') {
      this.state.moveGuest(this.vmid, this.target);
      this.current = 'moved';
    } else if (this.current === 'moved') {
      guest.lock = undefined;
      if (guest.ha) guest.ha.serviceState = undefined;
      this.state.touchGuest(guest);
      this.current = 'done';
    }
    return this.current;
  }
}
