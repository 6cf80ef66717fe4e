import type pg from 'pg';

/** TouchedRows counts inventory rows written since a moment, by table. */
export interface TouchedRows {
  pve_node: number;
  pve_vm: number;
  pve_storage: number;
  vm_ipaddress: number;
  vm_template: number;
  total: number;
}

/**
 * touchedRowsSince counts the inventory rows whose write timestamps (`updated_at`,
 * `metrics_updated_at`, `last_sync_time`, `created_at`) are at or after `since` (the database's
 * clock): every upsert and every usage flush sets one of them. Unlike pg_stat counters it has no
 * reporting delay; deletions are not seen (they always come with an event).
 */
export async function touchedRowsSince(pool: pg.Pool, since: Date): Promise<TouchedRows> {
  const { rows } = await pool.query<Record<string, number>>(
    `select
       (select count(*)::int from pve_node
         where updated_at >= $1 or metrics_updated_at >= $1 or last_sync_time >= $1) as pve_node,
       (select count(*)::int from pve_vm
         where updated_at >= $1 or metrics_updated_at >= $1 or last_sync_time >= $1) as pve_vm,
       (select count(*)::int from pve_storage
         where updated_at >= $1 or metrics_updated_at >= $1 or last_sync_time >= $1) as pve_storage,
       (select count(*)::int from vm_ipaddress where updated_at >= $1 or created_at >= $1) as vm_ipaddress,
       (select count(*)::int from vm_template where updated_at >= $1 or created_at >= $1) as vm_template`,
    [since],
  );
  const row = rows[0]!;
  const counts = {
    pve_node: row.pve_node!,
    pve_vm: row.pve_vm!,
    pve_storage: row.pve_storage!,
    vm_ipaddress: row.vm_ipaddress!,
    vm_template: row.vm_template!,
  };
  return { ...counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
}

/** addTouched adds two counts of touched rows, table by table. */
export function addTouched(a: TouchedRows, b: TouchedRows): TouchedRows {
  return {
    pve_node: a.pve_node + b.pve_node,
    pve_vm: a.pve_vm + b.pve_vm,
    pve_storage: a.pve_storage + b.pve_storage,
    vm_ipaddress: a.vm_ipaddress + b.vm_ipaddress,
    vm_template: a.vm_template + b.vm_template,
    total: a.total + b.total,
  };
}
