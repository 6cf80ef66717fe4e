import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import type {
  ReceiverCommand,
  ReceiverJob,
  ReceiverMessage,
} from './broadcast-receiver-process.js';
import { toPerformanceTime } from './monotonic.js';
import { PROJECT_ROOT } from './server-process.js';

/** RoundReceipts is what one round of a broadcast reached. */
export interface RoundReceipts {
  /** When each client that got the message received it (this process's performance.now()). */
  times: number[];
  /** Clients that did not get it before the round timed out. */
  missed: number;
  /** The graphql-ws `next` message of the first receipt (graphql-ws receivers only). */
  payload: string | undefined;
}

/** BroadcastReceivers are many WebSocket clients in a process of their own (see the process). */
export interface BroadcastReceivers {
  count: number;
  /**
   * arm starts a round: from when it resolves, the receivers wait for the message identified by
   * `key` (a vmChanged event key, guest-renames.ts; null: the next message of a plain client).
   */
  arm(key: string | null): Promise<void>;
  /**
   * receipts resolves once every receiver got the armed round's message, or after `timeoutMs`
   * with what arrived by then.
   */
  receipts(timeoutMs: number): Promise<RoundReceipts>;
  /** close disconnects every client; resolves with the errors their subscriptions ended with. */
  close(): Promise<string[]>;
}

/**
 * openBroadcastReceivers starts broadcast-receiver-process.ts with `job` and resolves once every
 * client is connected (graphql-ws: acknowledged and subscribed; the server starts delivering a
 * moment later, so callers confirm with a first broadcast that every receiver gets).
 */
export async function openBroadcastReceivers(job: ReceiverJob): Promise<BroadcastReceivers> {
  const child = fork(resolve(PROJECT_ROOT, 'bench/support/broadcast-receiver-process.ts'), {
    cwd: PROJECT_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const command = (message: ReceiverCommand) => child.send(message);
  let exited = false;
  const exit = new Promise<void>((resolveExit) =>
    child.once('exit', () => {
      exited = true;
      resolveExit();
    }),
  );
  let round = 0;
  // Messages not yet taken by a next(), in order, and the next() waiting for one.
  const inbox: ReceiverMessage[] = [];
  let waiting: (() => void) | undefined;
  child.on('message', (message: ReceiverMessage) => {
    inbox.push(message);
    waiting?.();
  });
  /** next resolves with the first message, received or to come, that `pick` accepts. */
  const next = <T>(pick: (message: ReceiverMessage) => T | undefined): Promise<T> =>
    new Promise<T>((resolveNext, reject) => {
      const look = () => {
        for (let i = 0; i < inbox.length; i++) {
          const message = inbox[i]!;
          if ('failed' in message) {
            waiting = undefined;
            return reject(new Error(`broadcast receivers: ${message.failed}`));
          }
          const picked = pick(message);
          if (picked === undefined) continue;
          inbox.splice(i, 1);
          waiting = undefined;
          return resolveNext(picked);
        }
        if (exited) reject(new Error('the broadcast receiver process exited'));
      };
      waiting = look;
      void exit.then(() => waiting === look && look());
      look();
    });

  const ready = next((message) => ('ready' in message ? message.count : undefined));
  child.send(job);
  const count = await ready;
  return {
    count,
    async arm(key) {
      round++;
      const armed = next((message) => ('armed' in message && message.armed === round) || undefined);
      command({ arm: key, round });
      await armed;
    },
    async receipts(timeoutMs) {
      const current = round;
      const done = next((message) =>
        'receipts' in message && message.round === current ? message : undefined,
      );
      const timer = setTimeout(() => command({ collect: current }), timeoutMs);
      try {
        const message = await done;
        const times = message.receipts.flatMap((at) =>
          at === null ? [] : [toPerformanceTime(at)],
        );
        return { times, missed: message.receipts.length - times.length, payload: message.payload };
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      const closed = next((message) => ('closed' in message ? message.errors : undefined)).catch(
        () => ['the broadcast receiver process exited before it closed its clients'],
      );
      command({ close: true });
      const errors = await closed;
      await exit;
      return errors;
    },
  };
}
