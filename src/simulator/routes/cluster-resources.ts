import { ok } from '../reply.js';
import type { RouteContext, RouteDefinition } from '../router.js';
import { validate } from './guards.js';
import { cachedGuestRow } from './guest-row-cache.js';
import type { Row } from './guest-rows.js';
import { guestResourceRow, nodeResourceRow, storageResourceRow } from './resource-rows.js';

const TYPES = ['vm', 'storage', 'node', 'sdn'] as const;

/**
 * clusterResourcesRoute serves GET /cluster/resources (not proxied; served from pmxcfs memory, so it works with nodes down):
 * pools (sorted), guests (sorted by vmid as a string), nodes and storage × node (hash order),
 * then SDN zones. `type` is validated against `vm, storage, node, sdn` (400 otherwise).
 * Privileges filter silently: guests need VM.Audit, storages Datastore.Audit, pools Pool.Audit
 * (a guest's `pool` member too), node stats Sys.Audit; pool aggregates count every member.
 */
export const clusterResourcesRoute: RouteDefinition = {
  template: '/cluster/resources',
  kind: 'list',
  handle(ctx) {
    const invalid = validate(ctx, { type: { type: 'string', optional: true, enum: TYPES } });
    if (invalid) return invalid;
    const type = ctx.query.type;
    const rows: unknown[] = [];
    const pools = new Map<string, Row>();
    if (type === undefined) addPools(ctx, rows, pools);
    if (type === undefined || type === 'vm') addGuests(ctx, rows, pools);
    const nodeOrder = ctx.order.shuffle([...ctx.state.nodes.values()]);
    if (type === undefined || type === 'node') {
      for (const node of nodeOrder) {
        const row = nodeResourceRow(
          ctx.state,
          node,
          !ctx.access.can(`/nodes/${node.name}`, 'Sys.Audit'),
        );
        row['cgroup-mode'] = 2;
        rows.push(row);
      }
    }
    if (type === undefined || type === 'storage') {
      for (const storage of ctx.order.shuffle([...ctx.state.storages.values()])) {
        if (!ctx.access.can(`/storage/${storage.id}`, 'Datastore.Audit')) continue;
        for (const node of nodeOrder) {
          if (!ctx.state.storageEnabledOn(storage, node.name)) continue;
          rows.push(storageResourceRow(ctx.state, storage, node.name, ctx.order));
        }
      }
    }
    if (type === undefined || type === 'sdn') {
      if (ctx.access.can('/sdn/zones/localnetwork', 'SDN.Audit')) {
        for (const name of [...ctx.state.nodes.keys()].sort()) {
          rows.push({
            id: `sdn/${name}/localnetwork`,
            sdn: 'localnetwork',
            node: name,
            type: 'sdn',
            status: 'ok',
          });
        }
      }
    }
    return ok(rows);
  },
};

function addPools(ctx: RouteContext, rows: unknown[], pools: Map<string, Row>): void {
  for (const id of [...ctx.state.pools.keys()].sort()) {
    if (!ctx.access.can(`/pool/${id}`, 'Pool.Audit')) continue;
    const row: Row = { id: `/pool/${id}`, pool: id, type: 'pool' };
    pools.set(id, row);
    rows.push(row);
  }
}

function addGuests(ctx: RouteContext, rows: unknown[], pools: Map<string, Row>): void {
  const fullView = ctx.access.can('/vms', 'VM.Audit') && ctx.access.can('/pool', 'Pool.Audit');
  for (const guest of ctx.state.sortedGuests()) {
    if (fullView) {
      const cached = cachedGuestRow(ctx.state, guest, ctx.order);
      if (guest.pool !== undefined) aggregateInto(pools.get(guest.pool), cached.row);
      rows.push(cached.json);
      continue;
    }
    const row = guestResourceRow(ctx.state, guest);
    if (guest.pool !== undefined) aggregateInto(pools.get(guest.pool), row);
    if (!ctx.access.canGuest(guest.vmid, guest.pool, 'VM.Audit')) continue;
    if (guest.pool !== undefined && !ctx.access.can(`/pool/${guest.pool}`, 'Pool.Audit')) {
      delete row.pool;
    }
    rows.push(row);
  }
}

/** aggregateInto adds a running member's stats to its pool row like Cluster.pm does. */
function aggregateInto(pool: Row | undefined, vm: Row): void {
  const num = (value: unknown) => (typeof value === 'number' ? value : 0);
  if (!pool || !(num(vm.uptime) > 0)) return;
  if (!pool.uptime || num(vm.uptime) > num(pool.uptime)) pool.uptime = vm.uptime;
  pool.mem = num(pool.mem) + num(vm.mem);
  pool.maxmem = num(pool.maxmem) + num(vm.maxmem);
  const maxcpu = num(pool.maxcpu);
  const vmMaxcpu = num(vm.maxcpu);
  pool.cpu =
    maxcpu + vmMaxcpu > 0
      ? (num(pool.cpu) * maxcpu + num(vm.cpu) * vmMaxcpu) / (maxcpu + vmMaxcpu)
      : 0;
  pool.maxcpu = maxcpu + vmMaxcpu;
}
