import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RawResponse } from '../../facts/index.js';

/** RecordedRequest is what the replay server saw of one request. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * ReplayServer is a plain-HTTP server on 127.0.0.1 that answers each request with the next
 * queued RawResponse byte for byte (status code, reason phrase, headers, body) — the only way
 * to reproduce PVE's custom reason phrases, which MockAgent cannot set. It records requests.
 */
export class ReplayServer {
  readonly requests: RecordedRequest[] = [];
  readonly #queue: RawResponse[] = [];
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  /** start listens on an ephemeral port. */
  static async start(): Promise<ReplayServer> {
    const server = createServer();
    const replay = new ReplayServer(server);
    server.on('request', (req, res) => {
      replay.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      const raw = replay.#queue.shift();
      if (!raw) {
        res.writeHead(599, 'no queued response').end();
        return;
      }
      res.writeHead(raw.status, raw.statusText, raw.headers ?? {});
      res.end(raw.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return replay;
  }

  /** url is `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** enqueue adds answers for the next requests. */
  enqueue(...responses: RawResponse[]): void {
    this.#queue.push(...responses);
  }

  /** pending is the number of queued answers not served yet. */
  get pending(): number {
    return this.#queue.length;
  }

  /** stop closes the server and its connections. */
  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
