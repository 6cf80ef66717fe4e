import { type Dispatcher, Pool } from 'undici';
import { coerceError } from '../lib/coerce-error.js';
import { Limiter } from '../lib/limiter.js';
import { tokenAuthorization } from './api-token.js';
import { parseBaseUrl } from './base-url.js';
import { PveAbortedError, PveError, PveInvalidArgumentError, PveServerError } from './errors.js';
import {
  type KnownGuestDigest,
  normalizeClusterResources,
  normalizeClusterResourcesSince,
  type PveClusterResources,
  type PveClusterResourcesSince,
  scanClusterResources,
  scanClusterResourcesSince,
} from './normalize/cluster-resources.js';
import { normalizeClusterStatus, type PveClusterStatus } from './normalize/cluster-status.js';
import { readList } from './normalize/field-reader.js';
import { type GuestType, normalizeNodeGuest, type PveGuest } from './normalize/guest.js';
import {
  classifyUnavailable,
  normalizeAgentInterfaces,
  normalizeLxcInterfaces,
  type PveInterfacesResult,
} from './normalize/guest-interfaces.js';
import { normalizeLxcConfig, type PveLxcConfig } from './normalize/lxc-config.js';
import { normalizeNode, type PveNode } from './normalize/node.js';
import { normalizeQemuConfig, type PveQemuConfig } from './normalize/qemu-config.js';
import { normalizeNodeStorage, type PveStorage } from './normalize/storage.js';
import { normalizeVersion, type PveVersion } from './normalize/version.js';
import { createTlsConnector, normalizeFingerprint, type TlsPolicy } from './tls.js';
import {
  type GetOptions,
  type PveRequestEvent,
  type PveTimeouts,
  PveTransport,
  type RequestKind,
} from './transport.js';

/** PveClientOptions configures a PveClient for one PVE cluster. */
export interface PveClientOptions {
  /** Cluster URL, `https://host:8006`; a trailing `/api2/json` is accepted and stripped. */
  baseUrl: string;
  /** Full API token id `user@realm!tokenname`. */
  tokenId: string;
  /** Token secret (UUID). Never appears in errors, messages or events. */
  secret: string;
  /**
   * Pin the server certificate by its SHA-256 fingerprint (`AA:BB:…`, case-insensitive, as
   * `/nodes` `ssl_fingerprint` shows it): that certificate is accepted, self-signed or not, and
   * any other refused. @default unset (CA and host-name verification)
   */
  tlsFingerprint?: string;
  /** Accept any certificate. Explicit opt-in; cannot be combined with tlsFingerprint. @default false */
  tlsInsecure?: boolean;
  /** Time limits in milliseconds. @default { connectMs: 5000, headersMs: 15000, bodyMs: 30000 } */
  timeouts?: Partial<PveTimeouts>;
  /** Maximum open connections to the cluster (keep-alive pool). @default 8 */
  maxConnections?: number;
  /** Maximum concurrent detail calls (config, agent, interfaces); lists are not limited. @default 4 */
  detailConcurrency?: number;
  /**
   * undici dispatcher to use instead of the client's own Pool (tests pass a MockAgent). TLS
   * options, the connect timeout and maxConnections are then the dispatcher's; `close()` does
   * not close it. @default a keep-alive Pool owned by the client
   */
  dispatcher?: Dispatcher;
  /** Called after every HTTP call (list vs detail counting, latency metrics). */
  onRequest?: (event: PveRequestEvent) => void;
}

/** PveCallOptions are the per-call options of every PveClient method. */
export interface PveCallOptions {
  /** Aborts the call (also while it waits for a detail slot) with PVE_ABORTED. */
  signal?: AbortSignal;
}

/**
 * PveConnectionTest is the result of PveClient.testConnection: the PVE version of the node
 * answering, the number of cluster nodes, and the SHA-256 fingerprint of the certificate the
 * server presented (undefined over plain HTTP or with an injected dispatcher).
 */
export interface PveConnectionTest {
  version: PveVersion;
  nodeCount: number;
  fingerprint?: string;
}

/** Defaults applied by the PveClient constructor. */
export const PVE_CLIENT_DEFAULTS = {
  timeouts: { connectMs: 5_000, headersMs: 15_000, bodyMs: 30_000 },
  maxConnections: 8,
  detailConcurrency: 4,
  /** Below pveproxy's 5 s idle timeout, so the client closes idle sockets first. */
  keepAliveMs: 4_000,
  maxResponseBytes: 256 * 1024 * 1024,
} as const;

/**
 * PveClient reads one Proxmox VE cluster through its JSON API with an API token. Every method
 * returns normalised objects (see normalize/*) or rejects with a PveError carrying a stable
 * `code`; lists are validated whole (one malformed row rejects the list, so a sync never acts
 * on a partial list). Detail calls share a per-client concurrency limit. The client owns one
 * keep-alive undici Pool for its one origin (unless a dispatcher is injected); call `close()`
 * when done.
 */
export class PveClient {
  /** The API base this client talks to (`https://host:8006`). */
  readonly origin: string;
  readonly #transport: PveTransport;
  readonly #limiter: Limiter;
  readonly #ownedPool: Pool | undefined;
  #lastFingerprint: string | undefined;

  constructor(options: PveClientOptions) {
    const base = parseBaseUrl(options.baseUrl);
    const authorization = tokenAuthorization(options.tokenId, options.secret);
    const timeouts = { ...PVE_CLIENT_DEFAULTS.timeouts, ...options.timeouts };
    for (const [name, value] of Object.entries(timeouts)) {
      requirePositive(value, `timeouts.${name}`);
    }
    const maxConnections = options.maxConnections ?? PVE_CLIENT_DEFAULTS.maxConnections;
    const detailConcurrency = options.detailConcurrency ?? PVE_CLIENT_DEFAULTS.detailConcurrency;
    requirePositive(maxConnections, 'maxConnections', true);
    requirePositive(detailConcurrency, 'detailConcurrency', true);
    const policy = tlsPolicy(options);
    this.origin = base.origin;
    this.#ownedPool =
      options.dispatcher === undefined
        ? createPool(base.origin, policy, timeouts, maxConnections, (fingerprint) => {
            this.#lastFingerprint = fingerprint;
          })
        : undefined;
    this.#transport = new PveTransport({
      base,
      authorization,
      secrets: [options.secret],
      dispatcher: options.dispatcher ?? (this.#ownedPool as Pool),
      timeouts,
      onRequest: options.onRequest,
    });
    this.#limiter = new Limiter(detailConcurrency);
  }

  /** getVersion reads `/version` of the node the client talks to (kind `meta`). */
  async getVersion(options: PveCallOptions = {}): Promise<PveVersion> {
    return this.#get('/version', 'meta', options, normalizeVersion);
  }

  /**
   * testConnection checks URL, TLS and token: it reads `/version` and `/nodes` and reports the
   * certificate fingerprint the server presented. When TLS verification fails it rejects with
   * PVE_TLS and the error's `presentedFingerprint` tells the user what to pin.
   */
  async testConnection(options: PveCallOptions = {}): Promise<PveConnectionTest> {
    const version = await this.getVersion(options);
    const nodes = await this.listNodes(options);
    const result: PveConnectionTest = { version, nodeCount: nodes.length };
    if (this.#lastFingerprint !== undefined) result.fingerprint = this.#lastFingerprint;
    return result;
  }

  /** listClusterResources reads `/cluster/resources` (all kinds; guests, nodes and storage kept). */
  async listClusterResources(options: PveCallOptions = {}): Promise<PveClusterResources> {
    return this.#get(
      '/cluster/resources',
      'list',
      options,
      normalizeClusterResources,
      scanClusterResources,
    );
  }

  /**
   * listClusterResourcesSince reads `/cluster/resources` for a caller that keeps states of the
   * guests: rows whose digest is `known(type, vmid)` come back in `unchangedGuests`, usage only
   * (see PveClusterResourcesSince; a parsed answer has every guest in `guests`).
   */
  async listClusterResourcesSince(
    known: KnownGuestDigest,
    options: PveCallOptions = {},
  ): Promise<PveClusterResourcesSince> {
    return this.#get(
      '/cluster/resources',
      'list',
      options,
      normalizeClusterResourcesSince,
      (body) => scanClusterResourcesSince(body, known),
    );
  }

  /** listClusterGuests reads `/cluster/resources?type=vm`: every QEMU VM and LXC container. */
  async listClusterGuests(options: PveCallOptions = {}): Promise<PveGuest[]> {
    return this.#resourcesOfType('vm', 'guests', options);
  }

  /** listClusterNodes reads `/cluster/resources?type=node`. */
  async listClusterNodes(options: PveCallOptions = {}): Promise<PveNode[]> {
    return this.#resourcesOfType('node', 'nodes', options);
  }

  /** listClusterStorage reads `/cluster/resources?type=storage`: one row per (node, storage). */
  async listClusterStorage(options: PveCallOptions = {}): Promise<PveStorage[]> {
    return this.#resourcesOfType('storage', 'storage', options);
  }

  /**
   * #resourcesOfType reads `/cluster/resources?type=<type>` and keeps the one kind it lists
   * (read like listClusterResources: scanned, or parsed when the scanner leaves it).
   */
  #resourcesOfType<K extends keyof PveClusterResources>(
    type: 'vm' | 'node' | 'storage',
    kind: K,
    options: PveCallOptions,
  ): Promise<PveClusterResources[K]> {
    return this.#get(
      `/cluster/resources?type=${type}`,
      'list',
      options,
      (data) => normalizeClusterResources(data)[kind],
      (body) => scanClusterResources(body)?.[kind],
    );
  }

  /** getClusterStatus reads `/cluster/status` (cluster name, quorum, member ids and IPs). */
  async getClusterStatus(options: PveCallOptions = {}): Promise<PveClusterStatus> {
    return this.#get('/cluster/status', 'list', options, normalizeClusterStatus);
  }

  /** listNodes reads `/nodes` (with each node's `ssl_fingerprint`). */
  async listNodes(options: PveCallOptions = {}): Promise<PveNode[]> {
    return this.#get('/nodes', 'list', options, (data) => readList(data, 'data', normalizeNode));
  }

  /** listQemu reads `/nodes/{node}/qemu`: the VMs (templates included) whose config is on `node`. */
  async listQemu(node: string, options: PveCallOptions = {}): Promise<PveGuest[]> {
    return this.#listNodeGuests(node, 'qemu', options);
  }

  /** listLxc reads `/nodes/{node}/lxc`: the containers whose config is on `node`. */
  async listLxc(node: string, options: PveCallOptions = {}): Promise<PveGuest[]> {
    return this.#listNodeGuests(node, 'lxc', options);
  }

  /** listStorage reads `/nodes/{node}/storage`: every storage `node` may see, with usage. */
  async listStorage(node: string, options: PveCallOptions = {}): Promise<PveStorage[]> {
    return this.#get(`${nodePath(node)}/storage`, 'list', options, (data) =>
      readList(data, 'data', (row, at) => normalizeNodeStorage(row, node, at)),
    );
  }

  /** getQemuConfig reads `/nodes/{node}/qemu/{vmid}/config` (a detail call). */
  async getQemuConfig(
    node: string,
    vmid: number,
    options: PveCallOptions = {},
  ): Promise<PveQemuConfig> {
    return this.#detail(`${guestPath(node, 'qemu', vmid)}/config`, options, {
      parse: normalizeQemuConfig,
    });
  }

  /** getLxcConfig reads `/nodes/{node}/lxc/{vmid}/config` (a detail call). */
  async getLxcConfig(
    node: string,
    vmid: number,
    options: PveCallOptions = {},
  ): Promise<PveLxcConfig> {
    return this.#detail(`${guestPath(node, 'lxc', vmid)}/config`, options, {
      parse: normalizeLxcConfig,
    });
  }

  /**
   * getQemuAgentInterfaces reads the guest agent's network interfaces (a detail call). A VM
   * that is stopped, has no agent configured, or whose agent does not answer or fails gives
   * `{ kind: 'unavailable' }` (no IPs known), not an error; other failures reject.
   */
  async getQemuAgentInterfaces(
    node: string,
    vmid: number,
    options: PveCallOptions = {},
  ): Promise<PveInterfacesResult> {
    return this.#detail(`${guestPath(node, 'qemu', vmid)}/agent/network-get-interfaces`, options, {
      parse: normalizeAgentInterfaces,
      recover: recoverUnavailable,
    });
  }

  /**
   * getLxcInterfaces reads `/nodes/{node}/lxc/{vmid}/interfaces` (a detail call); a stopped
   * container gives `{ kind: 'unavailable', reason: 'guest-not-running' }`.
   */
  async getLxcInterfaces(
    node: string,
    vmid: number,
    options: PveCallOptions = {},
  ): Promise<PveInterfacesResult> {
    return this.#detail(`${guestPath(node, 'lxc', vmid)}/interfaces`, options, {
      parse: normalizeLxcInterfaces,
      recover: recoverUnavailable,
    });
  }

  /** close releases the client's own connections (an injected dispatcher is left open). */
  async close(): Promise<void> {
    await this.#ownedPool?.close();
  }

  #listNodeGuests(node: string, type: GuestType, options: PveCallOptions): Promise<PveGuest[]> {
    return this.#get(`${nodePath(node)}/${type}`, 'list', options, (data) =>
      readList(data, 'data', (row, at) => normalizeNodeGuest(row, type, node, at)),
    );
  }

  #get<T>(
    path: string,
    kind: RequestKind,
    options: PveCallOptions,
    parse: (data: unknown) => T,
    scan?: (body: Uint8Array) => T | undefined,
  ): Promise<T> {
    return this.#transport.get(path, {
      kind,
      parse,
      signal: options.signal,
      ...(scan && { scan }),
    });
  }

  async #detail<T>(
    path: string,
    options: PveCallOptions,
    handlers: Pick<GetOptions<T>, 'parse' | 'recover'>,
  ): Promise<T> {
    const { signal } = options;
    try {
      return await this.#limiter.run(
        () => this.#transport.get(path, { kind: 'detail', signal, ...handlers }),
        signal,
      );
    } catch (err) {
      const error = coerceError(err);
      if (error instanceof PveError) throw error;
      // Only the limiter rejects with something else: the signal fired while waiting for a slot.
      throw new PveAbortedError(`GET ${path}: aborted by the caller while waiting for a slot`, {
        method: 'GET',
        path,
      });
    }
  }
}

/** createPveClient is `new PveClient(options)`. */
export function createPveClient(options: PveClientOptions): PveClient {
  return new PveClient(options);
}

/**
 * createPool builds the client's keep-alive Pool for its origin, enforcing the TLS policy. A
 * Pool, not an Agent: an Agent drops an origin's Pool (its queue, its clients) once all its
 * connections have closed — after every poll of a quiet cluster, since pveproxy closes idle
 * connections after 5 s — and builds them anew for the next request.
 */
function createPool(
  origin: string,
  policy: TlsPolicy,
  timeouts: PveTimeouts,
  maxConnections: number,
  onPeerFingerprint: (fingerprint: string) => void,
): Pool {
  return new Pool(origin, {
    connect: createTlsConnector({ policy, timeoutMs: timeouts.connectMs, onPeerFingerprint }),
    connections: maxConnections,
    keepAliveTimeout: PVE_CLIENT_DEFAULTS.keepAliveMs,
    keepAliveMaxTimeout: PVE_CLIENT_DEFAULTS.keepAliveMs,
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyMs,
    maxResponseSize: PVE_CLIENT_DEFAULTS.maxResponseBytes,
  });
}

function recoverUnavailable(error: unknown): PveInterfacesResult | undefined {
  if (!(error instanceof PveServerError) || error.status !== 500 || !error.pveMessage) {
    return undefined;
  }
  const reason = classifyUnavailable(error.pveMessage);
  return reason === undefined
    ? undefined
    : { kind: 'unavailable', reason, message: error.pveMessage };
}

function tlsPolicy(options: PveClientOptions): TlsPolicy {
  if (options.tlsFingerprint && options.tlsInsecure) {
    throw new PveInvalidArgumentError(
      'tlsFingerprint and tlsInsecure exclude each other',
      'tlsInsecure',
    );
  }
  if (options.tlsFingerprint) {
    return { kind: 'pinned', fingerprint: normalizeFingerprint(options.tlsFingerprint) };
  }
  return options.tlsInsecure ? { kind: 'insecure' } : { kind: 'verify' };
}

function requirePositive(value: number, name: string, integer = false): void {
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new PveInvalidArgumentError(
      `${name} must be a positive ${integer ? 'integer' : 'number'}`,
      name,
    );
  }
}

function nodePath(node: string): string {
  if (typeof node !== 'string' || node === '') {
    throw new PveInvalidArgumentError('node must be a non-empty node name', 'node');
  }
  return `/nodes/${encodeURIComponent(node)}`;
}

function guestPath(node: string, type: GuestType, vmid: number): string {
  if (!Number.isSafeInteger(vmid) || vmid < 1) {
    throw new PveInvalidArgumentError('vmid must be a positive integer', 'vmid');
  }
  return `${nodePath(node)}/${type}/${vmid}`;
}
