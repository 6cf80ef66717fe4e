import { qemuConfig } from '../model/guest-config.js';
import { NODE_PARAM } from '../params.js';
import { ok } from '../reply.js';
import type { RouteDefinition } from '../router.js';
import { CONFIG_PARAMS, guestPrologue, isReply, proxyTo, validate } from './guards.js';
import { agentEnabled, haStatus, type Row, vmStatusRow } from './guest-rows.js';

/**
 * GET /nodes/{node}/qemu (proxied): the VMs whose config lives on the node, templates
 * included, filtered by VM.Audit, in hash order; `?full=1` adds the QMP members of running VMs.
 */
export const qemuListRoute: RouteDefinition = {
  template: '/nodes/{node}/qemu',
  kind: 'list',
  handle(ctx) {
    const node = ctx.params.node ?? '';
    const down = proxyTo(ctx, node);
    if (down) return down;
    const invalid = validate(ctx, { node: NODE_PARAM, full: { type: 'boolean', optional: true } });
    if (invalid) return invalid;
    const full = ctx.query.full === '1';
    const rows: Row[] = [];
    for (const guest of ctx.state.guestsOn(node)) {
      if (guest.type !== 'qemu') continue;
      if (!ctx.access.canGuest(guest.vmid, guest.pool, 'VM.Audit')) continue;
      const row = vmStatusRow(ctx.state, guest);
      if (full) Object.assign(row, qmpMembers(row, guest.qmpStatus));
      rows.push(row);
    }
    return ok(ctx.order.shuffle(rows));
  },
};

/**
 * GET /nodes/{node}/qemu/{vmid}/status/current (proxied; VM.Audit): full vmstatus plus `ha`
 * and `agent: 1` when the agent is enabled in config (not whether it runs).
 */
export const qemuStatusRoute: RouteDefinition = {
  template: '/nodes/{node}/qemu/{vmid}/status/current',
  kind: 'detail',
  handle(ctx) {
    const loaded = guestPrologue(ctx, 'qemu');
    if (isReply(loaded)) return loaded;
    const row = vmStatusRow(ctx.state, loaded);
    Object.assign(row, qmpMembers(row, loaded.qmpStatus));
    row.ha = haStatus(loaded);
    if (agentEnabled(loaded)) row.agent = 1;
    return ok(row);
  },
};

/** GET /nodes/{node}/qemu/{vmid}/config (proxied; VM.Audit): the parsed config, PVE-typed. */
export const qemuConfigRoute: RouteDefinition = {
  template: '/nodes/{node}/qemu/{vmid}/config',
  kind: 'detail',
  handle(ctx) {
    const loaded = guestPrologue(ctx, 'qemu', CONFIG_PARAMS);
    if (isReply(loaded)) return loaded;
    return ok(qemuConfig(loaded));
  },
};

function qmpMembers(row: Row, qmpStatus: string | undefined): Row {
  if (row.status !== 'running') return { qmpstatus: row.status };
  return {
    qmpstatus: qmpStatus ?? 'running',
    'running-machine': 'pc-i440fx-9.2+pve1',
    'running-qemu': '9.2.0',
    'proxmox-support': { 'pbs-dirty-bitmap': true, 'query-bitmap-info': true },
    balloon: row.maxmem,
    freemem:
      typeof row.maxmem === 'number' && typeof row.mem === 'number' ? row.maxmem - row.mem : 0,
  };
}
