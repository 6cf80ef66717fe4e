import { FieldReader, readList } from './field-reader.js';
import { normalizeResourceGuest, type PveGuest } from './guest.js';
import { normalizeNode, type PveNode } from './node.js';
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
  readList(data, at, (row, rowAt) => {
    const type = FieldReader.of(row, rowAt).string('type');
    if (type === 'qemu' || type === 'lxc') result.guests.push(normalizeResourceGuest(row, rowAt));
    else if (type === 'node') result.nodes.push(normalizeNode(row, rowAt));
    else if (type === 'storage') result.storage.push(normalizeResourceStorage(row, rowAt));
  });
  return result;
}
