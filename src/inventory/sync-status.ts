import { PveError } from '../proxmox/errors.js';

/** SyncStateValue mirrors `pve_cluster.sync_state` (GraphQL `ClusterSyncState`). */
export type SyncStateValue = 'PENDING' | 'SYNCING' | 'SYNCED' | 'ERROR' | 'DISABLED';

/** SyncStatusUpdate is one change of a cluster's recorded sync status. */
export interface SyncStatusUpdate {
  state: SyncStateValue;
  lastError?: string | null;
  lastSyncedAt?: Date;
}

/** SyncStatusSink records a cluster's sync status where every replica can read it. */
export type SyncStatusSink = (clusterId: number, update: SyncStatusUpdate) => Promise<void>;

/**
 * describeSyncError turns a failure of a sync cycle into the sentence shown as the cluster's
 * `sync.lastError`: what failed and what to do. The PVE client's messages never contain the
 * token secret, and neither does anything added here.
 */
export function describeSyncError(error: Error, apiUrl: string): string {
  if (!(error instanceof PveError)) return `sync failed: ${error.message}`;
  switch (error.code) {
    case 'PVE_AUTH':
      return `PVE rejected the API token (HTTP 401 at ${apiUrl}): check tokenId and tokenSecret; the token may have been revoked or may have expired`;
    case 'PVE_FORBIDDEN':
      return `the API token lacks a privilege (HTTP 403: ${error.message}): give the token (or, with privilege separation, its user and the token) the PVEAuditor role on /`;
    case 'PVE_TLS':
      return `TLS verification of ${apiUrl} failed: ${error.message}`;
    case 'PVE_TIMEOUT':
      return `PVE at ${apiUrl} did not answer in time: ${error.message}`;
    case 'PVE_NETWORK':
      return `cannot reach PVE at ${apiUrl}: ${error.message}`;
    case 'PVE_NODE_UNREACHABLE':
      return `the PVE node answering at ${apiUrl} cannot reach the node it proxies to: ${error.message}`;
    case 'PVE_BAD_RESPONSE':
      return `PVE sent an answer pvesphere cannot use (nothing was changed): ${error.message}`;
    default:
      return `PVE request failed (${error.code}): ${error.message}`;
  }
}
