import { lxcConfig } from '../model/guest-config.js';
import { lxcInterfaces } from '../model/guest-network.js';
import { NODE_PARAM } from '../params.js';
import { ok } from '../reply.js';
import type { RouteDefinition } from '../router.js';
import { CONFIG_PARAMS, guestPrologue, isReply, proxyTo, validate } from './guards.js';
import { haStatus, type Row, vmStatusRow } from './guest-rows.js';

/**
 * GET /nodes/{node}/lxc (proxied): the containers on the node (templates included), filtered by
 * VM.Audit, in hash order; `vmid` is a number (pve-container ≥ 5.0.10), `type: "lxc"`.
 */
export const lxcListRoute: RouteDefinition = {
  template: '/nodes/{node}/lxc',
  kind: 'list',
  handle(ctx) {
    const node = ctx.params.node ?? '';
    const down = proxyTo(ctx, node);
    if (down) return down;
    const invalid = validate(ctx, { node: NODE_PARAM });
    if (invalid) return invalid;
    const rows: Row[] = [];
    for (const guest of ctx.state.guestsOn(node)) {
      if (guest.type !== 'lxc') continue;
      if (!ctx.access.canGuest(guest.vmid, guest.pool, 'VM.Audit')) continue;
      rows.push(vmStatusRow(ctx.state, guest));
    }
    return ok(ctx.order.shuffle(rows));
  },
};

/** GET /nodes/{node}/lxc/{vmid}/status/current (proxied; VM.Audit): vmstatus plus `ha`. */
export const lxcStatusRoute: RouteDefinition = {
  template: '/nodes/{node}/lxc/{vmid}/status/current',
  kind: 'detail',
  handle(ctx) {
    const loaded = guestPrologue(ctx, 'lxc');
    if (isReply(loaded)) return loaded;
    const row = vmStatusRow(ctx.state, loaded);
    row.ha = haStatus(loaded);
    return ok(row);
  },
};

/** GET /nodes/{node}/lxc/{vmid}/config (proxied; VM.Audit): the parsed container config. */
export const lxcConfigRoute: RouteDefinition = {
  template: '/nodes/{node}/lxc/{vmid}/config',
  kind: 'detail',
  handle(ctx) {
    const loaded = guestPrologue(ctx, 'lxc', CONFIG_PARAMS);
    if (isReply(loaded)) return loaded;
    return ok(lxcConfig(loaded));
  },
};

/**
 * GET /nodes/{node}/lxc/{vmid}/interfaces (proxied; VM.Audit): the container's interfaces from
 * inside its network namespace — `{"data":null}` when it is not running (PVE's handler returns
 * nothing when it finds no PID).
 */
export const lxcInterfacesRoute: RouteDefinition = {
  template: '/nodes/{node}/lxc/{vmid}/interfaces',
  kind: 'detail',
  handle(ctx) {
    const loaded = guestPrologue(ctx, 'lxc');
    if (isReply(loaded)) return loaded;
    return ok(loaded.running ? lxcInterfaces(loaded) : null);
  },
};
