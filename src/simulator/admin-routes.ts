import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { coerceError } from '../lib/coerce-error.js';
import type { SimulatorControl } from './control.js';
import { SimulatorControlError } from './control-error.js';
import { ADMIN_PREFIX, type AdminHandler } from './http-server.js';
import { Router } from './router.js';

type Body = Record<string, unknown>;

/** AdminRoute maps `/<METHOD>/<path under /_sim>` to a control operation. */
interface AdminRoute {
  template: string;
  status?: number;
  handle(control: SimulatorControl, params: Record<string, string>, body: Body): unknown;
}

const MAX_BODY = 1024 * 1024;

const ROUTES: AdminRoute[] = [
  {
    template: '/GET/state',
    handle: (c) => ({
      cluster: c.clusterName,
      entryNode: c.entryNode,
      nodes: c.nodes(),
      storages: c.storages(),
      tokens: c.tokens(),
      migrations: c.migrations(),
      faults: c.faults(),
    }),
  },
  { template: '/GET/guests', handle: (c) => c.guests() },
  {
    template: '/GET/guests/{vmid}',
    handle: (c, p) => c.guest(vmid(p)) ?? notFound(`no guest ${p.vmid}`),
  },
  { template: '/POST/guests', status: 201, handle: (c, _p, b) => c.addGuest(b) },
  { template: '/PATCH/guests/{vmid}', handle: (c, p, b) => c.updateGuest(vmid(p), b) },
  { template: '/DELETE/guests/{vmid}', handle: (c, p) => c.removeGuest(vmid(p)) },
  { template: '/POST/guests/{vmid}/start', handle: (c, p) => c.startGuest(vmid(p)) },
  { template: '/POST/guests/{vmid}/stop', handle: (c, p) => c.stopGuest(vmid(p)) },
  { template: '/POST/guests/{vmid}/template', handle: (c, p) => c.convertToTemplate(vmid(p)) },
  { template: '/PUT/guests/{vmid}/agent', handle: (c, p, b) => c.setAgent(vmid(p), b) },
  {
    template: '/PUT/guests/{vmid}/nics/{index}',
    handle: (c, p, b) => c.setGuestAddresses(vmid(p), Number(p.index), b),
  },
  {
    template: '/POST/guests/{vmid}/migrate',
    handle: (c, p, b) => {
      const target = String(b.target ?? '');
      if (b.stepwise === true) return { phase: c.beginMigration(vmid(p), target).phase };
      const phaseMs = typeof b.phaseMs === 'number' ? b.phaseMs : undefined;
      void c.migrate(vmid(p), target, { phaseMs });
      return { phase: 'locked' };
    },
  },
  {
    template: '/POST/guests/{vmid}/migrate/step',
    handle: (c, p) => ({ phase: c.stepMigration(vmid(p)) }),
  },
  { template: '/GET/migrations', handle: (c) => c.migrations() },
  { template: '/GET/nodes', handle: (c) => c.nodes() },
  { template: '/POST/nodes', status: 201, handle: (c, _p, b) => c.addNode(b) },
  {
    template: '/DELETE/nodes/{name}',
    handle: (c, p, b) => c.removeNode(p.name ?? '', { force: b.force === true }),
  },
  {
    template: '/POST/nodes/{name}/offline',
    handle: (c, p, b) => c.setNodeOnline(p.name ?? '', false, b),
  },
  { template: '/POST/nodes/{name}/online', handle: (c, p) => c.setNodeOnline(p.name ?? '', true) },
  { template: '/GET/storages', handle: (c) => c.storages() },
  { template: '/POST/storages', status: 201, handle: (c, _p, b) => c.addStorage(b as never) },
  { template: '/PATCH/storages/{id}', handle: (c, p, b) => c.updateStorage(p.id ?? '', b) },
  { template: '/DELETE/storages/{id}', handle: (c, p) => c.removeStorage(p.id ?? '') },
  { template: '/GET/tokens', handle: (c) => c.tokens() },
  { template: '/POST/tokens', status: 201, handle: (c, _p, b) => c.addToken(b as never) },
  { template: '/POST/tokens/{id}/revoke', handle: (c, p) => c.revokeToken(p.id ?? '') },
  { template: '/POST/tokens/{id}/restore', handle: (c, p) => c.restoreToken(p.id ?? '') },
  { template: '/POST/tokens/{id}/drop-privileges', handle: (c, p) => c.dropPrivileges(p.id ?? '') },
  {
    template: '/POST/tokens/{id}/restore-privileges',
    handle: (c, p) => c.restorePrivileges(p.id ?? ''),
  },
  {
    template: '/PUT/tokens/{id}/acl',
    handle: (c, p, b) =>
      c.setTokenAcl(p.id ?? '', Array.isArray(b.acl) ? b.acl : invalid('acl must be a list')),
  },
  { template: '/GET/faults', handle: (c) => c.faults() },
  { template: '/POST/faults', status: 201, handle: (c, _p, b) => ({ id: c.addFault(b as never) }) },
  { template: '/DELETE/faults', handle: (c) => c.clearFaults() },
  {
    template: '/DELETE/faults/{id}',
    handle: (c, p) => c.removeFault(Number(p.id)) || notFound(`no fault ${p.id}`),
  },
  {
    template: '/POST/churn',
    handle: (c, _p, b) =>
      c.startChurn(typeof b.ratePerSecond === 'number' ? b.ratePerSecond : Number.NaN),
  },
  { template: '/DELETE/churn', handle: (c) => c.stopChurn() },
  {
    template: '/POST/churn/step',
    handle: (c, _p, b) => c.churnStep(typeof b.count === 'number' ? b.count : 1),
  },
  { template: '/GET/counters', handle: (c) => c.counters() },
  { template: '/DELETE/counters', handle: (c) => c.resetCounters() },
  { template: '/POST/rrd/tick', handle: (c) => c.tickRrd() },
];

const router = new Router<AdminRoute>(ROUTES);

/**
 * createAdminHandler serves the control surface over HTTP under `/_sim/` (JSON in, JSON out),
 * guarded by `Authorization: Bearer <adminToken>` (401 otherwise). Control refusals map to
 * 404 (NOT_FOUND), 409 (CONFLICT), 400 (INVALID); answers are `{"result": …}` or
 * `{"error": {"code", "message"}}`.
 */
export function createAdminHandler(control: SimulatorControl, adminToken: string): AdminHandler {
  const expected = Buffer.from(`Bearer ${adminToken}`);
  return async (req, res, url) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return send(res, 401, {
        error: { code: 'UNAUTHENTICATED', message: 'admin token required' },
      });
    }
    const match = router.match(`/${req.method ?? 'GET'}${url.pathname.slice(ADMIN_PREFIX.length)}`);
    if (!match)
      return send(res, 404, { error: { code: 'NOT_FOUND', message: 'no such admin route' } });
    try {
      const body = await readBody(req);
      const result = await match.route.handle(control, match.params, body);
      send(res, match.route.status ?? 200, { result: result ?? null });
    } catch (err) {
      const error = coerceError(err);
      const code = error instanceof SimulatorControlError ? error.code : 'INVALID';
      const status = code === 'NOT_FOUND' ? 404 : code === 'CONFLICT' ? 409 : 400;
      send(res, status, { error: { code, message: error.message } });
    }
  };
}

function vmid(params: Record<string, string>): number {
  const value = Number(params.vmid);
  if (!Number.isInteger(value)) invalid(`'${params.vmid}' is not a vmid`);
  return value;
}

function notFound(message: string): never {
  throw new SimulatorControlError('NOT_FOUND', message);
}

function invalid(message: string): never {
  throw new SimulatorControlError('INVALID', message);
}

async function readBody(req: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) invalid('request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    invalid('request body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    invalid('request body must be a JSON object');
  }
  return parsed as Body;
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
