import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { PveCluster } from './cluster.entity.js';
import { bytes, inventoryTracking, timestamps } from './common.js';

/**
 * PveNode is a row of `pve_node`: one member node of a cluster, keyed by (cluster, node name).
 * Inventory fields (status, ip, level, capacity) decide events; usage columns are flushed in
 * batches and never cause an event.
 */
export const PveNode = defineEntity({
  name: 'PveNode',
  tableName: 'pve_node',
  properties: {
    id: p.integer().primary().autoincrement(),
    clusterId: p.manyToOne(PveCluster).mapToPk().fieldName('cluster_id').deleteRule('cascade'),
    nodeName: p.string().length(255).fieldName('node_name'),
    status: p.string().length(32),
    ipAddress: p.string().length(64).fieldName('ip_address').nullable(),
    /** Subscription level (`c`, `b`, `s`, `p`, or empty). */
    level: p.string().length(16).nullable(),
    maxCpu: p.integer().fieldName('max_cpu').nullable(),
    maxMem: bytes().fieldName('max_mem').nullable(),
    maxDisk: bytes().fieldName('max_disk').nullable(),
    cpuUsage: p.double().fieldName('cpu_usage').nullable(),
    memUsed: bytes().fieldName('mem_used').nullable(),
    diskUsed: bytes().fieldName('disk_used').nullable(),
    uptime: bytes().nullable(),
    ...inventoryTracking(),
    ...timestamps(),
  },
  uniques: [
    { name: 'pve_node_cluster_id_node_name_unique', properties: ['clusterId', 'nodeName'] },
  ],
});

/** IPveNode is a loaded `pve_node` row. */
export interface IPveNode extends InferEntity<typeof PveNode> {}
