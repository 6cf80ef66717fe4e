import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { coerceError } from '../lib/coerce-error.js';
import type { Logger } from '../lib/logger.js';
import { API_PREFIX, type ApiHandler } from './api-handler.js';
import { emptyFail, fail } from './reply.js';
import { writeReply } from './wire.js';

/** ADMIN_PREFIX is the path of the simulator's own control surface (not part of PVE's API). */
export const ADMIN_PREFIX = '/_sim';

/** AdminHandler serves one call under ADMIN_PREFIX. */
export type AdminHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/** SimulatorServerOptions configures the listening socket and the two handlers. */
export interface SimulatorServerOptions {
  host: string;
  port: number;
  /** TLS certificate and key; plain HTTP when omitted. */
  tls?: { cert: string; key: string };
  api: ApiHandler;
  admin: AdminHandler;
  logger: Logger;
}

/**
 * SimulatorServer is the HTTP(S) listener of one simulated cluster: `/api2/json/…` goes to the
 * API pipeline, `/_sim/…` to the admin surface, anything else gets pveproxy's 501 `no such uri`.
 * It keeps requests held by the `timeout` fault and drops them (and every connection) on close.
 */
export class SimulatorServer {
  private readonly server: Server;
  private readonly held = new Set<ServerResponse>();
  /**
   * Every accepted TCP connection. The HTTP layer's closeAllConnections() knows a TLS connection
   * only once its handshake is done: one still in its handshake (or a client that connected and
   * sent nothing) kept close() waiting — until the next keep-alive request on it, forever.
   */
  private readonly sockets = new Set<Socket>();

  /** SimulatorServer creates (but does not start) the listener. */
  constructor(private readonly options: SimulatorServerOptions) {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      void this.dispatch(req, res);
    };
    this.server = options.tls
      ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
      : createHttpServer(handler);
    this.server.keepAliveTimeout = 5_000;
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** listen starts accepting connections and resolves with the bound port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** hold keeps a request open without answering until the server closes. */
  hold(_req: IncomingMessage, res: ServerResponse): void {
    this.held.add(res);
    res.on('close', () => this.held.delete(res));
  }

  /** close stops listening, drops held requests and open connections. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      // Every connection, held requests' included: closeAllConnections() would miss those still
      // in their TLS handshake.
      this.held.clear();
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://simulator');
      if (url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`)) {
        await this.options.api(req, res, url);
      } else if (url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
        await this.options.admin(req, res, url);
      } else {
        await writeReply(req, res, emptyFail(501, 'no such uri'));
      }
    } catch (err) {
      const error = coerceError(err);
      this.options.logger.error({ err: error, url: req.url }, 'simulator request failed');
      if (!res.headersSent && !res.destroyed) {
        await writeReply(req, res, fail(500, `${error.message}\n`)).catch(() => res.destroy());
      }
    }
  }
}
