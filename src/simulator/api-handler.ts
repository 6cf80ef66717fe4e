import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { authenticate } from './auth.js';
import type { RequestCounters } from './counters.js';
import type { FaultInfo, FaultInjector } from './faults.js';
import { AccessCheck } from './model/acl.js';
import type { ClusterState } from './model/cluster-state.js';
import type { RrdUpdater } from './model/rrd-updater.js';
import { IDENTITY_ORDER, type Shuffler } from './prng.js';
import { emptyFail, fail, notImplemented, type PveReply } from './reply.js';
import type { ApiSettings, RouteKind, RouteMatch, Router } from './router.js';
import { writeReply } from './wire.js';

/** API_PREFIX is where PVE's JSON API lives. */
export const API_PREFIX = '/api2/json';

/** ApiHandlerOptions wires the API pipeline to one simulated cluster. */
export interface ApiHandlerOptions {
  state: ClusterState;
  rrd: RrdUpdater;
  router: Router;
  counters: RequestCounters;
  faults: FaultInjector;
  /** List/key order; IDENTITY_ORDER keeps a stable order. */
  order: Shuffler;
  settings: ApiSettings;
  /** Delay before every 401 (PVE: 3 s). */
  authFailureDelayMs: number;
  /** Keeps a request open without answering (the `timeout` fault); the server ends it on stop. */
  hold(req: IncomingMessage, res: ServerResponse): void;
  /** Hears every answered call once its reply is handed to the socket (see SimulatorResponse). */
  onResponse?: (response: SimulatorResponse) => void;
}

/**
 * SimulatorResponse describes one answered API call: what was asked (`path` without the
 * `/api2/json` prefix, the matched `endpoint` template and its `kind`), the status sent, and when
 * the call arrived and its reply was handed to the socket (`performance.now()` of the simulator's
 * process). Benchmarks use it to know when a poll was answered and which guest a detail call was
 * about.
 */
export interface SimulatorResponse {
  method: string;
  path: string;
  endpoint: string;
  kind: RouteKind;
  status: number;
  receivedAt: number;
  sentAt: number;
}

/**
 * ApiHandler serves one call under `/api2/json`: RRD catch-up, counting, fault injection,
 * authentication (401 with empty body and delay), routing (501 for unknown paths/methods), the
 * route's handler, the reply's delay, then PVE's wire format.
 */
export type ApiHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/** createApiHandler builds the API pipeline described by ApiHandler. */
export function createApiHandler(options: ApiHandlerOptions): ApiHandler {
  const { router, counters, faults } = options;
  return async (req, res, url) => {
    const receivedAt = performance.now();
    options.rrd.sync();
    const method = req.method ?? 'GET';
    const path = url.pathname.slice(API_PREFIX.length) || '/';
    const match = method === 'GET' ? router.match(path) : undefined;
    const endpoint = `${method} ${match?.route.template ?? '(unknown)'}`;
    const kind = match?.route.kind ?? 'other';
    counters.record(endpoint, kind);

    const decision = faults.take(path);
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    const fault = decision.terminal;
    if (fault?.kind === 'reset' || fault?.kind === 'timeout') {
      counters.recordStatus(0);
      if (fault.kind === 'reset') req.socket.destroy();
      else options.hold(req, res);
      return;
    }
    const reply =
      faultReply(fault, options.authFailureDelayMs) ??
      (await routeReply(options, req, url, match, method, path));
    if (reply.delayMs) await sleep(reply.delayMs);
    counters.recordStatus(reply.status);
    await writeReply(req, res, reply, {
      order: options.order,
      truncate: fault?.kind === 'malformed',
    });
    options.onResponse?.({
      method,
      path,
      endpoint,
      kind,
      status: reply.status,
      receivedAt,
      sentAt: performance.now(),
    });
  };
}

/** faultReply is the answer an `auth` or `status` fault replaces the real one with. */
function faultReply(fault: FaultInfo | undefined, authDelayMs: number): PveReply | undefined {
  if (fault?.kind === 'auth') return emptyFail(401, 'Authentication failed!', authDelayMs);
  if (fault?.kind === 'status') {
    return fail(fault.status ?? 500, `${fault.message ?? 'Internal Server Error'}\n`);
  }
  return undefined;
}

/**
 * routeReply authenticates the call (pveproxy's auth handler runs before the API lookup, so an
 * unauthenticated call to an unknown path gets 401) and runs the matched route, or answers 501.
 */
async function routeReply(
  options: ApiHandlerOptions,
  req: IncomingMessage,
  url: URL,
  match: RouteMatch | undefined,
  method: string,
  path: string,
): Promise<PveReply> {
  const { state } = options;
  const auth = authenticate(
    req.headers.authorization,
    req.headers.cookie,
    state.tokens,
    Math.floor(state.now() / 1000),
  );
  if (!auth.ok) return emptyFail(401, auth.reason, options.authFailureDelayMs);
  if (!match) return notImplemented(method, path);
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  return match.route.handle({
    state,
    token: auth.token,
    access: new AccessCheck(auth.token.acl),
    params: match.params,
    query,
    order: options.order ?? IDENTITY_ORDER,
    settings: options.settings,
  });
}
