import type { IpAddressRecord } from '../../db/inventory-records.js';
import { builder } from '../builder.js';
import { COLUMN } from '../pagination.js';

/** VmIpAddressRef is the GraphQL `VmIpAddress` type: one address of one guest NIC. */
export const VmIpAddressRef = builder.objectRef<IpAddressRecord>('VmIpAddress').implement({
  description:
    'One address of one guest interface, as the QEMU guest agent or the LXC interfaces call reports it. Loopback and link-local addresses are not kept.',
  fields: (t) => ({
    ipAddress: t.exposeString('ipAddress', {
      ...COLUMN,
      description: 'The address (10.0.0.5, fd00::5).',
    }),
    ipVersion: t.exposeInt('ipVersion', { ...COLUMN, description: '4 or 6.' }),
    prefixLength: t.exposeInt('prefixLength', {
      ...COLUMN,
      nullable: true,
      description: 'Network prefix length (24, 64), when reported.',
    }),
    nicName: t.exposeString('nicName', {
      ...COLUMN,
      description: 'Interface name inside the guest (eth0, ens18).',
    }),
    macAddress: t.exposeString('macAddress', {
      ...COLUMN,
      nullable: true,
      description: 'MAC address, upper-case as in PVE configs, when known.',
    }),
    configNic: t.exposeString('configNic', {
      ...COLUMN,
      nullable: true,
      description: 'The PVE config NIC (net0) whose MAC matches this interface, when one does.',
    }),
  }),
});
