import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { PveCluster } from './cluster.entity.js';
import { timestamps } from './common.js';
import { PveVm } from './vm.entity.js';

/**
 * VmIpAddress is a row of `vm_ipaddress`: one address of one guest NIC, as the QEMU guest agent
 * or the LXC interfaces call reports it, keyed by (vm, nic, ip). Loopback and link-local
 * addresses are never stored. `mac_address` is upper-case, as PVE writes it in configs.
 */
export const VmIpAddress = defineEntity({
  name: 'VmIpAddress',
  tableName: 'vm_ipaddress',
  properties: {
    id: p.integer().primary().autoincrement(),
    vmId: p.manyToOne(PveVm).mapToPk().fieldName('vm_id').deleteRule('cascade'),
    clusterId: p.manyToOne(PveCluster).mapToPk().fieldName('cluster_id').deleteRule('cascade'),
    nicName: p.string().length(64).fieldName('nic_name'),
    macAddress: p.string().length(32).fieldName('mac_address').nullable(),
    ipAddress: p.string().length(64).fieldName('ip_address'),
    /** 4 or 6. */
    ipVersion: p.smallint().fieldName('ip_version'),
    prefixLength: p.smallint().fieldName('prefix_length').nullable(),
    /** The config NIC (`net0`) whose MAC matched, when one did. */
    configNic: p.string().length(16).fieldName('config_nic').nullable(),
    ...timestamps(),
  },
  uniques: [
    {
      name: 'vm_ipaddress_vm_id_nic_name_ip_address_unique',
      properties: ['vmId', 'nicName', 'ipAddress'],
    },
  ],
  indexes: [
    { name: 'vm_ipaddress_cluster_id_index', properties: ['clusterId'] },
    // A guest's addresses in the order pages list them, every column in the key: a page's
    // `ipAddresses` detail is an index-only scan per guest, without a sort.
    {
      name: 'vm_ipaddress_vm_id_listing_index',
      properties: [
        'vmId',
        'nicName',
        'ipVersion',
        'ipAddress',
        'macAddress',
        'prefixLength',
        'configNic',
      ],
    },
  ],
  checks: [{ name: 'vm_ipaddress_ip_version_check', expression: 'ip_version = any (array[4, 6])' }],
});

/** IVmIpAddress is a loaded `vm_ipaddress` row. */
export interface IVmIpAddress extends InferEntity<typeof VmIpAddress> {}
