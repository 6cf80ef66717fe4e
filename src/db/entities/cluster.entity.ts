import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { flag, flagCheck, timestamps } from './common.js';

/** CLUSTER_SYNC_STATES are the values of `pve_cluster.sync_state` (GraphQL `ClusterSyncState`). */
export const CLUSTER_SYNC_STATES = ['PENDING', 'SYNCING', 'SYNCED', 'ERROR', 'DISABLED'] as const;

/** ClusterSyncStateValue is one of {@link CLUSTER_SYNC_STATES}. */
export type ClusterSyncStateValue = (typeof CLUSTER_SYNC_STATES)[number];

/**
 * PveCluster is a row of `pve_cluster`: a Proxmox VE cluster pvesphere knows about. The
 * original project's columns keep their names and types (DESIGN §4), so its SQL works verbatim:
 * `cluster_name`, `cluster_name_alias`, `env`, `api_url`, `user_id` (the API token id
 * `user@realm!name`), `user_token` (the token secret, encrypted at rest), `is_enabled` and
 * `is_schedulable` (smallint 0/1), `creator`. `is_enabled` controls syncing; `is_schedulable` is
 * only kept for VM placement decisions and never affects syncing.
 */
export const PveCluster = defineEntity({
  name: 'PveCluster',
  tableName: 'pve_cluster',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string().length(64).fieldName('cluster_name').unique('pve_cluster_cluster_name_unique'),
    alias: p.string().length(255).fieldName('cluster_name_alias').default(''),
    env: p.string().length(64).default(''),
    apiUrl: p.string().length(512).fieldName('api_url'),
    tokenId: p.string().length(255).fieldName('user_id'),
    /** The token secret as stored: `enc:v1:…` ciphertext, or plaintext inserted by SQL. */
    tokenSecret: p.text().fieldName('user_token').hidden(),
    isEnabled: flag().fieldName('is_enabled').default(1),
    isSchedulable: flag().fieldName('is_schedulable').default(1),
    creator: p.string().length(255).default(''),
    /** SHA-256 fingerprint of the PVE certificate to pin (`AA:BB:…`), or null to use the CA store. */
    tlsFingerprint: p.string().length(95).nullable(),
    /** Skip TLS verification entirely: an explicit opt-in. */
    tlsInsecure: p.boolean().default(false),
    syncState: p.enum([...CLUSTER_SYNC_STATES]).default('PENDING'),
    lastSyncedAt: p.datetime().nullable(),
    lastError: p.text().nullable(),
    ...timestamps(),
  },
  checks: [
    { name: 'pve_cluster_is_enabled_check', expression: flagCheck('is_enabled') },
    { name: 'pve_cluster_is_schedulable_check', expression: flagCheck('is_schedulable') },
  ],
});

/** IPveCluster is a loaded `pve_cluster` row. */
export interface IPveCluster extends InferEntity<typeof PveCluster> {}
