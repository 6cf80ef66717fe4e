import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { PveCluster } from './cluster.entity.js';
import { bytes, flag, flagCheck, inventoryTracking, timestamps } from './common.js';
import { PveNode } from './node.entity.js';

/**
 * PveStorage is a row of `pve_storage`: one storage as one node sees it, keyed by (cluster, node
 * name, storage name). A shared storage has one row per node with `shared = 1`; grouping them is
 * a query concern (DESIGN §3). `content` is PVE's comma-separated content list, sorted.
 */
export const PveStorage = defineEntity({
  name: 'PveStorage',
  tableName: 'pve_storage',
  properties: {
    id: p.integer().primary().autoincrement(),
    clusterId: p.manyToOne(PveCluster).mapToPk().fieldName('cluster_id').deleteRule('cascade'),
    nodeId: p.manyToOne(PveNode).mapToPk().fieldName('node_id').nullable().deleteRule('set null'),
    nodeName: p.string().length(255).fieldName('node_name'),
    storageName: p.string().length(255).fieldName('storage_name'),
    type: p.string().length(32),
    content: p.string().length(255).default(''),
    status: p.string().length(32),
    active: flag().default(0),
    enabled: flag().default(0),
    shared: flag().default(0),
    total: bytes().nullable(),
    used: bytes().nullable(),
    avail: bytes().nullable(),
    usedFraction: p.double().fieldName('used_fraction').nullable(),
    ...inventoryTracking(),
    ...timestamps(),
  },
  uniques: [
    {
      name: 'pve_storage_cluster_id_node_name_storage_name_unique',
      properties: ['clusterId', 'nodeName', 'storageName'],
    },
  ],
  checks: [
    { name: 'pve_storage_active_check', expression: flagCheck('active') },
    { name: 'pve_storage_enabled_check', expression: flagCheck('enabled') },
    { name: 'pve_storage_shared_check', expression: flagCheck('shared') },
  ],
});

/** IPveStorage is a loaded `pve_storage` row. */
export interface IPveStorage extends InferEntity<typeof PveStorage> {}
