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

/**
 * StatusRecorder writes a cluster's sync status only when it changes — the status row is not
 * rewritten every poll — and keeps a mass-deletion warning shown while the deletion is held.
 */
export class StatusRecorder {
  #recorded: { state: SyncStateValue; error: string | null } | undefined;

  constructor(
    private readonly clusterId: number,
    private readonly sink: SyncStatusSink,
  ) {}

  /** state is the last state recorded. */
  get state(): SyncStateValue | undefined {
    return this.#recorded?.state;
  }

  /** error is the last `lastError` recorded. */
  get error(): string | null {
    return this.#recorded?.error ?? null;
  }

  /**
   * record writes a state (and `lastSyncedAt` when given). While `holdingWarning` is true, a
   * clean SYNCED keeps the warning already shown instead of clearing it.
   */
  async record(
    state: SyncStateValue,
    error: string | null,
    options: { at?: Date; holdingWarning?: boolean } = {},
  ): Promise<void> {
    const shown =
      state === 'SYNCED' && error === null && options.holdingWarning ? this.error : error;
    if (this.#recorded?.state === state && this.#recorded.error === shown) return;
    this.#recorded = { state, error: shown };
    await this.sink(this.clusterId, {
      state,
      lastError: shown,
      ...(options.at ? { lastSyncedAt: options.at } : {}),
    });
  }

  /** touch records a fresh `lastSyncedAt` while SYNCED (written at most once per metrics flush). */
  async touch(at: Date): Promise<void> {
    if (this.#recorded?.state === 'SYNCED') {
      await this.sink(this.clusterId, { state: 'SYNCED', lastSyncedAt: at });
    }
  }
}
