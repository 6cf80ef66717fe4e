import { PveCluster } from './cluster.entity.js';
import { InventoryEvent } from './inventory-event.entity.js';
import { PveNode } from './node.entity.js';
import { PveStorage } from './storage.entity.js';
import { PveVm } from './vm.entity.js';
import { VmIpAddress } from './vm-ip-address.entity.js';
import { VmTemplate } from './vm-template.entity.js';

/** ENTITIES is every entity schema, in the order the ORM discovers them. */
export const ENTITIES = [
  PveCluster,
  PveNode,
  PveVm,
  PveStorage,
  VmIpAddress,
  VmTemplate,
  InventoryEvent,
];
