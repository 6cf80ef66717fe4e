import { parseClusterId } from '../../db/cluster-store.js';
import type { TemplateRecord } from '../../db/inventory-records.js';
import { builder } from '../builder.js';
import { COLUMN } from '../pagination.js';
import { PveClusterRef } from './cluster.js';
import { linkToCluster } from './cluster-link.js';
import { GuestType, PveVmRef } from './vm.js';

/** VmTemplateRef is the GraphQL `VmTemplate` type: one entry of the template catalogue. */
export const VmTemplateRef = builder.objectRef<TemplateRecord>('VmTemplate').implement({
  description:
    'A guest converted to a template (vm_template), with the description from its config. The same guest is a PveVm with template = true.',
  fields: (t) => ({
    id: t.exposeID('id', { ...COLUMN, description: 'Database id (vm_template.id).' }),
    clusterId: t.exposeID('clusterId', COLUMN),
    vmid: t.exposeInt('vmid', COLUMN),
    name: t.exposeString('name', { ...COLUMN, description: 'Template name.' }),
    node: t.exposeString('node', { ...COLUMN, description: 'Node the template is stored on.' }),
    type: t.expose('type', { ...COLUMN, type: GuestType }),
    description: t.exposeString('description', {
      ...COLUMN,
      nullable: true,
      description: 'Notes from the template config.',
    }),
    vm: t.field({
      type: PveVmRef,
      nullable: true,
      complexity: 1,
      description: 'The guest this template is (null if it is gone from the inventory).',
      resolve: (template, _args, ctx) =>
        ctx.loaders.vm.load({ clusterId: template.clusterId, vmid: template.vmid }),
    }),
  }),
});

linkToCluster(VmTemplateRef, 'template');

builder.queryField('templates', (t) =>
  t.field({
    type: [VmTemplateRef],
    description: 'The template catalogue, of one cluster or all, ordered by (cluster id, vmid).',
    args: { clusterId: t.arg.id() },
    resolve: (_root, args, ctx) =>
      ctx.services.inventory.templates(
        args.clusterId === null || args.clusterId === undefined
          ? undefined
          : [parseClusterId(args.clusterId, 'clusterId')],
      ),
  }),
);

builder.objectField(PveClusterRef, 'templates', (t) =>
  t.field({
    type: [VmTemplateRef],
    description: "This cluster's template catalogue, ordered by vmid.",
    resolve: (cluster, _args, ctx) => ctx.loaders.templates.load(cluster.id),
  }),
);
