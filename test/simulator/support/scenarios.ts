import type { GuestInfo } from '../../../src/simulator/control/guest-ops.js';
import type { GuestSpec } from '../../../src/simulator/model/guest-factory.js';
import type { RunningSimulator } from '../../../src/simulator/simulator.js';
import type { PveFact } from '../../facts/index.js';
import type { FakeClock } from './fake-clock.js';
import type { Credentials } from './sim-http.js';

/** Arranged is what a fact's request becomes in a given simulator: path params and credentials. */
export interface Arranged {
  params: Record<string, string>;
  credentials: Credentials;
}

/**
 * arrangeScenario puts a fresh simulator into the state a fact's `scenario` names (API.md's
 * conditions: a node down, a stale node, an agent not answering, a token without ACL…) and picks
 * path parameters that exist in *this* cluster for the fact's route (the fact's own sample
 * params name PVE example objects). Missing objects (a template, a container…) are created
 * through the control surface.
 */
export function arrangeScenario(fact: PveFact, sim: RunningSimulator, clock: FakeClock): Arranged {
  const route = fact.request.route;
  const control = sim.control;
  const credentials: Credentials =
    fact.scenario === 'no-credentials'
      ? 'none'
      : fact.scenario === 'invalid-token'
        ? 'wrong-secret'
        : fact.scenario === 'missing-privilege'
          ? 'restricted'
          : 'sync';

  if (fact.scenario === 'offline-node' || fact.scenario === 'offline-node-stale') {
    const victim = control.nodes().find((n) => !n.entry && n.guests > 0) ?? control.nodes()[1];
    if (!victim) throw new Error('need a second node');
    control.setNodeOnline(victim.name, false);
    if (fact.scenario === 'offline-node-stale') clock.advance(300_000 + 1_000);
    return { params: route.includes('{node}') ? { node: victim.name } : {}, credentials };
  }

  if (route.includes('{vmid}')) {
    const type = route.includes('/lxc/') ? 'lxc' : 'qemu';
    const guest = guestFor(sim, type, fact.scenario);
    if (fact.scenario === 'guest-not-on-node') {
      const other = control.nodes().find((n) => n.name !== guest.node);
      if (!other) throw new Error('need a second node');
      return { params: { node: other.name, vmid: String(guest.vmid) }, credentials };
    }
    return { params: { node: guest.node, vmid: String(guest.vmid) }, credentials };
  }

  if (route.includes('{node}')) {
    return { params: { node: nodeFor(sim, route, fact.scenario) }, credentials };
  }
  if (fact.scenario === 'template-guest') ensure(sim, (g) => g.template, { template: true });
  if (fact.scenario === 'tagged-guest')
    ensure(sim, (g) => g.tags !== undefined, { tags: ['prod'] });
  if (route === '/cluster/resources') {
    ensure(sim, (g) => g.type === 'lxc', { type: 'lxc' });
    ensure(sim, (g) => g.type === 'qemu', { type: 'qemu' });
  }
  return { params: {}, credentials };
}

function guestFor(
  sim: RunningSimulator,
  type: 'qemu' | 'lxc',
  scenario: PveFact['scenario'],
): GuestInfo {
  const control = sim.control;
  switch (scenario) {
    case 'template-guest':
      return ensure(sim, (g) => g.type === type && g.template, { type, template: true });
    case 'agent-not-running': {
      const guest = ensure(sim, (g) => g.type === 'qemu' && g.status === 'running', {
        type,
        running: true,
      });
      return control.setAgent(guest.vmid, { configured: '1', running: false });
    }
    case 'agent-not-configured': {
      const guest = ensure(sim, (g) => g.type === 'qemu' && g.status === 'running', {
        type,
        running: true,
      });
      return control.setAgent(guest.vmid, { configured: null });
    }
    case 'guest-not-running': {
      const guest = ensure(sim, (g) => g.type === type && g.status === 'stopped' && !g.template, {
        type,
        running: false,
      });
      return type === 'qemu'
        ? control.setAgent(guest.vmid, { configured: '1', running: true })
        : guest;
    }
    default: {
      const guest = ensure(sim, (g) => g.type === type && g.status === 'running', {
        type,
        running: true,
      });
      return type === 'qemu'
        ? control.setAgent(guest.vmid, { configured: '1', running: true })
        : guest;
    }
  }
}

function nodeFor(sim: RunningSimulator, route: string, scenario: PveFact['scenario']): string {
  if (route.endsWith('/storage')) return sim.control.entryNode;
  const type: 'qemu' | 'lxc' = route.endsWith('/lxc') ? 'lxc' : 'qemu';
  const accept =
    scenario === 'template-guest'
      ? (g: GuestInfo) => g.type === type && g.template
      : scenario === 'tagged-guest'
        ? (g: GuestInfo) => g.type === type && g.tags !== undefined
        : (g: GuestInfo) => g.type === type;
  const spec: GuestSpec =
    scenario === 'template-guest'
      ? { type, template: true }
      : scenario === 'tagged-guest'
        ? { type, tags: ['prod', 'web'] }
        : { type };
  return ensure(sim, accept, spec).node;
}

/** ensure returns a guest matching `accept`, creating one from `spec` when there is none. */
export function ensure(
  sim: RunningSimulator,
  accept: (guest: GuestInfo) => boolean,
  spec: GuestSpec,
): GuestInfo {
  return sim.control.guests().find(accept) ?? sim.control.addGuest(spec);
}
