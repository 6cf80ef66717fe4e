import type { KnownGuestDigest } from '../proxmox/normalize/cluster-resources.js';
import type { GuestType } from '../proxmox/normalize/guest.js';
import { guestKey } from './state.js';

/**
 * RowDigests remembers, per guest, the digest of the `/cluster/resources` row that its known
 * state was made from (RowScanner.digest: every member but the usage), so that the next poll
 * reads only the usage of the rows that are the same again — at 1,000 guests nearly all of them,
 * and most of a poll's work (strings, tags, a state to build and compare per guest).
 *
 * The one rule: a guest has a digest only while the informer holds the state made from that row
 * (details merged in later do not matter: they are merged again). Hence digests are recorded
 * only after a cycle's states were applied and written ({@link RowDigests.remember}), a guest's
 * is dropped when it is deleted, and everything is forgotten when a cycle fails
 * ({@link RowDigests.clear}) — the next poll then reads every row in full, as does each resync.
 */
export class RowDigests {
  readonly #digests = new Map<string, number>();

  /** size is the number of guests with a digest. */
  get size(): number {
    return this.#digests.size;
  }

  /**
   * lookup is the KnownGuestDigest for a listing: the remembered digest of a guest that
   * `isKnown` (the informer) holds, else undefined.
   */
  lookup(isKnown: (key: string) => boolean): KnownGuestDigest {
    return (type: GuestType, vmid: number) => {
      const key = guestKey(type, vmid);
      return isKnown(key) ? this.#digests.get(key) : undefined;
    };
  }

  /**
   * remember records a written cycle: the guests it read in full (by key) with their row digests
   * — undefined when it read a row without one (a parsed answer), whose old digest no longer
   * describes the state and is dropped — and the guests it deleted, whose digests are dropped.
   */
  remember(digests: ReadonlyMap<string, number | undefined>, deleted: Iterable<string>): void {
    for (const key of deleted) this.#digests.delete(key);
    for (const [key, digest] of digests) {
      if (digest === undefined) this.#digests.delete(key);
      else this.#digests.set(key, digest);
    }
  }

  /** clear forgets every digest (after a failed cycle, states and digests may disagree). */
  clear(): void {
    this.#digests.clear();
  }
}
