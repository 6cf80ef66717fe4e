import { assignDefined } from './assign-defined.js';
import { FieldReader } from './field-reader.js';

/** PveNodeUsage is a node's changing usage: cpu fraction, mem/disk bytes, uptime seconds. */
export interface PveNodeUsage {
  cpu: number;
  mem: number;
  disk: number;
  uptime: number;
}

/**
 * PveNode is a cluster member as `/nodes` or `/cluster/resources` (type node) reports it.
 * - `status`: `online`, `offline` or `unknown`.
 * - `level`: subscription level, `''` when the node has none; absent (like `max*`) when PVE
 *   has no recent stats for the node (offline for more than 5 minutes) or the token lacks
 *   Sys.Audit.
 * - `usage`: only for online nodes with stats.
 * - `sslFingerprint`: SHA-256 of the node's certificate (`AA:BB:…`), from `/nodes` only.
 */
export interface PveNode {
  name: string;
  status: string;
  level?: string;
  maxcpu?: number;
  maxmem?: number;
  maxdisk?: number;
  usage?: PveNodeUsage;
  sslFingerprint?: string;
}

const USAGE_KEYS = ['cpu', 'mem', 'disk', 'uptime'] as const;

/**
 * normalizeNode maps a `/nodes` entry or a `/cluster/resources` row of type `node` (`at` is its
 * path for error messages) to a PveNode; throws PveBadResponseError when it is malformed.
 */
export function normalizeNode(row: unknown, at = 'row'): PveNode {
  const r = FieldReader.of(row, at);
  const node: PveNode = { name: r.string('node'), status: r.string('status') };
  assignDefined(node, {
    level: r.optStringKeepEmpty('level'),
    maxcpu: r.optNumber('maxcpu'),
    maxmem: r.optNumber('maxmem'),
    maxdisk: r.optNumber('maxdisk'),
    sslFingerprint: r.optString('ssl_fingerprint'),
  });
  const usage = r.usage(USAGE_KEYS);
  if (usage) node.usage = usage;
  return node;
}
