import { assignDefined } from './assign-defined.js';
import { FieldReader } from './field-reader.js';

/**
 * PveStorage is one storage as seen from one node (a shared storage appears once per node).
 * - `type`: the plugin type (`dir`, `lvmthin`, `zfspool`, `nfs`, `rbd`, `pbs`, …).
 * - `status`: `available` or `unknown` (PVE's `/cluster/resources` vocabulary; for
 *   `/nodes/{node}/storage` it is derived from `active`).
 * - `content`: content types, sorted and de-duplicated (PVE sends them in random order).
 * - `total`/`used`/`avail`: bytes; `/cluster/resources` has no `avail` (undefined) and no
 *   usage at all without recent stats.
 * - `active`: the storage answered its last status check (`/cluster/resources`: status is
 *   `available`). `enabled`: not disabled for this node (`/cluster/resources` lists enabled
 *   storages only, so always true there).
 */
export interface PveStorage {
  node: string;
  storage: string;
  type: string;
  status: string;
  shared: boolean;
  content: string[];
  total?: number;
  used?: number;
  avail?: number;
  active: boolean;
  enabled: boolean;
}

/**
 * splitContent turns PVE's comma-separated content list into a sorted, de-duplicated array.
 */
export function splitContent(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [...new Set(value.split(/[,;\s]+/).filter((c) => c !== ''))].sort();
}

/**
 * normalizeResourceStorage maps a `/cluster/resources` row of type `storage` (`at` is its path
 * for error messages): `plugintype` → type, `maxdisk` → total, `disk` → used.
 */
export function normalizeResourceStorage(row: unknown, at = 'row'): PveStorage {
  const r = FieldReader.of(row, at);
  const status = r.string('status');
  const storage: PveStorage = {
    node: r.string('node'),
    storage: r.string('storage'),
    type: r.string('plugintype'),
    status,
    shared: r.boolean('shared', false),
    content: splitContent(r.optString('content')),
    active: status === 'available',
    enabled: true,
  };
  return assignDefined(storage, { total: r.optNumber('maxdisk'), used: r.optNumber('disk') });
}

/**
 * normalizeNodeStorage maps a `/nodes/{node}/storage` entry; `node` is the one in the URL.
 * Absent `enabled` means true and absent `active` false (PVE always sends both).
 */
export function normalizeNodeStorage(row: unknown, node: string, at = 'row'): PveStorage {
  const r = FieldReader.of(row, at);
  const active = r.boolean('active', false);
  const storage: PveStorage = {
    node,
    storage: r.string('storage'),
    type: r.string('type'),
    status: active ? 'available' : 'unknown',
    shared: r.boolean('shared', false),
    content: splitContent(r.optString('content')),
    active,
    enabled: r.boolean('enabled', true),
  };
  return assignDefined(storage, {
    total: r.optNumber('total'),
    used: r.optNumber('used'),
    avail: r.optNumber('avail'),
  });
}
