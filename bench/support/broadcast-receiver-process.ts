// The receiving side of the fan-out measure, in a child process of the benchmark
// (`node --import tsx bench/support/broadcast-receiver-process.ts`, see broadcast-receivers.ts):
// many WebSocket clients whose receipts are timed on an event loop of their own. In the
// benchmark's process, ten simulators render 1,000-guest answers (tens of ms each) while a
// broadcast arrives, and a stall of theirs would be counted as the broadcaster's.
//
// It receives one ReceiverJob over IPC: `graphql-ws` opens `count` graphql-ws clients subscribed
// to `vmChanged(variables)` at `url`; `ws` opens `count` plain `ws` clients to `url` that parse
// what they receive as JSON. Then, per round: `{ arm }` (the event key to wait for, or null for
// any message) → `{ armed }`; once every client received it → `{ receipts }`, or at once on
// `{ collect }` (the round timed out: what arrived so far). Receipt times are the monotonic clock
// (monotonic.ts), read once a client has parsed the message.
import WebSocket from 'ws';
import { eventKey } from './guest-renames.js';
import { monotonicMs } from './monotonic.js';
import { openVmSubscribers, type VmEvent } from './vm-subscribers.js';

/** ReceiverJob is what the benchmark asks the receiver process to connect. */
export interface ReceiverJob {
  kind: 'graphql-ws' | 'ws';
  url: string;
  count: number;
  /** Variables of the `vmChanged` subscription (graphql-ws only). */
  variables?: Record<string, unknown>;
}

/** ReceiverCommand is what the benchmark sends once the receivers are ready. */
export type ReceiverCommand =
  | { arm: string | null; round: number }
  | { collect: number }
  | { close: true };

/** ReceiverMessage is what the receiver process reports. */
export type ReceiverMessage =
  | { ready: true; count: number }
  | { armed: number }
  /**
   * The round's receipt per client (monotonic ms; null: not received), and — for graphql-ws —
   * the `next` message the first receiver got, as a bare broadcast would send it.
   */
  | { round: number; receipts: Array<number | null>; payload?: string }
  | { closed: true; errors: string[] }
  | { failed: string };

function send(message: ReceiverMessage): void {
  process.send?.(message);
}

/** Receipts is one round's bookkeeping: which client received the awaited message, and when. */
class Receipts {
  round = -1;
  expected: string | null = null;
  armed = false;
  times: Array<number | null> = [];
  received = 0;
  payload: string | undefined;

  constructor(readonly count: number) {}

  arm(round: number, expected: string | null): void {
    this.round = round;
    this.expected = expected;
    this.armed = true;
    this.times = new Array<number | null>(this.count).fill(null);
    this.received = 0;
    this.payload = undefined;
  }

  /**
   * record notes client `index`'s receipt at `at` of a message identified by `key` (null: plain
   * messages): false when it is not the one awaited or the client already has one.
   */
  record(index: number, at: number, key: string | null): boolean {
    if (!this.armed || this.times[index] !== null) return false;
    if (this.expected !== null && key !== this.expected) return false;
    this.times[index] = at;
    this.received++;
    return true;
  }

  get complete(): boolean {
    return this.received === this.count;
  }

  report(): void {
    if (!this.armed) return;
    this.armed = false;
    send({
      round: this.round,
      receipts: this.times,
      ...(this.payload === undefined ? {} : { payload: this.payload }),
    });
  }
}

/** Clients are the open connections of either kind. */
interface Clients {
  errors: string[];
  close(): Promise<void>;
}

async function openGraphqlWs(job: ReceiverJob, receipts: Receipts): Promise<Clients> {
  return openVmSubscribers({
    url: job.url,
    count: job.count,
    variables: job.variables ?? {},
    onEvent: (index, event: VmEvent, at) => {
      const monotonic = at + (monotonicMs() - performance.now());
      if (!receipts.record(index, monotonic, eventKey(event))) return;
      receipts.payload ??= nextMessage(event);
      if (receipts.complete) receipts.report();
    },
  });
}

/** nextMessage is the graphql-ws `next` message that carried `event` (one subscription, id 1). */
function nextMessage(event: VmEvent): string {
  return JSON.stringify({ id: '1', type: 'next', payload: { data: { vmChanged: event } } });
}

async function openPlainWs(job: ReceiverJob, receipts: Receipts): Promise<Clients> {
  const sockets: WebSocket[] = [];
  const errors: string[] = [];
  for (let from = 0; from < job.count; from += 100) {
    const batch: Array<Promise<void>> = [];
    for (let index = from; index < Math.min(job.count, from + 100); index++) {
      const socket = new WebSocket(job.url);
      socket.on('message', (data) => {
        // Parsed first, as the graphql-ws client parses a message before handing it out.
        JSON.parse(String(data));
        const at = monotonicMs();
        if (receipts.record(index, at, null) && receipts.complete) receipts.report();
      });
      sockets.push(socket);
      batch.push(
        new Promise((resolve, reject) => {
          socket.once('open', () => resolve());
          socket.on('error', (err) => {
            errors.push(err.message);
            reject(err);
          });
        }),
      );
    }
    await Promise.all(batch);
  }
  return {
    errors,
    async close() {
      for (const socket of sockets) socket.terminate();
    },
  };
}

process.once('message', (job: ReceiverJob) => {
  const receipts = new Receipts(job.count);
  const opening =
    job.kind === 'graphql-ws' ? openGraphqlWs(job, receipts) : openPlainWs(job, receipts);
  opening.then(
    (clients) => {
      send({ ready: true, count: job.count });
      process.on('message', (command: ReceiverCommand) => {
        if ('arm' in command) {
          receipts.arm(command.round, command.arm);
          send({ armed: command.round });
        } else if ('collect' in command) {
          if (receipts.round === command.collect) receipts.report();
        } else {
          void clients.close().finally(() => {
            send({ closed: true, errors: clients.errors });
            process.disconnect();
          });
        }
      });
    },
    (err: unknown) => {
      send({ failed: String(err instanceof Error ? err.message : err) });
      process.disconnect();
    },
  );
});
