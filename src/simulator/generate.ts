import type { ClusterState } from './model/cluster-state.js';
import { createGuest, nextFreeVmid } from './model/guest-factory.js';
import { createNode } from './model/node-factory.js';
import { createStorage } from './model/storage-factory.js';
import type { Prng } from './prng.js';

/** GenerateOptions sizes a generated cluster. */
export interface GenerateOptions {
  /** Number of nodes (≥ 1), named `<nodePrefix>1` … */
  nodes: number;
  /** Number of guests (VMs, containers and templates). */
  guests: number;
  /** Node name prefix. @default 'pve' */
  nodePrefix?: string;
  /** Fraction of guests that are containers. @default 0.3 */
  lxcRatio?: number;
  /** Fraction of guests that are templates (at least one once there are 5 guests). @default 0.04 */
  templateRatio?: number;
}

const POOLS: readonly [string, string][] = [
  ['production', 'Production workloads'],
  ['staging', 'Pre-production'],
  ['development', 'Developer sandboxes'],
  ['infra', 'Shared infrastructure'],
];

/**
 * generateCluster fills an empty ClusterState from `rng` (one seed → one cluster): nodes (some
 * installed on LVM, some on ZFS), storage.cfg (`local` dir everywhere; `local-lvm`/`local-zfs`
 * restricted to the nodes that have them; shared NFS, Ceph RBD and PBS; one disabled NFS),
 * pools, then guests spread over the nodes with vmids from 100 upwards (with gaps), about
 * `templateRatio` of them templates. The first node is the entry node.
 */
export function generateCluster(state: ClusterState, rng: Prng, options: GenerateOptions): void {
  const prefix = options.nodePrefix ?? 'pve';
  const nodeRng = rng.fork('nodes');
  const now = state.now();
  const zfsNodes: string[] = [];
  const lvmNodes: string[] = [];
  for (let i = 1; i <= Math.max(1, options.nodes); i++) {
    const node = createNode(`${prefix}${i}`, i, nodeRng, now);
    state.addNode(node);
    (i > 1 && nodeRng.chance(0.3) ? zfsNodes : lvmNodes).push(node.name);
  }
  state.entryNode = `${prefix}1`;

  const storageRng = rng.fork('storage');
  const specs = [
    { id: 'local', type: 'dir' },
    {
      id: 'local-lvm',
      type: 'lvmthin',
      nodes: zfsNodes.length > 0 ? lvmNodes : undefined,
    },
    ...(zfsNodes.length > 0 ? [{ id: 'local-zfs', type: 'zfspool', nodes: zfsNodes }] : []),
    { id: 'nfs-iso', type: 'nfs', content: ['iso', 'vztmpl'] },
    { id: 'ceph-vm', type: 'rbd' },
    { id: 'pbs-backup', type: 'pbs' },
    { id: 'nfs-old', type: 'nfs', content: ['backup'], disabled: true },
  ];
  for (const spec of specs) {
    state.storages.set(spec.id, createStorage(state, storageRng, spec));
  }
  for (const [id, comment] of POOLS) state.pools.set(id, { id, comment });

  const guestRng = rng.fork('guests');
  const nodeNames = [...state.nodes.keys()];
  const templateEvery = Math.max(1, Math.round(1 / (options.templateRatio ?? 0.04)));
  let vmid = 100;
  for (let i = 0; i < options.guests; i++) {
    vmid = nextFreeVmid(state, vmid);
    const template = options.guests >= 5 && i % templateEvery === templateEvery - 1;
    const guest = createGuest(state, guestRng, {
      vmid,
      node: guestRng.pick(nodeNames),
      type: guestRng.chance(options.lxcRatio ?? 0.3) ? 'lxc' : 'qemu',
      template,
    });
    state.addGuest(guest);
    vmid += guestRng.chance(0.15) ? guestRng.int(2, 6) : 1;
  }
}
