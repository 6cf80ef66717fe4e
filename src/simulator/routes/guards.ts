import type { SimGuest, SimNode } from '../model/types.js';
import { NODE_PARAM, type ParamSchema, VMID_PARAM, validateParams } from '../params.js';
import { emptyFail, fail, forbidden, type PveReply } from '../reply.js';
import type { RouteContext } from '../router.js';

/**
 * requirePrivilege answers 403 unless the token has one of `privileges` on `path` (PVE checks
 * permissions in pveproxy before proxying, so this comes before `proxyTo`).
 */
export function requirePrivilege(
  ctx: RouteContext,
  path: string,
  privileges: readonly string[],
): PveReply | undefined {
  return ctx.access.canAny(path, privileges) ? undefined : forbidden(path, privileges);
}

/**
 * proxyTo plays pveproxy's hop to the node named in the URL: an unknown name fails the host
 * lookup (500), an offline member answers its 595/596 with an empty body after the connect
 * delay, the entry node and online members pass (undefined).
 */
export function proxyTo(ctx: RouteContext, nodeName: string): PveReply | undefined {
  const node: SimNode | undefined = ctx.state.nodes.get(nodeName);
  if (!node) {
    return fail(
      500,
      `hostname lookup '${nodeName}' failed - failed to get address info for: ${nodeName}: ` +
        'Name or service not known\n',
    );
  }
  if (node.online || node.name === ctx.state.entryNode) return undefined;
  return emptyFail(
    node.offlineStatus,
    node.offlineReason,
    node.offlineDelayMs ?? ctx.settings.proxyDelayMs,
  );
}

/** validate checks path and query parameters together against the handler's schema. */
export function validate(ctx: RouteContext, schema: ParamSchema): PveReply | undefined {
  return validateParams(schema, { ...ctx.params, ...ctx.query });
}

/**
 * loadGuest plays `load_config` on the target node: the guest of that type whose config lives
 * on `node`, or PVE's 500 `Configuration file '…' does not exist`.
 */
export function loadGuest(
  ctx: RouteContext,
  type: SimGuest['type'],
  node: string,
  vmid: string,
): SimGuest | PveReply {
  const guest = ctx.state.guests.get(Number(vmid));
  if (guest && guest.type === type && guest.node === node) return guest;
  const dir = type === 'qemu' ? 'qemu-server' : 'lxc';
  return fail(
    500,
    `Configuration file 'nodes/${node}/${dir}/${Number(vmid)}.conf' does not exist\n`,
  );
}

/** isReply tells a PveReply from a loaded record. */
export function isReply(value: unknown): value is PveReply {
  return typeof value === 'object' && value !== null && 'status' in value && 'reason' in value;
}

/**
 * guestPrologue runs what every per-guest handler does first, in PVE's order: VM.Audit (or
 * `privileges`) on `/vms/{vmid}` (403, checked before proxying), the proxy hop to `{node}`
 * (500/595), parameter validation (400), then `load_config` on that node (500).
 */
export function guestPrologue(
  ctx: RouteContext,
  type: SimGuest['type'],
  extra: ParamSchema = {},
  privileges: readonly string[] = ['VM.Audit'],
): SimGuest | PveReply {
  const { node = '', vmid = '' } = ctx.params;
  const denied = requirePrivilege(ctx, `/vms/${vmid}`, privileges);
  if (denied) return denied;
  const down = proxyTo(ctx, node);
  if (down) return down;
  const invalid = validate(ctx, { node: NODE_PARAM, vmid: VMID_PARAM, ...extra });
  if (invalid) return invalid;
  return loadGuest(ctx, type, node, vmid);
}

/** CONFIG_PARAMS are the optional query parameters of the config endpoints. */
export const CONFIG_PARAMS: ParamSchema = {
  current: { type: 'boolean', optional: true },
  snapshot: { type: 'string', optional: true },
};
