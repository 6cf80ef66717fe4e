import type { ObjectRef } from '@pothos/core';
import { builder } from '../builder.js';
import type { BuilderTypes } from '../pagination.js';
import { PveClusterRef } from './cluster.js';

/**
 * linkToCluster adds `cluster: PveCluster` to an inventory type, loaded through the per-operation
 * cluster loader. It is nullable: an event's object can outlive its deleted cluster.
 */
export function linkToCluster<T extends { clusterId: number }>(
  ref: ObjectRef<BuilderTypes, T>,
  what: string,
): void {
  builder.objectField(ref, 'cluster', (t) =>
    t.field({
      type: PveClusterRef,
      nullable: true,
      complexity: 1,
      description: `The cluster of this ${what} (null once the cluster is deleted).`,
      resolve: (parent, _args, ctx) => ctx.loaders.cluster.load(parent.clusterId),
    }),
  );
}
