import { Worker } from 'node:worker_threads';
import type { Logger } from '../../lib/logger.js';
import { PveBadResponseError } from '../errors.js';
import {
  type AnswerDecoder,
  type AnswerDecoderName,
  type DecodedAnswer,
  inlineDecoder,
} from './answer-decoders.js';
import type { DecodeReply, DecodeRequest } from './decode-protocol.js';

/** OffThreadDecoderOptions configure an {@link OffThreadDecoder}. */
export interface OffThreadDecoderOptions {
  logger: Logger;
  /**
   * Answers shorter than this (UTF-16 code units) are decoded inline: below it, the round trip
   * to the worker costs more than it saves. @default 32_768
   */
  minLength?: number;
  /** Worker failures after which decoding stays inline for good. @default 3 */
  maxFailures?: number;
}

interface Pending {
  name: AnswerDecoderName;
  text: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * OffThreadDecoder decodes large PVE answers (parse and normalise a 1,000-guest
 * `/cluster/resources`: several milliseconds plus the garbage it leaves) on one worker thread
 * shared by every cluster of the process, so that polls do not stall GraphQL queries and event
 * delivery on the event loop. The event loop only copies the body to the worker and receives the
 * normalised result.
 *
 * Results and errors are those of the inline path: a malformed answer rejects with
 * `PveBadResponseError` naming the field. Nothing is lost when the worker fails: requests it held
 * are decoded inline, the worker is started again on the next call, and after `maxFailures`
 * failures decoding stays inline (logged once). The worker does not keep the process alive;
 * close() ends it.
 */
export class OffThreadDecoder implements AnswerDecoder {
  readonly #log: Logger;
  readonly #minLength: number;
  readonly #maxFailures: number;
  readonly #pending = new Map<number, Pending>();
  #worker: Worker | undefined;
  #nextId = 1;
  #failures = 0;
  #closed = false;

  constructor(options: OffThreadDecoderOptions) {
    this.#log = options.logger.child({ component: 'answer-decoder' });
    this.#minLength = options.minLength ?? 32_768;
    this.#maxFailures = options.maxFailures ?? 3;
  }

  /** decode runs ANSWER_DECODERS[name](text) on the worker (inline when small or unavailable). */
  decode<N extends AnswerDecoderName>(name: N, text: string): Promise<DecodedAnswer<N>> {
    const worker = text.length < this.#minLength ? undefined : this.#ensureWorker();
    if (worker === undefined) return inlineDecoder.decode(name, text);
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      this.#pending.set(id, { name, text, resolve: resolve as (value: unknown) => void, reject });
      const request: DecodeRequest = { id, name, text };
      worker.postMessage(request);
    });
  }

  /**
   * warm starts the worker now, so the first large answer does not wait for it to load (a few
   * hundred milliseconds: it compiles the normalisers).
   */
  warm(): void {
    this.#ensureWorker();
  }

  /** pending is the number of answers the worker holds (tests, metrics). */
  get pending(): number {
    return this.#pending.size;
  }

  /** close ends the worker; answers it still held are decoded inline. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    this.#drainInline();
    await worker?.terminate();
  }

  #ensureWorker(): Worker | undefined {
    if (this.#closed || this.#failures >= this.#maxFailures) return undefined;
    if (this.#worker !== undefined) return this.#worker;
    const worker = new Worker(new URL('./decode-worker-entry.mjs', import.meta.url));
    worker.unref();
    worker.on('message', (reply: DecodeReply) => this.#settle(reply));
    worker.on('error', (err) => this.#lost(worker, err));
    worker.on('exit', (code) => this.#lost(worker, new Error(`exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  #settle(reply: DecodeReply): void {
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    if (reply.error === undefined) {
      pending.resolve(reply.result);
    } else if (reply.error.badResponse) {
      pending.reject(new PveBadResponseError(reply.error.message, reply.error.field ?? 'data'));
    } else {
      pending.reject(new Error(reply.error.message));
    }
  }

  /** #lost handles a worker that failed or exited: its answers are decoded inline. */
  #lost(worker: Worker, err: Error): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    this.#failures++;
    const inlineFromNow = this.#failures >= this.#maxFailures;
    this.#log.warn(
      { err, failures: this.#failures, pending: this.#pending.size },
      inlineFromNow
        ? 'the answer-decoding worker failed again; decoding PVE answers on the event loop from now on'
        : 'the answer-decoding worker failed; its answers are decoded on the event loop and it restarts on the next answer',
    );
    this.#drainInline();
  }

  #drainInline(): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const { name, text, resolve, reject } of pending) {
      inlineDecoder.decode(name, text).then(resolve, reject);
    }
  }
}
