import type { GuestTypeValue } from '../inventory-records.js';
import { likeContains, type SqlParams } from './sql-params.js';

/**
 * NodeListFilter selects `pve_node` rows; absent fields do not filter. Values are already
 * validated (the GraphQL layer reports bad input by field).
 */
export interface NodeListFilter {
  clusterId?: number | undefined;
  /** Exact node name. */
  name?: string | undefined;
  status?: string | undefined;
}

/** VmListFilter selects `pve_vm` rows (guests); absent fields do not filter. */
export interface VmListFilter {
  clusterId?: number | undefined;
  /** Name of the node the guest is on. */
  node?: string | undefined;
  status?: string | undefined;
  /** Any of these statuses. */
  statusIn?: readonly string[] | undefined;
  type?: GuestTypeValue | undefined;
  template?: boolean | undefined;
  /** Case-insensitive substring of the name; LIKE wildcards in it match literally. */
  nameContains?: string | undefined;
  /** Guests carrying this tag (exact). */
  tag?: string | undefined;
  /** Any of these vmids. */
  vmids?: readonly number[] | undefined;
  pool?: string | undefined;
}

/** StorageListFilter selects `pve_storage` rows; absent fields do not filter. */
export interface StorageListFilter {
  clusterId?: number | undefined;
  node?: string | undefined;
  /** Plugin type (`dir`, `lvmthin`, `rbd`, …). */
  type?: string | undefined;
  shared?: boolean | undefined;
  /** Storage name (`local`, `ceph-pool`). */
  name?: string | undefined;
  /** Storages whose content types include this one (`images`, `iso`, `backup`, …). */
  content?: string | undefined;
}

/** nodeConditions is the WHERE of a {@link NodeListFilter} on alias `t`. */
export function nodeConditions(filter: NodeListFilter, params: SqlParams): string[] {
  const where: string[] = [];
  if (filter.clusterId !== undefined) where.push(`t.cluster_id = ${params.add(filter.clusterId)}`);
  if (filter.name !== undefined) where.push(`t.node_name = ${params.add(filter.name)}`);
  if (filter.status !== undefined) where.push(`t.status = ${params.add(filter.status)}`);
  return where;
}

/**
 * vmConditions is the WHERE of a {@link VmListFilter} on alias `t`. `tag` is written as
 * `tags @> array[…]` so the GIN index on `tags` can serve it.
 */
export function vmConditions(filter: VmListFilter, params: SqlParams): string[] {
  const where: string[] = [];
  if (filter.clusterId !== undefined) where.push(`t.cluster_id = ${params.add(filter.clusterId)}`);
  if (filter.node !== undefined) where.push(`t.node_name = ${params.add(filter.node)}`);
  if (filter.status !== undefined) where.push(`t.status = ${params.add(filter.status)}`);
  if (filter.statusIn !== undefined) {
    where.push(`t.status = any(${params.add(filter.statusIn, 'text[]')})`);
  }
  if (filter.type !== undefined) where.push(`t.type = ${params.add(filter.type)}`);
  if (filter.template !== undefined) where.push(`t.is_template = ${filter.template ? 1 : 0}`);
  if (filter.nameContains !== undefined) {
    where.push(`t.vm_name ilike ${params.add(likeContains(filter.nameContains))} escape '\\'`);
  }
  if (filter.tag !== undefined) where.push(`t.tags @> array[${params.add(filter.tag, 'text')}]`);
  if (filter.vmids !== undefined) where.push(`t.vmid = any(${params.add(filter.vmids, 'int[]')})`);
  if (filter.pool !== undefined) where.push(`t.pool = ${params.add(filter.pool)}`);
  return where;
}

/** storageConditions is the WHERE of a {@link StorageListFilter} on alias `t`. */
export function storageConditions(filter: StorageListFilter, params: SqlParams): string[] {
  const where: string[] = [];
  if (filter.clusterId !== undefined) where.push(`t.cluster_id = ${params.add(filter.clusterId)}`);
  if (filter.node !== undefined) where.push(`t.node_name = ${params.add(filter.node)}`);
  if (filter.type !== undefined) where.push(`t.type = ${params.add(filter.type)}`);
  if (filter.shared !== undefined) where.push(`t.shared = ${filter.shared ? 1 : 0}`);
  if (filter.name !== undefined) where.push(`t.storage_name = ${params.add(filter.name)}`);
  if (filter.content !== undefined) {
    where.push(`${params.add(filter.content, 'text')} = any(string_to_array(t.content, ','))`);
  }
  return where;
}
