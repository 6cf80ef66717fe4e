import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { registerSecret } from '../support/capture.js';
import { runPvesphere } from '../support/process-server.js';

const ROOT = 0;
const USER = 1000;

/** A valid admin token, for the cases that need one (non-loopback HOST). */
const ADMIN_TOKEN = registerSecret('config-test-admin-token-0123456789');
/** A valid PVESPHERE_SECRET_KEY: 32 bytes, base64. */
const SECRET_KEY = registerSecret(Buffer.alloc(32, 7).toString('base64'));

/** configError runs loadConfig and returns the ConfigError it throws (fails when it does not). */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, USER);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults (DESIGN §6)', () => {
  it('an empty environment gives the documented defaults', () => {
    const config = loadConfig({ HOME: '/home/someone' }, USER);
    expect(config).toEqual({
      port: 4000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: '/home/someone/.local/share/pvesphere',
      pollIntervalMs: 5_000,
      resyncIntervalMs: 300_000,
      discoveryIntervalMs: 30_000,
      metricsIntervalMs: 60_000,
      ipRefreshIntervalMs: 600_000,
      listStrategy: 'cluster-resources',
      deleteConfirmations: 2,
      eventRetentionMs: 7 * 86_400_000,
      bus: 'memory',
      sync: true,
      writeConcurrency: 3,
      secretKey: undefined,
      adminToken: undefined,
      readToken: undefined,
      logLevel: 'info',
      pve: {
        connectTimeoutMs: 5_000,
        headersTimeoutMs: 15_000,
        bodyTimeoutMs: 30_000,
        detailConcurrency: 4,
      },
      graphql: {
        maxDepth: 10,
        maxComplexity: 5000,
        subscriberBuffer: 1000,
        responseCacheTtlMs: 2000,
      },
      shutdownTimeoutMs: 4_000,
      mallocThresholdsFixed: false,
    });
  });

  it('the data directory is /var/lib/pvesphere for root, XDG_DATA_HOME or ~/.local/share otherwise', () => {
    expect(loadConfig({}, ROOT).dataDir).toBe('/var/lib/pvesphere');
    expect(loadConfig({ XDG_DATA_HOME: '/xdg', HOME: '/home/a' }, USER).dataDir).toBe(
      '/xdg/pvesphere',
    );
    expect(loadConfig({ XDG_DATA_HOME: 'relative', HOME: '/home/a' }, USER).dataDir).toBe(
      '/home/a/.local/share/pvesphere',
    );
    expect(loadConfig({ PVESPHERE_DATA_DIR: '/srv/pvesphere' }, ROOT).dataDir).toBe(
      '/srv/pvesphere',
    );
  });

  it('an empty or blank value counts as unset', () => {
    const config = loadConfig({ PORT: '', PVESPHERE_POLL_INTERVAL: '  ', LOG_LEVEL: '' }, USER);
    expect(config.port).toBe(4000);
    expect(config.pollIntervalMs).toBe(5_000);
    expect(config.logLevel).toBe('info');
  });
});

describe('loadConfig reads every variable', () => {
  it('reads each variable of DESIGN §6 into its field', () => {
    const config = loadConfig(
      {
        PORT: '8080',
        HOST: '0.0.0.0',
        DATABASE_URL: 'postgresql://pv:pw@db.example:5432/pvesphere',
        PVESPHERE_DATA_DIR: '/data',
        PVESPHERE_POLL_INTERVAL: '2s',
        PVESPHERE_RESYNC_INTERVAL: '10m',
        PVESPHERE_DISCOVERY_INTERVAL: '45s',
        PVESPHERE_METRICS_INTERVAL: '2m',
        PVESPHERE_IP_REFRESH_INTERVAL: '1h',
        PVESPHERE_LIST_STRATEGY: 'per-node',
        PVESPHERE_DELETE_CONFIRMATIONS: '0',
        PVESPHERE_EVENT_RETENTION: '30d',
        PVESPHERE_BUS: 'postgres',
        PVESPHERE_SYNC: 'false',
        PVESPHERE_SECRET_KEY: SECRET_KEY,
        PVESPHERE_ADMIN_TOKEN: ADMIN_TOKEN,
        PVESPHERE_READ_TOKEN: registerSecret('config-test-read-token-abcdefghij'),
        LOG_LEVEL: 'warn',
      },
      USER,
    );
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgresql://pv:pw@db.example:5432/pvesphere',
      dataDir: '/data',
      pollIntervalMs: 2_000,
      resyncIntervalMs: 600_000,
      discoveryIntervalMs: 45_000,
      metricsIntervalMs: 120_000,
      ipRefreshIntervalMs: 3_600_000,
      listStrategy: 'per-node',
      deleteConfirmations: 0,
      eventRetentionMs: 30 * 86_400_000,
      bus: 'postgres',
      sync: false,
      adminToken: ADMIN_TOKEN,
      readToken: 'config-test-read-token-abcdefghij',
      logLevel: 'warn',
    });
    expect(config.secretKey).toEqual(Buffer.alloc(32, 7));
  });

  it('reads the tuning variables beyond DESIGN §6', () => {
    const config = loadConfig(
      {
        PVESPHERE_PVE_CONNECT_TIMEOUT: '1s',
        PVESPHERE_PVE_HEADERS_TIMEOUT: '2s',
        PVESPHERE_PVE_BODY_TIMEOUT: '3s',
        PVESPHERE_DETAIL_CONCURRENCY: '8',
        PVESPHERE_MAX_QUERY_DEPTH: '12',
        PVESPHERE_MAX_QUERY_COMPLEXITY: '900',
        PVESPHERE_SUBSCRIBER_BUFFER: '50',
        PVESPHERE_RESPONSE_CACHE_TTL: '0ms',
        PVESPHERE_SHUTDOWN_TIMEOUT: '1500ms',
        PVESPHERE_WRITE_CONCURRENCY: '1',
      },
      USER,
    );
    expect(config.writeConcurrency).toBe(1);
    expect(config.pve).toEqual({
      connectTimeoutMs: 1_000,
      headersTimeoutMs: 2_000,
      bodyTimeoutMs: 3_000,
      detailConcurrency: 8,
    });
    expect(config.graphql).toEqual({
      maxDepth: 12,
      maxComplexity: 900,
      subscriberBuffer: 50,
      responseCacheTtlMs: 0,
    });
    expect(config.shutdownTimeoutMs).toBe(1_500);
  });

  it.each([
    ['250ms', 250],
    ['5s', 5_000],
    ['1.5s', 1_500],
    ['3m', 180_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    [' 10s ', 10_000],
  ])('accepts the duration %j as %i ms', (text, ms) => {
    expect(loadConfig({ PVESPHERE_RESYNC_INTERVAL: text }, USER).resyncIntervalMs).toBe(ms);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['ON', true],
    ['false', false],
    ['0', false],
    ['No', false],
    ['off', false],
  ])('reads PVESPHERE_SYNC=%s as %s', (text, value) => {
    expect(loadConfig({ PVESPHERE_SYNC: text }, USER).sync).toBe(value);
  });

  it('reads enum values case-insensitively', () => {
    const config = loadConfig(
      { PVESPHERE_LIST_STRATEGY: 'Per-Node', PVESPHERE_BUS: 'POSTGRES', LOG_LEVEL: 'Debug' },
      USER,
    );
    expect([config.listStrategy, config.bus, config.logLevel]).toEqual([
      'per-node',
      'postgres',
      'debug',
    ]);
  });

  it.each(['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]'])(
    'binds to the loopback host %s without an admin token',
    (host) => {
      expect(loadConfig({ HOST: host }, USER).host).toBe(host);
    },
  );

  it.each(['0.0.0.0', '::', '192.168.1.10', 'pvesphere.example.com'])(
    'binds to the non-loopback host %s only with an admin token',
    (host) => {
      expect(loadConfig({ HOST: host, PVESPHERE_ADMIN_TOKEN: ADMIN_TOKEN }, USER).host).toBe(host);
      const error = configError({ HOST: host });
      expect(error.variable).toBe('HOST');
      expect(error.message).toContain('PVESPHERE_ADMIN_TOKEN must be set');
    },
  );

  it('accepts PORT 0 (a free port) and 65535', () => {
    expect(loadConfig({ PORT: '0' }, USER).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }, USER).port).toBe(65535);
  });

  it('accepts a url-safe base64 secret key', () => {
    const key = Buffer.alloc(32, 0xfb);
    const text = registerSecret(key.toString('base64url'));
    expect(loadConfig({ PVESPHERE_SECRET_KEY: text }, USER).secretKey).toEqual(key);
  });
});

/** [variable, bad value, what the message must say it accepts]. */
const BAD_VALUES: [string, string, RegExp][] = [
  ['PORT', 'abc', /integer from 0 to 65535/],
  ['PORT', '65536', /integer from 0 to 65535/],
  ['PORT', '-1', /integer from 0 to 65535/],
  ['PORT', '80.5', /integer from 0 to 65535/],
  ['HOST', '0.0.0.0', /PVESPHERE_ADMIN_TOKEN must be set/],
  ['DATABASE_URL', 'mysql://x', /postgres:\/\/ or postgresql:\/\//],
  ['DATABASE_URL', 'localhost:5432/pvesphere', /postgres:\/\/ or postgresql:\/\//],
  ['DATABASE_URL', 'not a url', /PostgreSQL URL such as postgres:\/\//],
  ['PVESPHERE_POLL_INTERVAL', '5', /duration with a unit: ms, s, m, h or d/],
  ['PVESPHERE_POLL_INTERVAL', '5 s', /duration with a unit/],
  ['PVESPHERE_POLL_INTERVAL', '50ms', /at least 100ms/],
  ['PVESPHERE_POLL_INTERVAL', '-5s', /duration with a unit/],
  ['PVESPHERE_RESYNC_INTERVAL', '5min', /duration with a unit/],
  ['PVESPHERE_DISCOVERY_INTERVAL', '0s', /at least 100ms/],
  ['PVESPHERE_METRICS_INTERVAL', 'often', /duration with a unit/],
  ['PVESPHERE_IP_REFRESH_INTERVAL', '10M', /duration with a unit/],
  ['PVESPHERE_LIST_STRATEGY', 'foo', /one of cluster-resources, per-node/],
  ['PVESPHERE_DELETE_CONFIRMATIONS', 'two', /integer from 0 to 100/],
  ['PVESPHERE_DELETE_CONFIRMATIONS', '101', /integer from 0 to 100/],
  ['PVESPHERE_EVENT_RETENTION', '7', /duration with a unit/],
  ['PVESPHERE_EVENT_RETENTION', '500ms', /at least 1s/],
  ['PVESPHERE_BUS', 'redis', /one of memory, postgres/],
  ['PVESPHERE_SYNC', 'maybe', /true or false/],
  ['PVESPHERE_SECRET_KEY', 'short', /32 bytes encoded as base64/],
  ['PVESPHERE_SECRET_KEY', Buffer.alloc(31).toString('base64'), /32 bytes encoded as base64/],
  ['PVESPHERE_SECRET_KEY', Buffer.alloc(33).toString('base64'), /32 bytes encoded as base64/],
  ['PVESPHERE_SECRET_KEY', `${'!'.repeat(43)}=`, /32 bytes encoded as base64/],
  ['PVESPHERE_ADMIN_TOKEN', 'short', /at least 16 characters without spaces/],
  ['PVESPHERE_ADMIN_TOKEN', 'a token with some spaces', /at least 16 characters/],
  ['PVESPHERE_READ_TOKEN', 'tiny', /at least 16 characters without spaces/],
  ['LOG_LEVEL', 'loud', /one of fatal, error, warn, info, debug, trace, silent/],
  ['PVESPHERE_PVE_CONNECT_TIMEOUT', '5', /duration with a unit/],
  ['PVESPHERE_PVE_HEADERS_TIMEOUT', 'soon', /duration with a unit/],
  ['PVESPHERE_PVE_BODY_TIMEOUT', '0ms', /at least 1ms/],
  ['PVESPHERE_DETAIL_CONCURRENCY', '0', /integer from 1 to 64/],
  ['PVESPHERE_WRITE_CONCURRENCY', '9', /integer from 1 to 8/],
  ['PVESPHERE_MAX_QUERY_DEPTH', '1', /integer from 2 to 100/],
  ['PVESPHERE_MAX_QUERY_COMPLEXITY', '5', /integer from 10 to 10000000/],
  ['PVESPHERE_SUBSCRIBER_BUFFER', '0', /integer from 1 to 1000000/],
  ['PVESPHERE_RESPONSE_CACHE_TTL', '2', /duration/],
  ['PVESPHERE_SHUTDOWN_TIMEOUT', '10', /duration with a unit/],
];

describe('loadConfig refuses bad values with one line naming the variable and what it accepts', () => {
  it.each(BAD_VALUES)('%s=%j', (variable, value, accepts) => {
    const error = configError({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
    expect(error.message).toMatch(accepts);
    expect(error.message).not.toContain('\n');
  });

  it('never repeats a secret or token value in the message', () => {
    const badKey = registerSecret('this-is-not-a-valid-32-byte-key');
    const badToken = registerSecret('almost a good admin token value');
    const badRead = registerSecret('read token with spaces in it');
    for (const [variable, value] of [
      ['PVESPHERE_SECRET_KEY', badKey],
      ['PVESPHERE_ADMIN_TOKEN', badToken],
      ['PVESPHERE_READ_TOKEN', badRead],
    ] as const) {
      expect(configError({ [variable]: value }).message).not.toContain(value);
    }
  });

  it('never repeats the password of a refused DATABASE_URL', () => {
    const password = registerSecret('db-password-in-a-refused-url');
    for (const url of [`mysql://pv:${password}@db/pvesphere`, `postgres//pv:${password}@db`]) {
      const error = configError({ DATABASE_URL: url });
      expect(error.variable).toBe('DATABASE_URL');
      expect(error.message).not.toContain(password);
    }
  });

  it.each([
    ['PORT', '40\n00'],
    ['HOST', 'pvesphere\nexample'],
    ['PVESPHERE_POLL_INTERVAL', '5s\n5s'],
    ['PVESPHERE_LIST_STRATEGY', 'per-node\nfoo'],
    ['PVESPHERE_SYNC', 'true\r\nfalse'],
    ['LOG_LEVEL', 'info\ndebug'],
  ])(
    'keeps the message on one line, escaping the line break, when %s holds one',
    (variable, value) => {
      const error = configError({ [variable]: value });
      expect(error.variable).toBe(variable);
      expect(error.message).not.toMatch(/[\r\n]/);
      // The value is still shown, with the line break written as an escape.
      expect(error.message).toContain(JSON.stringify(value).slice(1, -1));
    },
    60_000,
  );
});

describe('node src/main.ts with a bad setting', () => {
  // Each spawn loads the whole server (4-5 s of CPU here): two, in parallel; the unit tests above
  // cover every variable.
  const cases: [string, Record<string, string>, RegExp][] = [
    ['PORT', { PORT: 'abc' }, /^pvesphere: invalid configuration: PORT: expected an integer/],
    [
      'HOST',
      { HOST: '0.0.0.0' },
      /^pvesphere: invalid configuration: HOST: '0\.0\.0\.0' is reachable from other machines, so PVESPHERE_ADMIN_TOKEN must be set/,
    ],
  ];

  it.concurrent.each(cases)(
    'exits 1 with one line on stderr naming %s, before touching the database',
    async (_, env, line) => {
      // A data dir that cannot be created: reaching the database would fail differently.
      const result = await runPvesphere({
        env: { ...env, PVESPHERE_DATA_DIR: '/proc/pvesphere-must-not-be-created' },
        name: 'config',
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      const lines = result.stderr.split('\n').filter((text) => text !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(line);
    },
    60_000,
  );
});
