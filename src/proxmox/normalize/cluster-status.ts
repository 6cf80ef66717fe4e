import { assignDefined } from './assign-defined.js';
import { FieldReader, readList } from './field-reader.js';

/** PveClusterInfo is the `cluster` entry of `/cluster/status` (absent on a standalone node). */
export interface PveClusterInfo {
  name: string;
  quorate: boolean;
  /** nodeCount counts the configured members, offline ones included. */
  nodeCount: number;
  /** version is the corosync config version. */
  version?: number;
}

/**
 * PveClusterMember is a `node` entry of `/cluster/status`: `nodeid` from corosync (0 on a
 * standalone node), `online` membership, `local` is the node that answered, `ip` its resolved
 * address when known, `level` its subscription level (`''` for none).
 */
export interface PveClusterMember {
  name: string;
  nodeid: number;
  online: boolean;
  local: boolean;
  ip?: string;
  level?: string;
}

/** PveClusterStatus is `/cluster/status`: the cluster entry (if clustered) and the members. */
export interface PveClusterStatus {
  cluster?: PveClusterInfo;
  nodes: PveClusterMember[];
}

/**
 * normalizeClusterStatus maps the `data` list of `/cluster/status`; entries of other types are
 * ignored, the first `cluster` entry is used. Throws PveBadResponseError when malformed.
 */
export function normalizeClusterStatus(data: unknown, at = 'data'): PveClusterStatus {
  const status: PveClusterStatus = { nodes: [] };
  readList(data, at, (item, itemAt) => {
    const r = FieldReader.of(item, itemAt);
    const type = r.string('type');
    if (type === 'cluster' && status.cluster === undefined) {
      status.cluster = assignDefined(
        {
          name: r.string('name'),
          quorate: r.boolean('quorate', false),
          nodeCount: r.optInteger('nodes') ?? 0,
        } as PveClusterInfo,
        { version: r.optInteger('version') },
      );
    } else if (type === 'node') {
      status.nodes.push(
        assignDefined(
          {
            name: r.string('name'),
            nodeid: r.integer('nodeid'),
            online: r.boolean('online', false),
            local: r.boolean('local', false),
          } as PveClusterMember,
          { ip: r.optString('ip'), level: r.optStringKeepEmpty('level') },
        ),
      );
    }
  });
  return status;
}
