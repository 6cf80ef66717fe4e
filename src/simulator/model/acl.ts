import type { AclEntry } from './types.js';

/**
 * PVE_AUDITOR_PRIVILEGES are the privileges of PVE's built-in `PVEAuditor` role (every "audit"
 * privilege, API.md §2.4): enough to read everything the inventory needs on PVE 9.
 */
export const PVE_AUDITOR_PRIVILEGES: readonly string[] = [
  'Datastore.Audit',
  'Mapping.Audit',
  'Pool.Audit',
  'SDN.Audit',
  'Sys.Audit',
  'VM.Audit',
  'VM.GuestAgent.Audit',
];

/** AUDITOR_ACL grants PVEAuditor on `/` with propagation: the default sync token's ACL. */
export const AUDITOR_ACL: readonly AclEntry[] = [
  { path: '/', privileges: PVE_AUDITOR_PRIVILEGES, propagate: true },
];

/**
 * aclGrants tells whether `acl` grants `privilege` on `path`: an entry on the path itself, or a
 * propagating entry on one of its ancestors. (PVE lets a more specific entry override an
 * ancestor's; the simulator's ACLs only ever add privileges, so the union is the same.)
 */
export function aclGrants(acl: readonly AclEntry[], path: string, privilege: string): boolean {
  for (const entry of acl) {
    if (!entry.privileges.includes(privilege)) continue;
    if (entry.path === path) return true;
    if (entry.propagate === false) continue;
    if (entry.path === '/' || path.startsWith(`${entry.path}/`)) return true;
  }
  return false;
}

/**
 * AccessCheck answers privilege questions for one token during one request, memoising answers
 * (a `/cluster/resources` call asks once per guest).
 */
export class AccessCheck {
  private readonly memo = new Map<string, boolean>();

  /** AccessCheck evaluates against `acl` (the token's ACL at request time). */
  constructor(private readonly acl: readonly AclEntry[]) {}

  /** can tells whether the token has `privilege` on `path`. */
  can(path: string, privilege: string): boolean {
    const key = `${privilege} ${path}`;
    let answer = this.memo.get(key);
    if (answer === undefined) {
      answer = aclGrants(this.acl, path, privilege);
      this.memo.set(key, answer);
    }
    return answer;
  }

  /** canAny tells whether the token has at least one of `privileges` on `path`. */
  canAny(path: string, privileges: readonly string[]): boolean {
    return privileges.some((privilege) => this.can(path, privilege));
  }

  /**
   * canGuest checks a privilege on `/vms/<vmid>`, also through the guest's pool (ACLs on
   * `/pool/<pool>` apply to its members).
   */
  canGuest(vmid: number, pool: string | undefined, privilege: string): boolean {
    if (this.can(`/vms/${vmid}`, privilege)) return true;
    return pool !== undefined && this.can(`/pool/${pool}`, privilege);
  }
}
