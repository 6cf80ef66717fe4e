import DataLoader from 'dataloader';
import type { ClusterStore } from '../db/cluster-store.js';
import type { IPveCluster } from '../db/entities/cluster.entity.js';
import type { ClusterCounts, InventoryQueries, NodeKey, VmKey } from '../db/inventory-queries.js';
import type {
  IpAddressRecord,
  NodeRecord,
  TemplateRecord,
  VmRecord,
} from '../db/inventory-records.js';
import { groupRows } from '../db/queries/group-rows.js';
import type {
  KeyColumn,
  KeysetList,
  Page,
  PageRequest,
  SortKey,
} from '../db/queries/keyset-list.js';

/** GroupQuery asks for one parent's page (or count) of a nested connection. */
export interface GroupQuery<F> {
  /** The parent: values of the group columns, such as `[clusterId]`. */
  group: SortKey;
  filter: F;
  request: PageRequest;
}

/**
 * Loaders are the per-operation DataLoaders: every lookup or nested connection that resolvers
 * ask for in one tick becomes one SQL statement, whatever the number of parents (no N+1).
 * Results are cached for the operation; an operation that lives long (a subscription) must
 * call {@link Loaders.clearAll} before resolving each event, or it would serve stale rows.
 */
export interface Loaders {
  /** Clusters by id (null when deleted). */
  cluster: DataLoader<number, IPveCluster | null>;
  /** Nodes by (cluster id, node name). */
  node: DataLoader<NodeKey, NodeRecord | null, string>;
  /** Guests by (cluster id, vmid). */
  vm: DataLoader<VmKey, VmRecord | null, string>;
  /** Guest addresses by `pve_vm.id`. */
  ipAddresses: DataLoader<number, IpAddressRecord[]>;
  /** Inventory sizes by cluster id. */
  clusterCounts: DataLoader<number, ClusterCounts>;
  /** Template catalogue by cluster id. */
  templates: DataLoader<number, TemplateRecord[]>;
  /** groupPages is the loader of pages of `list` per parent group (one statement per batch). */
  groupPages<R, F>(
    list: KeysetList<R, F>,
    group: readonly KeyColumn[],
  ): DataLoader<GroupQuery<F>, Page<R>, string>;
  /** groupCounts is the loader of `list`'s counts per parent group. */
  groupCounts<R, F>(
    list: KeysetList<R, F>,
    group: readonly KeyColumn[],
  ): DataLoader<GroupQuery<F>, number, string>;
  /** clearAll empties every cache (the next loads read the database again). */
  clearAll(): void;
}

/** LoaderServices are what the loaders read from. */
export interface LoaderServices {
  clusters: ClusterStore;
  inventory: InventoryQueries;
}

/**
 * Splits a batch of group queries by their filter and page request, runs `run` once per
 * distinct (filter, request) — usually once — and puts the results back in batch order.
 */
async function byArguments<F, V>(
  queries: readonly GroupQuery<F>[],
  run: (groups: SortKey[], filter: F, request: PageRequest) => Promise<V[]>,
): Promise<V[]> {
  const sets = new Map<string, { filter: F; request: PageRequest; indexes: number[] }>();
  queries.forEach((query, index) => {
    const id = JSON.stringify([query.filter, query.request]);
    const set = sets.get(id) ?? { filter: query.filter, request: query.request, indexes: [] };
    set.indexes.push(index);
    sets.set(id, set);
  });
  const results: V[] = new Array(queries.length);
  await Promise.all(
    [...sets.values()].map(async ({ filter, request, indexes }) => {
      const values = await run(
        indexes.map((i) => queries[i]!.group),
        filter,
        request,
      );
      indexes.forEach((queryIndex, i) => {
        results[queryIndex] = values[i]!;
      });
    }),
  );
  return results;
}

const groupQueryKey = <F>(query: GroupQuery<F>) =>
  JSON.stringify([query.group, query.filter, query.request]);

/**
 * createLoaders makes a fresh set of loaders for one operation. Clusters come from the
 * ClusterStore, which stays the one reader of `pve_cluster`: `get` for one id, one `list()` for
 * several (clusters are few); the inventory from {@link InventoryQueries}.
 */
export function createLoaders(services: LoaderServices): Loaders {
  const { clusters, inventory } = services;
  // Loaders of nested connections, one per (kind, list, group), made on first use.
  const grouped = new Map<string, { clearAll(): unknown }>();
  function memo<L extends { clearAll(): unknown }>(id: string, make: () => L): L {
    const loader = grouped.get(id) ?? make();
    grouped.set(id, loader);
    return loader as L;
  }
  const groupId = (kind: string, table: string, group: readonly KeyColumn[]) =>
    `${kind}:${table}:${group.map((g) => g.column).join(',')}`;

  const loaders: Loaders = {
    cluster: new DataLoader(async (ids) => {
      const rows = ids.length === 1 ? [await clusters.get(ids[0]!)] : await clusters.list();
      const byId = new Map(rows.filter((r) => r !== null).map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    node: new DataLoader((keys) => inventory.nodesByName(keys), {
      cacheKeyFn: (k) => `${k.clusterId}/${k.name}`,
    }),
    vm: new DataLoader((keys) => inventory.vmsByKey(keys), {
      cacheKeyFn: (k) => `${k.clusterId}/${k.vmid}`,
    }),
    ipAddresses: new DataLoader((ids) => inventory.ipAddressesByVmId(ids)),
    clusterCounts: new DataLoader((ids) => inventory.clusterCounts(ids)),
    templates: new DataLoader(async (ids) => {
      const byCluster = groupRows(await inventory.templates(ids), (row) => row.clusterId);
      return ids.map((id) => byCluster.get(id) ?? []);
    }),
    groupPages: <R, F>(list: KeysetList<R, F>, group: readonly KeyColumn[]) =>
      memo(groupId('pages', list.spec.table, group), () => {
        return new DataLoader<GroupQuery<F>, Page<R>, string>(
          (queries) =>
            byArguments(queries, (groups, filter, request) =>
              list.pagesByGroup(group, groups, filter, request),
            ),
          { cacheKeyFn: groupQueryKey },
        );
      }),
    groupCounts: <R, F>(list: KeysetList<R, F>, group: readonly KeyColumn[]) =>
      memo(groupId('counts', list.spec.table, group), () => {
        return new DataLoader<GroupQuery<F>, number, string>(
          (queries) =>
            byArguments(queries, (groups, filter) => list.countsByGroup(group, groups, filter)),
          { cacheKeyFn: groupQueryKey },
        );
      }),
    clearAll() {
      for (const loader of [
        loaders.cluster,
        loaders.node,
        loaders.vm,
        loaders.ipAddresses,
        loaders.clusterCounts,
        loaders.templates,
      ]) {
        loader.clearAll();
      }
      for (const loader of grouped.values()) loader.clearAll();
    },
  };
  return loaders;
}
