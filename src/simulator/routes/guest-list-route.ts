import type { GuestType } from '../model/types.js';
import { NODE_PARAM, type ParamSchema } from '../params.js';
import { ok } from '../reply.js';
import type { RouteDefinition } from '../router.js';
import { proxyTo, validate } from './guards.js';
import { qmpMembers, type Row, vmStatusRow } from './guest-rows.js';

const QEMU_PARAMS: ParamSchema = { node: NODE_PARAM, full: { type: 'boolean', optional: true } };
const LXC_PARAMS: ParamSchema = { node: NODE_PARAM };

/**
 * guestListRoute builds GET /nodes/{node}/qemu or /nodes/{node}/lxc (proxied): the guests of
 * that type whose config lives on the node, templates included, filtered by VM.Audit, in hash
 * order, as `vmstatus` renders them (containers with `type: "lxc"`, numeric vmids); for QEMU,
 * `?full=1` adds the QMP members of running VMs.
 */
export function guestListRoute(type: GuestType): RouteDefinition {
  return {
    template: `/nodes/{node}/${type}`,
    kind: 'list',
    handle(ctx) {
      const node = ctx.params.node ?? '';
      const down = proxyTo(ctx, node);
      if (down) return down;
      const invalid = validate(ctx, type === 'qemu' ? QEMU_PARAMS : LXC_PARAMS);
      if (invalid) return invalid;
      const full = ctx.query.full === '1';
      const rows: Row[] = [];
      for (const guest of ctx.state.guestsOn(node)) {
        if (guest.type !== type) continue;
        if (!ctx.access.canGuest(guest.vmid, guest.pool, 'VM.Audit')) continue;
        const row = vmStatusRow(ctx.state, guest);
        if (full) Object.assign(row, qmpMembers(row, guest.qmpStatus));
        rows.push(row);
      }
      return ok(ctx.order.shuffle(rows));
    },
  };
}
