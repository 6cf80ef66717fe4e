import { PveBadResponseError } from '../errors.js';
import { FieldReader, readList } from './field-reader.js';
import { normalizeResourceGuest, type PveGuest } from './guest.js';
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

const resourceRows = new RowScanner(RESOURCE_MEMBERS);

/**
 * scanClusterResources is normalizeClusterResources straight from the answer's bytes (the
 * `{"data":[…]}` envelope included), without JSON.parse (see RowScanner for why), with the same
 * result. It returns undefined — parse the answer the ordinary way — when the answer is outside
 * the scanner's subset or any row is malformed, so errors are reported only by the ordinary way.
 */
export function scanClusterResources(body: Uint8Array): PveClusterResources | undefined {
  const result: PveClusterResources = { guests: [], nodes: [], storage: [] };
  try {
    const complete = resourceRows.scan(body, (row) => addResourceRow(result, row, 'data[]'));
    return complete ? result : undefined;
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
