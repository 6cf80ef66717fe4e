import { randomBytes, randomUUID } from 'node:crypto';
import { type Logger, silentLogger } from '../lib/logger.js';
import { createAdminHandler } from './admin-routes.js';
import { createApiHandler, type SimulatorResponse } from './api-handler.js';
import { generateCertificate, type SimulatorCertificate } from './certificate.js';
import { addToken } from './control/token-ops.js';
import { SimulatorControl } from './control.js';
import { RequestCounters } from './counters.js';
import { FaultInjector } from './faults.js';
import { generateCluster } from './generate.js';
import { SimulatorServer } from './http-server.js';
import { AUDITOR_ACL } from './model/acl.js';
import { ClusterState, type PveVersionInfo } from './model/cluster-state.js';
import { RrdUpdater } from './model/rrd-updater.js';
import { IDENTITY_ORDER, Prng } from './prng.js';
import { Router } from './router.js';
import { API_ROUTES } from './routes/index.js';

export type { SimulatorResponse } from './api-handler.js';

/** SimulatorOptions configures startSimulator; every field is optional. */
export interface SimulatorOptions {
  /** Number of nodes. @default 3 */
  nodes?: number;
  /** Number of guests (VMs, containers, templates). @default 30 */
  guests?: number;
  /** Seed of everything random (cluster contents, drift, churn, list order). @default 1 */
  seed?: number | string;
  /** Cluster name. @default `sim-<seed>` */
  clusterName?: string;
  /** Address to bind. @default '127.0.0.1' */
  host?: string;
  /** Port to bind; 0 picks a free one. @default 0 */
  port?: number;
  /** Serve plain HTTP instead of HTTPS. @default false */
  http?: boolean;
  /** Certificate to serve (e.g. shared by many simulators); generated at start when omitted. */
  certificate?: SimulatorCertificate;
  /** Clock in ms (inject a fake one to move through staleness windows). @default Date.now */
  clock?: () => number;
  /** How long an offline node's RRD data stays visible (PVE: 5 min). @default 300000 */
  stalenessMs?: number;
  /** pvestatd update period: metrics drift once per period. @default 10000 */
  rrdIntervalMs?: number;
  /** Delay before every 401 (PVE uses 3000). @default 0 */
  authFailureDelayMs?: number;
  /** Delay before a call proxied to an offline node fails with 595. @default 0 */
  proxyDelayMs?: number;
  /** Delay before `QEMU guest agent is not running` (PVE pings for 3 s). @default 0 */
  agentTimeoutMs?: number;
  /** Default time per phase of timed migrations (control and churn). @default 1000 */
  migrationPhaseMs?: number;
  /** Token id of the PVEAuditor-on-`/` sync token. @default 'pvesphere@pve!sync' */
  tokenId?: string;
  /** Its secret. @default a random UUID */
  tokenSecret?: string;
  /** Token id of a second token with no privileges at all. @default 'pvesphere@pve!noaccess' */
  restrictedTokenId?: string;
  /** Bearer token of the `/_sim/` admin surface. @default random */
  adminToken?: string;
  /** Randomise list and key order like Perl hashes. @default true */
  randomOrder?: boolean;
  /** Start background churn at this many changes per second. @default off */
  churnPerSecond?: number;
  /** PVE version reported by /version. @default 9.1.5 */
  version?: PveVersionInfo;
  /** Logger for request failures. @default silentLogger */
  logger?: Logger;
  /**
   * Called after every answered API call (not admin calls), once the reply is handed to the
   * socket: benchmarks time poll answers with it. Keep it cheap: it runs on the request path.
   */
  onResponse?: (response: SimulatorResponse) => void;
}

/** RunningSimulator is a started simulated cluster. */
export interface RunningSimulator {
  /** API base URL (`https://127.0.0.1:<port>`), what a cluster's apiUrl is set to. */
  url: string;
  /** Sync token id (PVEAuditor on `/`). */
  tokenId: string;
  /** Sync token secret. */
  secret: string;
  /** SHA-256 fingerprint of the served certificate (`AA:BB:…`); undefined over plain HTTP. */
  fingerprint: string | undefined;
  /** PEM of the served certificate (trust it to verify TLS); undefined over plain HTTP. */
  certificate: string | undefined;
  /** The second token, with no privileges. */
  restrictedToken: { tokenId: string; secret: string };
  /** Base URL of the admin surface (`<url>/_sim`). */
  adminUrl: string;
  /** Bearer token of the admin surface. */
  adminToken: string;
  port: number;
  control: SimulatorControl;
  /** stop closes the listener, drops connections and stops churn/timers. */
  stop(): Promise<void>;
}

const DEFAULT_VERSION: PveVersionInfo = {
  version: '9.1.5',
  release: '9.1',
  repoid: '80cf92a64bef6889',
};

/**
 * startSimulator generates a cluster from `seed` and serves PVE's API for it over HTTPS (a
 * self-signed certificate generated at start unless given) or HTTP, plus the `/_sim/` admin
 * surface. Several simulators can run in one process, each on its own port.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const seed = options.seed ?? 1;
  const prng = new Prng(seed);
  const state = new ClusterState({
    name: options.clusterName ?? `sim-${seed}`,
    clock: options.clock ?? Date.now,
    stalenessMs: options.stalenessMs ?? 300_000,
    rrdIntervalMs: options.rrdIntervalMs ?? 10_000,
    version: options.version ?? DEFAULT_VERSION,
  });
  generateCluster(state, prng.fork('cluster'), {
    nodes: options.nodes ?? 3,
    guests: options.guests ?? 30,
  });
  const tokenId = options.tokenId ?? 'pvesphere@pve!sync';
  const secret = options.tokenSecret ?? randomUUID();
  addToken(state, { tokenId, secret, acl: AUDITOR_ACL });
  const restricted = addToken(state, {
    tokenId: options.restrictedTokenId ?? 'pvesphere@pve!noaccess',
  });

  const certificate = options.http
    ? undefined
    : (options.certificate ?? (await generateCertificate()));
  const entry = state.nodes.get(state.entryNode);
  if (entry && certificate) entry.fingerprint = certificate.fingerprint;

  const rrd = new RrdUpdater(state, prng.fork('rrd'));
  const faults = new FaultInjector();
  const counters = new RequestCounters();
  const control = new SimulatorControl({
    state,
    rrd,
    faults,
    counters,
    rng: prng.fork('control'),
    churnRng: prng.fork('churn'),
    migrationPhaseMs: options.migrationPhaseMs ?? 1000,
  });
  const adminToken = options.adminToken ?? randomBytes(24).toString('base64url');
  const logger = options.logger ?? silentLogger;
  let server: SimulatorServer | undefined;
  const api = createApiHandler({
    state,
    rrd,
    router: new Router(API_ROUTES),
    counters,
    faults,
    order: options.randomOrder === false ? IDENTITY_ORDER : prng.fork('wire-order'),
    settings: {
      proxyDelayMs: options.proxyDelayMs ?? 0,
      agentTimeoutMs: options.agentTimeoutMs ?? 0,
    },
    authFailureDelayMs: options.authFailureDelayMs ?? 0,
    hold: (req, res) => server?.hold(req, res),
    onResponse: options.onResponse,
  });
  server = new SimulatorServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    tls: certificate,
    api,
    admin: createAdminHandler(control, adminToken),
    logger,
  });
  const port = await server.listen();
  const host = options.host ?? '127.0.0.1';
  const url = `${options.http ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (options.churnPerSecond) control.startChurn(options.churnPerSecond);

  let stopped: Promise<void> | undefined;
  return {
    url,
    tokenId,
    secret,
    fingerprint: certificate?.fingerprint,
    certificate: certificate?.cert,
    restrictedToken: { tokenId: restricted.tokenId, secret: restricted.secret },
    adminUrl: `${url}/_sim`,
    adminToken,
    port,
    control,
    stop() {
      stopped ??= (async () => {
        control.dispose();
        await server?.close();
      })();
      return stopped;
    },
  };
}
