import { lxcConfig, qemuConfig } from '../model/guest-config.js';
import { lxcInterfaces, qgaInterfaces } from '../model/guest-network.js';
import type { GuestType, SimGuest } from '../model/types.js';
import type { ParamSchema } from '../params.js';
import { fail, ok, type PveReply } from '../reply.js';
import type { RouteContext, RouteDefinition } from '../router.js';
import { CONFIG_PARAMS, guestPrologue, isReply } from './guards.js';
import { agentEnabled, haStatus, qmpMembers, vmStatusRow } from './guest-rows.js';

/** DetailOptions are what differs between per-guest endpoints besides the answer itself. */
interface DetailOptions {
  /** Extra query parameters the handler accepts. */
  params?: ParamSchema;
  /** Privileges checked on `/vms/{vmid}` (any of them). @default ['VM.Audit'] */
  privileges?: readonly string[];
}

/**
 * guestDetailRoute builds a proxied per-guest endpoint `/nodes/{node}/<type>/{vmid}/<suffix>`:
 * the common prologue (403, proxy 500/595, 400, config on that node 500), then `render`.
 */
function guestDetailRoute(
  type: GuestType,
  suffix: string,
  options: DetailOptions,
  render: (ctx: RouteContext, guest: SimGuest) => PveReply,
): RouteDefinition {
  return {
    template: `/nodes/{node}/${type}/{vmid}/${suffix}`,
    kind: 'detail',
    handle(ctx) {
      const guest = guestPrologue(ctx, type, options.params, options.privileges);
      return isReply(guest) ? guest : render(ctx, guest);
    },
  };
}

/** qemuConfigRoute serves GET …/qemu/{vmid}/config: the parsed VM config, PVE-typed (VM.Audit). */
export const qemuConfigRoute = guestDetailRoute(
  'qemu',
  'config',
  { params: CONFIG_PARAMS },
  (_ctx, guest) => ok(qemuConfig(guest)),
);

/** lxcConfigRoute serves GET …/lxc/{vmid}/config: the parsed container config (VM.Audit). */
export const lxcConfigRoute = guestDetailRoute(
  'lxc',
  'config',
  { params: CONFIG_PARAMS },
  (_ctx, guest) => ok(lxcConfig(guest)),
);

/**
 * qemuStatusRoute serves GET …/qemu/{vmid}/status/current: full vmstatus plus `ha` and `agent: 1` when the agent is
 * enabled in config (not whether it runs).
 */
export const qemuStatusRoute = guestDetailRoute('qemu', 'status/current', {}, (ctx, guest) => {
  const row = vmStatusRow(ctx.state, guest);
  Object.assign(row, qmpMembers(row, guest.qmpStatus));
  row.ha = haStatus(guest);
  if (agentEnabled(guest)) row.agent = 1;
  return ok(row);
});

/** lxcStatusRoute serves GET …/lxc/{vmid}/status/current: vmstatus plus `ha`. */
export const lxcStatusRoute = guestDetailRoute('lxc', 'status/current', {}, (ctx, guest) => {
  const row = vmStatusRow(ctx.state, guest);
  row.ha = haStatus(guest);
  return ok(row);
});

/**
 * lxcInterfacesRoute serves GET …/lxc/{vmid}/interfaces: the container's interfaces seen from inside its network
 * namespace; `{"data":null}` when it is not running (the handler finds no PID and returns
 * nothing).
 */
export const lxcInterfacesRoute = guestDetailRoute('lxc', 'interfaces', {}, (_ctx, guest) =>
  ok(guest.running ? lxcInterfaces(guest) : null),
);

/**
 * qemuAgentInterfacesRoute serves GET …/qemu/{vmid}/agent/network-get-interfaces: needs VM.GuestAgent.Audit or .Unrestricted
 * (PVE 9); then `assert_agent_available` — 500 `No QEMU guest agent configured` without an
 * `agent` key, `VM <id> is not running`, `QEMU guest agent is not running` (after the ping
 * timeout) when it is disabled (`agent: 0`) or does not answer; else `{"result": [...]}` with
 * QGA's raw interface list.
 */
export const qemuAgentInterfacesRoute = guestDetailRoute(
  'qemu',
  'agent/network-get-interfaces',
  { privileges: ['VM.GuestAgent.Audit', 'VM.GuestAgent.Unrestricted'] },
  (ctx, guest) => {
    if (guest.agent === undefined) return fail(500, 'No QEMU guest agent configured\n');
    if (!guest.running) return fail(500, `VM ${guest.vmid} is not running\n`);
    if (!agentEnabled(guest) || !guest.agentRunning) {
      return {
        ...fail(500, 'QEMU guest agent is not running\n'),
        delayMs: ctx.settings.agentTimeoutMs,
      };
    }
    return ok({ result: qgaInterfaces(guest) });
  },
);
