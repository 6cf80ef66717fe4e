import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { PveCluster } from './cluster.entity.js';
import { timestamps } from './common.js';
import { GUEST_TYPES, PveVm } from './vm.entity.js';

/**
 * VmTemplate is a row of `vm_template`: a guest converted to a template (`template: 1` in its
 * config), keyed by (cluster, vmid). The same guest is also in `pve_vm` with `is_template = 1`;
 * this table is the template catalogue the original project kept, with the config description.
 */
export const VmTemplate = defineEntity({
  name: 'VmTemplate',
  tableName: 'vm_template',
  properties: {
    id: p.integer().primary().autoincrement(),
    clusterId: p.manyToOne(PveCluster).mapToPk().fieldName('cluster_id').deleteRule('cascade'),
    vmId: p.manyToOne(PveVm).mapToPk().fieldName('vm_id').deleteRule('cascade'),
    vmid: p.integer(),
    templateName: p.string().length(255).fieldName('template_name'),
    nodeName: p.string().length(255).fieldName('node_name'),
    type: p.enum([...GUEST_TYPES]),
    description: p.text().nullable(),
    ...timestamps(),
  },
  uniques: [{ name: 'vm_template_cluster_id_vmid_unique', properties: ['clusterId', 'vmid'] }],
});

/** IVmTemplate is a loaded `vm_template` row. */
export interface IVmTemplate extends InferEntity<typeof VmTemplate> {}
