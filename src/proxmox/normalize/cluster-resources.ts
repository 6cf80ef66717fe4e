import { PveBadResponseError } from '../errors.js';
import { FieldReader, readList } from './field-reader.js';
import {
  GUEST_USAGE_KEYS,
  type GuestType,
  normalizeResourceGuest,
  type PveGuest,
  type PveGuestUsage,
} from './guest.js';
import { normalizeNode, type PveNode } from './node.js';
import { RowScanner } from './row-scanner.js';
import { normalizeResourceStorage, type PveStorage } from './storage.js';

/**
 * PveClusterResources is `/cluster/resources` split by kind. Rows of other kinds (pool, sdn,
 * network, openvz) are tolerated and left out: pool membership is on each guest's `pool`.
 */
export interface PveClusterResources {
  guests: PveGuest[];
  nodes: PveNode[];
  storage: PveStorage[];
}

/**
 * normalizeClusterResources maps the `data` list of `/cluster/resources` (with or without a
 * `type` filter). One malformed row rejects the whole answer with PveBadResponseError (naming
 * `data[i].<member>`): a partial list must never make a sync delete what it did not see.
 */
export function normalizeClusterResources(data: unknown, at = 'data'): PveClusterResources {
  const result: PveClusterResources = { guests: [], nodes: [], storage: [] };
  readList(data, at, (row, rowAt) => addResourceRow(result, row, rowAt));
  return result;
}

/**
 * RESOURCE_MEMBERS are the members of a `/cluster/resources` row that the normalisers read
 * (a test checks the list against what they read).
 */
export const RESOURCE_MEMBERS = [
  'type',
  'node',
  'status',
  'vmid',
  'name',
  'template',
  'maxcpu',
  'maxmem',
  'maxdisk',
  'tags',
  'lock',
  'hastate',
  'pool',
  'cpu',
  'mem',
  'disk',
  'netin',
  'netout',
  'diskread',
  'diskwrite',
  'uptime',
  'level',
  'ssl_fingerprint',
  'storage',
  'plugintype',
  'shared',
  'content',
] as const;

/**
 * DIGESTED_MEMBERS make a row's digest: every member read except a guest's usage, which changes
 * on every poll without changing the inventory.
 */
const DIGESTED_MEMBERS = RESOURCE_MEMBERS.filter(
  (member) => !(GUEST_USAGE_KEYS as readonly string[]).includes(member),
);

const resourceRows = new RowScanner(RESOURCE_MEMBERS, { digestKeys: DIGESTED_MEMBERS });

/**
 * KnownGuestDigest tells the digest (RowScanner.digest) of the row that the caller's current
 * state of a guest was made from, or undefined when it has none.
 */
export type KnownGuestDigest = (type: GuestType, vmid: number) => number | undefined;

/** UnchangedGuest is a guest row whose digest is the one its caller knows: its usage only. */
export interface UnchangedGuest {
  type: GuestType;
  vmid: number;
  usage?: PveGuestUsage;
}

/**
 * PveClusterResourcesSince is `/cluster/resources` read against what the caller knows: guests
 * whose rows are what its states were made from come in `unchangedGuests` (usage only), the
 * others in `guests` as usual.
 */
export interface PveClusterResourcesSince extends PveClusterResources {
  unchangedGuests: UnchangedGuest[];
  /**
   * The digest of each row of `guests`, in the same order (for the caller to remember); empty
   * when the answer was parsed rather than scanned (no digests: every guest is in `guests`).
   */
  guestDigests: number[];
}

/**
 * scanClusterResources is normalizeClusterResources straight from the answer's bytes (the
 * `{"data":[…]}` envelope included), without JSON.parse (see RowScanner for why), with the same
 * result. It returns undefined — parse the answer the ordinary way — when the answer is outside
 * the scanner's subset or any row is malformed, so errors are reported only by the ordinary way.
 */
export function scanClusterResources(body: Uint8Array): PveClusterResources | undefined {
  const result: PveClusterResources = { guests: [], nodes: [], storage: [] };
  return scanInto(result, body, (row) => addResourceRow(result, row, 'data[]'));
}

/**
 * scanInto scans `body`'s rows with `onRow`, which fills `result`: `result` once every row was
 * read, undefined when the answer is outside the scanner's subset or a row is malformed.
 */
function scanInto<R>(
  result: R,
  body: Uint8Array,
  onRow: (row: Readonly<Record<string, unknown>>) => void,
): R | undefined {
  try {
    return resourceRows.scan(body, onRow) ? result : undefined;
  } catch (err) {
    if (err instanceof PveBadResponseError) return undefined;
    throw err;
  }
}

/** addResourceRow adds one row to `result` by its kind (others are left out). */
function addResourceRow(result: PveClusterResources, row: unknown, at: string): void {
  const type = FieldReader.of(row, at).string('type');
  if (type === 'qemu' || type === 'lxc') result.guests.push(normalizeResourceGuest(row, at));
  else if (type === 'node') result.nodes.push(normalizeNode(row, at));
  else if (type === 'storage') result.storage.push(normalizeResourceStorage(row, at));
}

/**
 * scanClusterResourcesSince is scanClusterResources for a caller that keeps states of the guests
 * (see PveClusterResourcesSince): a guest row whose digest equals `known(type, vmid)` has only its
 * usage read — no strings, tags or objects made for what did not change, which at 1,000 guests
 * is most of a poll's work. Undefined in the same cases as scanClusterResources.
 */
export function scanClusterResourcesSince(
  body: Uint8Array,
  known: KnownGuestDigest,
): PveClusterResourcesSince | undefined {
  const result: PveClusterResourcesSince = {
    guests: [],
    nodes: [],
    storage: [],
    unchangedGuests: [],
    guestDigests: [],
  };
  return scanInto(result, body, (row) => {
    const type = row.type;
    if (type !== 'qemu' && type !== 'lxc') {
      addResourceRow(result, row, 'data[]');
      return;
    }
    const digest = resourceRows.digest;
    const reader = FieldReader.of(row, 'data[]');
    const vmid = reader.vmid();
    if (known(type, vmid) === digest) {
      const unchanged: UnchangedGuest = { type, vmid };
      const usage = reader.usage(GUEST_USAGE_KEYS);
      if (usage) unchanged.usage = usage;
      result.unchangedGuests.push(unchanged);
    } else {
      result.guests.push(normalizeResourceGuest(row, 'data[]'));
      result.guestDigests.push(digest);
    }
  });
}

/**
 * normalizeClusterResourcesSince is normalizeClusterResources in the shape of
 * scanClusterResourcesSince, for a parsed answer: every guest in `guests`, no digests.
 */
export function normalizeClusterResourcesSince(data: unknown): PveClusterResourcesSince {
  return { ...normalizeClusterResources(data), unchangedGuests: [], guestDigests: [] };
}
