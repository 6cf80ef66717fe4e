import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { GraphQLContext } from './graphql/context.js';
import { type DirectAnswer, DirectQueries } from './graphql/direct-query.js';
import type { CachedResponse, ResponseCache } from './graphql/response-cache.js';
import { GRAPHQL_PATH, type ServerContext } from './graphql/yoga.js';
import { coerceError } from './lib/coerce-error.js';
import type { Logger } from './lib/logger.js';
import type { Metrics } from './metrics.js';

/** ReadinessReport is the body of `/readyz`: ready when every check passes. */
export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/** HttpServerOptions are the inputs of {@link createHttpServer}. */
export interface HttpServerOptions {
  host: string;
  port: number;
  yoga: YogaServerInstance<ServerContext, GraphQLContext>;
  metrics: Metrics;
  readiness: () => Promise<ReadinessReport>;
  logger: Logger;
  /** graphql-ws keep-alive: ping every socket this often, drop it when no pong came back. @default 12000 */
  wsKeepAliveMs?: number;
  /** Answers repeated queries posted as JSON from memory (see ResponseCache). @default none */
  responseCache?: ResponseCache;
}

/** HttpServer is the one node:http server: GraphQL (HTTP, SSE, graphql-ws) and the probes. */
export interface HttpServer {
  /** start listens; resolves with the URL GraphQL is served at. */
  start(): Promise<{ url: string; port: number }>;
  /**
   * stop stops accepting, closes WebSockets and SSE streams, lets in-flight requests finish for
   * up to `timeoutMs`, then cuts what is left.
   */
  stop(timeoutMs: number): Promise<void>;
}

/**
 * createHttpServer serves, on one port: `/graphql` (yoga: GraphiQL, HTTP, SSE; graphql-ws on
 * the same path through `yoga.getEnveloped`), `/healthz` (the process is up), `/readyz` (it can
 * serve: database, synced informers) and `/metrics` (Prometheus). The probes need no token.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const log = options.logger.child({ component: 'http' });
  const direct = new DirectQueries(options.yoga);
  const inFlight = new Set<ServerResponse>();
  const streams = new Set<ServerResponse>();
  let stopping = false;

  const server = createServer((req, res) => {
    inFlight.add(res);
    // SSE responses stream until the client leaves: shutdown ends them instead of waiting.
    if (req.headers.accept?.includes('text/event-stream')) streams.add(res);
    res.on('close', () => {
      inFlight.delete(res);
      streams.delete(res);
    });
    if (stopping) res.setHeader('connection', 'close');
    route(req, res).catch((err) => {
      log.error({ err: coerceError(err), url: req.url }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return send(res, 200, 'application/json', '{"status":"ok"}\n');
    if (path === '/readyz') {
      const report = await options.readiness().catch(
        (err): ReadinessReport => ({
          ready: false,
          checks: { readiness: { ok: false, detail: coerceError(err).message } },
        }),
      );
      return send(res, report.ready ? 200 : 503, 'application/json', `${JSON.stringify(report)}\n`);
    }
    if (path === '/metrics') {
      const body = await options.metrics.registry.metrics();
      return send(res, 200, options.metrics.registry.contentType, body);
    }
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(302, { location: GRAPHQL_PATH });
      res.end();
      return;
    }
    if (path === GRAPHQL_PATH && isJsonPost(req)) return answerJsonPost(req, res);
    await options.yoga.handle(req, res);
  }

  /** Cache keys being answered now, settled once the answer is stored (or refused). */
  const answering = new Map<string, Promise<void>>();
  /** Background refreshes of cached answers running now (shutdown lets them finish). */
  const refreshes = new Set<Promise<unknown>>();

  /**
   * answerJsonPost answers a GraphQL request posted as JSON: from the response cache when it
   * holds the answer, else by running it — directly (DirectQueries) or, for whatever that leaves
   * to yoga, through yoga — and keeps the answer in the cache when it may be cached. The cache
   * key is the whole request body plus the headers that can change the answer. A request whose
   * key is being answered already waits for that answer and looks in the cache again (so when
   * an entry expires under load, one request recomputes it, not every one that asks meanwhile);
   * it runs itself when that answer was not kept. A request served an answer past its refresh
   * point (ResponseCache.claimRefresh) then runs the query again in the background.
   */
  async function answerJsonPost(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const cache = options.responseCache;
    if (!cache) return reply(res, await answer(req, body));
    const key = `${req.headers.authorization ?? ''}\n${req.headers.accept ?? ''}\n${body}`;
    let hit = cache.get(key);
    const running = hit ? undefined : answering.get(key);
    if (running) {
      await running;
      hit = cache.get(key);
    }
    if (!hit) return reply(res, await answerAndStore(cache, key, req, body, 'miss'));
    options.metrics.responseCache.inc({ outcome: 'hit' });
    reply(res, hit);
    if (!stopping && !answering.has(key) && cache.claimRefresh(key)) {
      const refresh = answerAndStore(cache, key, req, body, 'refreshed').then(
        () => undefined,
        (err) => log.warn({ err: coerceError(err) }, 'refreshing a cached answer failed'),
      );
      refreshes.add(refresh);
      void refresh.finally(() => refreshes.delete(refresh));
    }
  }

  /**
   * answerAndStore runs a JSON post and offers its answer to the cache, counted as `outcome`
   * when kept (else as `uncacheable`, or `refresh_discarded` for a refresh); while it runs,
   * requests for the same key wait for it (see answerJsonPost).
   */
  async function answerAndStore(
    cache: ResponseCache,
    key: string,
    req: IncomingMessage,
    body: string,
    outcome: 'miss' | 'refreshed',
  ): Promise<DirectAnswer> {
    let settle: (() => void) | undefined;
    if (!answering.has(key)) {
      answering.set(
        key,
        new Promise<void>((resolve) => {
          settle = resolve;
        }),
      );
    }
    try {
      const answered = await answer(req, body);
      const stored = cache.store(key, answered.request, answered);
      const refused = outcome === 'refreshed' ? 'refresh_discarded' : 'uncacheable';
      options.metrics.responseCache.inc({ outcome: stored ? outcome : refused });
      return answered;
    } finally {
      if (settle) {
        answering.delete(key);
        settle();
      }
    }
  }

  /** answer runs a JSON post whose body was read already: directly, or through yoga. */
  async function answer(req: IncomingMessage, body: string): Promise<DirectAnswer> {
    return (
      (await direct.answer(req.headers, req.url ?? GRAPHQL_PATH, body)) ??
      (await answerThroughYoga(req, body))
    );
  }

  /** answerThroughYoga runs a JSON post whose body was read already through yoga. */
  async function answerThroughYoga(req: IncomingMessage, body: string): Promise<DirectAnswer> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
      else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    }
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
      method: 'POST',
      headers,
      body,
    });
    const response = await options.yoga.fetch(request, {});
    return {
      status: response.status,
      headers: [...response.headers] as [string, string][],
      body: Buffer.from(await response.arrayBuffer()),
      request,
    };
  }

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== GRAPHQL_PATH || stopping) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const wsServer = useServer<Record<string, unknown>>(
    {
      execute: (args) => (args.rootValue as Enveloped).execute(args),
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
        const enveloped = options.yoga.getEnveloped({
          connectionParams: ctx.connectionParams,
          request: undefined,
          params,
        } as never);
        const document = enveloped.parse(params.query);
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          operationName: params.operationName ?? null,
          document,
          variableValues: params.variables ?? null,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        return args;
      },
    },
    wss,
    options.wsKeepAliveMs ?? 12_000,
  );

  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  return {
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          const { port } = server.address() as AddressInfo;
          const host = options.host.includes(':') ? `[${options.host}]` : options.host;
          const url = `http://${host}:${port}${GRAPHQL_PATH}`;
          log.info({ url, host: options.host, port }, 'pvesphere is serving GraphQL');
          resolve({ url, port });
        });
      }),
    async stop(timeoutMs) {
      if (stopping) return;
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      await wsServer.dispose();
      for (const stream of streams) stream.end();
      server.closeIdleConnections();
      const deadline = Date.now() + timeoutMs;
      while ((inFlight.size > 0 || refreshes.size > 0) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        server.closeIdleConnections();
      }
      if (inFlight.size > 0) {
        log.warn({ requests: inFlight.size }, 'cutting requests still running at shutdown');
      }
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
      log.info('http server stopped');
    },
  };
}

/** The envelop execute/subscribe pair graphql-ws runs an operation with. */
interface Enveloped {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
}

type OperationResult = Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>>;

/** MAX_DIRECT_BODY is the largest request body read here (a cache key, a direct query). */
const MAX_DIRECT_BODY = 64 * 1024;

/** A JSON POST (not a stream) whose body is small enough to be read here. */
function isJsonPost(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return false;
  if ((req.headers.accept ?? '').includes('text/event-stream')) return false;
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length <= MAX_DIRECT_BODY;
}

/**
 * readBody reads a request body as UTF-8 text. With events, not `for await`: the async iterator
 * costs a promise and a microtask per chunk, measurable on a server answering thousands of small
 * posts a second from its cache.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () =>
      resolve(
        chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
      ),
    );
    req.once('error', reject);
    // A client that leaves mid-body: the request is aborted, nothing to answer.
    req.once('close', () => {
      if (!req.complete) reject(new Error('the client closed the request before its body ended'));
    });
  });
}

function reply(res: ServerResponse, answer: CachedResponse): void {
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
