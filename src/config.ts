import { defaultDataDir } from './db/embedded-postgres.js';
import { formatDuration, parseDuration } from './lib/duration.js';
import { isLoopbackHost } from './lib/loopback.js';
import { mallocThresholdsFixed } from './lib/malloc-thresholds.js';

/** ListStrategy is how a cluster's inventory is listed from PVE (DESIGN §3). */
export type ListStrategy = 'cluster-resources' | 'per-node';

/** BusKind selects the pub/sub bus that carries inventory events to subscribers (DESIGN §7). */
export type BusKind = 'memory' | 'postgres';

/** LogLevel is a pino level name. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * Config is everything pvesphere reads from its environment, typed and validated. It is built
 * once by {@link loadConfig}; no other module reads `process.env`.
 */
export interface Config {
  /** TCP port of the HTTP server (`PORT`). 0 picks a free port. */
  port: number;
  /** Address the HTTP server binds to (`HOST`). */
  host: string;
  /** External PostgreSQL (`DATABASE_URL`); undefined = embedded PostgreSQL in `dataDir`. */
  databaseUrl: string | undefined;
  /** Directory for the embedded database and the generated secret key (`PVESPHERE_DATA_DIR`). */
  dataDir: string;
  /** How often each cluster's inventory is polled (`PVESPHERE_POLL_INTERVAL`). */
  pollIntervalMs: number;
  /** Full relist period (`PVESPHERE_RESYNC_INTERVAL`). */
  resyncIntervalMs: number;
  /** How often `pve_cluster` is re-read for SQL edits (`PVESPHERE_DISCOVERY_INTERVAL`). */
  discoveryIntervalMs: number;
  /** Usage metrics are written at most this often (`PVESPHERE_METRICS_INTERVAL`). */
  metricsIntervalMs: number;
  /** Guest IPs are refreshed over this period (`PVESPHERE_IP_REFRESH_INTERVAL`). */
  ipRefreshIntervalMs: number;
  /** `PVESPHERE_LIST_STRATEGY`. */
  listStrategy: ListStrategy;
  /** Polls that must confirm a mass deletion before it is applied (`PVESPHERE_DELETE_CONFIRMATIONS`). */
  deleteConfirmations: number;
  /** How long `inventory_event` rows are kept (`PVESPHERE_EVENT_RETENTION`). */
  eventRetentionMs: number;
  /** `PVESPHERE_BUS`. */
  bus: BusKind;
  /** Whether this process syncs clusters; false = a serve-only replica (`PVESPHERE_SYNC`). */
  sync: boolean;
  /** Clusters using PostgreSQL at once, to load or write (`PVESPHERE_WRITE_CONCURRENCY`) [3]. */
  writeConcurrency: number;
  /** 32-byte key for token secrets at rest (`PVESPHERE_SECRET_KEY`, base64); else a key file. */
  secretKey: Buffer | undefined;
  /** Bearer token required for mutations (`PVESPHERE_ADMIN_TOKEN`). */
  adminToken: string | undefined;
  /** Bearer token required for queries and subscriptions (`PVESPHERE_READ_TOKEN`). */
  readToken: string | undefined;
  /** `LOG_LEVEL`. */
  logLevel: LogLevel;
  /** PVE API client limits. */
  pve: {
    /** `PVESPHERE_PVE_CONNECT_TIMEOUT` [5s]. */
    connectTimeoutMs: number;
    /** `PVESPHERE_PVE_HEADERS_TIMEOUT` [15s]. */
    headersTimeoutMs: number;
    /** `PVESPHERE_PVE_BODY_TIMEOUT` [30s]. */
    bodyTimeoutMs: number;
    /** Concurrent detail calls (config, guest agent) per cluster (`PVESPHERE_DETAIL_CONCURRENCY`) [4]. */
    detailConcurrency: number;
  };
  /** GraphQL limits. */
  graphql: {
    /** Maximum selection depth of an operation (`PVESPHERE_MAX_QUERY_DEPTH`) [10]. */
    maxDepth: number;
    /** Maximum estimated cost of an operation (`PVESPHERE_MAX_QUERY_COMPLEXITY`) [5000]. */
    maxComplexity: number;
    /** Events buffered per subscriber before it is closed as too slow (`PVESPHERE_SUBSCRIBER_BUFFER`) [1000]. */
    subscriberBuffer: number;
    /**
     * Longest a cached query result is served without a change being seen
     * (`PVESPHERE_RESPONSE_CACHE_TTL`) [2s]; 0 disables the cache.
     */
    responseCacheTtlMs: number;
  };
  /** How long a graceful shutdown may take before connections are cut (`PVESPHERE_SHUTDOWN_TIMEOUT`) [4s]. */
  shutdownTimeoutMs: number;
  /**
   * Whether glibc's malloc was started with its trim and mmap thresholds fixed
   * (`MALLOC_TRIM_THRESHOLD_` and `MALLOC_MMAP_THRESHOLD_`, or `GLIBC_TUNABLES`, as `npm start`
   * sets them): only logged at start, glibc itself reads them.
   */
  mallocThresholdsFixed: boolean;
}

/**
 * ConfigError is a bad environment value; its message is one line naming the variable. Control
 * characters of an echoed value (a line break pasted into a variable) are written as escapes
 * such as `\n`, so the message stays on one line.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
    const oneLine = message.replace(/[\u0000-\u001f\u007f]/g, (c) =>
      JSON.stringify(c).slice(1, -1),
    );
    super(`${variable}: ${oneLine}`);
  }
}

type Env = Record<string, string | undefined>;

/** Reads one variable; empty strings count as unset. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function duration(env: Env, name: string, fallback: string, minMs = 1): number {
  const text = read(env, name) ?? fallback;
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new ConfigError(
      name,
      `expected a duration with a unit: ms, s, m, h or d, such as 500ms, 5s, 10m (got '${text}')`,
    );
  }
  if (ms < minMs) {
    throw new ConfigError(name, `must be at least ${formatDuration(minMs)} (got '${text}')`);
  }
  return ms;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const text = read(env, name);
  if (text === undefined) return fallback;
  const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `expected an integer from ${min} to ${max} (got '${text}')`);
  }
  return value;
}

function oneOf<const T extends string>(
  env: Env,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const text = read(env, name);
  if (text === undefined) return fallback;
  const value = allowed.find((candidate) => candidate === text.toLowerCase());
  if (value === undefined) {
    throw new ConfigError(name, `expected one of ${allowed.join(', ')} (got '${text}')`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const text = read(env, name);
  if (text === undefined) return fallback;
  const lowered = text.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lowered)) return true;
  if (['false', '0', 'no', 'off'].includes(lowered)) return false;
  throw new ConfigError(name, `expected true or false (got '${text}')`);
}

function databaseUrl(env: Env): string | undefined {
  const text = read(env, 'DATABASE_URL');
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(
      'DATABASE_URL',
      'expected a PostgreSQL URL such as postgres://user:password@host:5432/pvesphere',
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(
      'DATABASE_URL',
      `expected a postgres:// or postgresql:// URL (got scheme '${url.protocol.replace(/:$/, '')}')`,
    );
  }
  return text;
}

function secretKey(env: Env): Buffer | undefined {
  const text = read(env, 'PVESPHERE_SECRET_KEY');
  if (text === undefined) return undefined;
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : undefined;
  if (key?.length !== 32) {
    throw new ConfigError(
      'PVESPHERE_SECRET_KEY',
      'expected 32 bytes encoded as base64 (generate one with: openssl rand -base64 32)',
    );
  }
  return key;
}

function token(env: Env, name: string): string | undefined {
  const text = read(env, name);
  if (text === undefined) return undefined;
  if (text.length < 16 || /\s/.test(text)) {
    throw new ConfigError(name, 'expected at least 16 characters without spaces');
  }
  return text;
}

/**
 * loadConfig reads and validates the environment (DESIGN §6). It throws a {@link ConfigError}
 * whose message is a single line naming the variable and what it accepts.
 */
export function loadConfig(env: Env = process.env, uid = process.getuid?.() ?? 1000): Config {
  const host = read(env, 'HOST') ?? '127.0.0.1';
  const adminToken = token(env, 'PVESPHERE_ADMIN_TOKEN');
  if (!isLoopbackHost(host) && adminToken === undefined) {
    throw new ConfigError(
      'HOST',
      `'${host}' is reachable from other machines, so PVESPHERE_ADMIN_TOKEN must be set to protect mutations (or bind to 127.0.0.1)`,
    );
  }
  return {
    port: integer(env, 'PORT', 4000, 0, 65535),
    host,
    databaseUrl: databaseUrl(env),
    dataDir: read(env, 'PVESPHERE_DATA_DIR') ?? defaultDataDir(env, uid),
    pollIntervalMs: duration(env, 'PVESPHERE_POLL_INTERVAL', '5s', 100),
    resyncIntervalMs: duration(env, 'PVESPHERE_RESYNC_INTERVAL', '5m', 100),
    discoveryIntervalMs: duration(env, 'PVESPHERE_DISCOVERY_INTERVAL', '30s', 100),
    metricsIntervalMs: duration(env, 'PVESPHERE_METRICS_INTERVAL', '60s', 100),
    ipRefreshIntervalMs: duration(env, 'PVESPHERE_IP_REFRESH_INTERVAL', '10m', 100),
    listStrategy: oneOf(
      env,
      'PVESPHERE_LIST_STRATEGY',
      ['cluster-resources', 'per-node'],
      'cluster-resources',
    ),
    deleteConfirmations: integer(env, 'PVESPHERE_DELETE_CONFIRMATIONS', 2, 0, 100),
    eventRetentionMs: duration(env, 'PVESPHERE_EVENT_RETENTION', '7d', 1000),
    bus: oneOf(env, 'PVESPHERE_BUS', ['memory', 'postgres'], 'memory'),
    sync: boolean(env, 'PVESPHERE_SYNC', true),
    writeConcurrency: integer(env, 'PVESPHERE_WRITE_CONCURRENCY', 3, 1, 8),
    secretKey: secretKey(env),
    adminToken,
    readToken: token(env, 'PVESPHERE_READ_TOKEN'),
    logLevel: oneOf(
      env,
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      'info',
    ),
    pve: {
      connectTimeoutMs: duration(env, 'PVESPHERE_PVE_CONNECT_TIMEOUT', '5s'),
      headersTimeoutMs: duration(env, 'PVESPHERE_PVE_HEADERS_TIMEOUT', '15s'),
      bodyTimeoutMs: duration(env, 'PVESPHERE_PVE_BODY_TIMEOUT', '30s'),
      detailConcurrency: integer(env, 'PVESPHERE_DETAIL_CONCURRENCY', 4, 1, 64),
    },
    graphql: {
      maxDepth: integer(env, 'PVESPHERE_MAX_QUERY_DEPTH', 10, 2, 100),
      maxComplexity: integer(env, 'PVESPHERE_MAX_QUERY_COMPLEXITY', 5000, 10, 10_000_000),
      subscriberBuffer: integer(env, 'PVESPHERE_SUBSCRIBER_BUFFER', 1000, 1, 1_000_000),
      responseCacheTtlMs: duration(env, 'PVESPHERE_RESPONSE_CACHE_TTL', '2s', 0),
    },
    shutdownTimeoutMs: duration(env, 'PVESPHERE_SHUTDOWN_TIMEOUT', '4s', 100),
    mallocThresholdsFixed: mallocThresholdsFixed(env),
  };
}
