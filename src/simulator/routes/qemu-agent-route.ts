import { qgaInterfaces } from '../model/guest-network.js';
import { fail, ok } from '../reply.js';
import type { RouteDefinition } from '../router.js';
import { guestPrologue, isReply } from './guards.js';

const AGENT_PRIVILEGES = ['VM.GuestAgent.Audit', 'VM.GuestAgent.Unrestricted'];

/**
 * GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces (proxied): needs
 * VM.GuestAgent.Audit or .Unrestricted (PVE 9); then `assert_agent_available` — 500
 * `No QEMU guest agent configured` without an `agent` key, `VM <id> is not running`, and
 * `QEMU guest agent is not running` (after the ping timeout) when it is disabled (`agent: 0`)
 * or does not answer; otherwise `{"result": [...]}` with QGA's raw interface list.
 */
export const qemuAgentInterfacesRoute: RouteDefinition = {
  template: '/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces',
  kind: 'detail',
  handle(ctx) {
    const guest = guestPrologue(ctx, 'qemu', {}, AGENT_PRIVILEGES);
    if (isReply(guest)) return guest;
    if (guest.agent === undefined) return fail(500, 'No QEMU guest agent configured\n');
    if (!guest.running) return fail(500, `VM ${guest.vmid} is not running\n`);
    if (guest.agent.split(',')[0] === '0' || guest.agent === 'enabled=0' || !guest.agentRunning) {
      return {
        ...fail(500, 'QEMU guest agent is not running\n'),
        delayMs: ctx.settings.agentTimeoutMs,
      };
    }
    return ok({ result: qgaInterfaces(guest) });
  },
};
