import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { PveCluster } from './cluster.entity.js';
import { bytes, flag, flagCheck, inventoryTracking, timestamps } from './common.js';
import { PveNode } from './node.entity.js';

/** GUEST_TYPES are the kinds of guest PVE runs: QEMU VMs and LXC containers. */
export const GUEST_TYPES = ['qemu', 'lxc'] as const;

/**
 * PveVm is a row of `pve_vm`: one guest (QEMU VM or LXC container), keyed by (cluster, vmid) —
 * vmid is unique across a cluster, so a migration is an update of `node_id`/`node_name`, never a
 * delete and an add. `node_name` is kept beside `node_id` so a guest survives its node's row
 * being removed (the foreign key then becomes null). A guest on an offline node keeps its last
 * known name and config with status `unknown`.
 */
export const PveVm = defineEntity({
  name: 'PveVm',
  tableName: 'pve_vm',
  properties: {
    id: p.integer().primary().autoincrement(),
    clusterId: p.manyToOne(PveCluster).mapToPk().fieldName('cluster_id').deleteRule('cascade'),
    vmid: p.integer(),
    nodeId: p.manyToOne(PveNode).mapToPk().fieldName('node_id').nullable().deleteRule('set null'),
    nodeName: p.string().length(255).fieldName('node_name'),
    type: p.enum([...GUEST_TYPES]),
    vmName: p.string().length(255).fieldName('vm_name').nullable(),
    status: p.string().length(32),
    isTemplate: flag().fieldName('is_template').default(0),
    cpuNum: p.integer().fieldName('cpu_num').nullable(),
    maxMem: bytes().fieldName('max_mem').nullable(),
    maxDisk: bytes().fieldName('max_disk').nullable(),
    tags: p.array().columnType('text[]').default([]),
    lock: p.string().length(32).nullable(),
    hastate: p.string().length(32).nullable(),
    pool: p.string().length(255).nullable(),
    /** From the guest config (detail call). */
    description: p.text().nullable(),
    /** QEMU guest agent enabled in the config (null: unknown or LXC). */
    agentEnabled: p.boolean().fieldName('agent_enabled').nullable(),
    cpuUsage: p.double().fieldName('cpu_usage').nullable(),
    memUsed: bytes().fieldName('mem_used').nullable(),
    diskUsed: bytes().fieldName('disk_used').nullable(),
    netIn: bytes().fieldName('net_in').nullable(),
    netOut: bytes().fieldName('net_out').nullable(),
    diskRead: bytes().fieldName('disk_read').nullable(),
    diskWrite: bytes().fieldName('disk_write').nullable(),
    uptime: bytes().nullable(),
    /** When guest IPs were last fetched (null: never). */
    ipsFetchedAt: p.datetime().fieldName('ips_fetched_at').nullable(),
    ...inventoryTracking(),
    ...timestamps(),
  },
  uniques: [{ name: 'pve_vm_cluster_id_vmid_unique', properties: ['clusterId', 'vmid'] }],
  indexes: [
    { name: 'pve_vm_cluster_id_node_name_index', properties: ['clusterId', 'nodeName'] },
    {
      name: 'pve_vm_tags_index',
      expression: 'create index "pve_vm_tags_index" on "pve_vm" using gin ("tags")',
    },
  ],
  checks: [{ name: 'pve_vm_is_template_check', expression: flagCheck('is_template') }],
});

/** IPveVm is a loaded `pve_vm` row. */
export interface IPveVm extends InferEntity<typeof PveVm> {}
