import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import WebSocket from 'ws';
import type { ProgressTask } from '../scenario.js';
import { eventKey, pickGuests, renameGuest, renameKey } from './guest-renames.js';
import { type LoopDelay, watchLoopDelay } from './loop-delay.js';
import { PROJECT_ROOT } from './server-process.js';
import type { BenchCluster } from './simulators.js';
import { type Stats, stats } from './stats.js';
import { randomBetween, sleep } from './timing.js';
import { openVmSubscribers, type VmEvent } from './vm-subscribers.js';

/** FanOut is how fast one change reaches many subscribers. */
export interface FanOut {
  subscribers: number;
  rounds: number;
  /** The poll that carried the change answered → received, every subscriber of every round. */
  pollToReceivedMs: Stats;
  /** Received − the first subscriber's receipt of the same event (the broadcast itself). */
  spreadMs: Stats;
  /**
   * The longest spread of each measured round, in order: one slow round decides the p99 of all
   * rounds' receipts, and this shows whether one did.
   */
  roundSpreadMaxMs: number[];
  /** Subscribers that missed an event (should be 0). */
  missed: number;
  /** The `next` message one subscriber received (the payload the bare broadcast sends). */
  payload: string;
  subscriptionErrors: string[];
  /** The benchmark process's own event-loop delay meanwhile (bounds its timing error). */
  benchLoopDelayMs: LoopDelay;
}

/** BareBroadcast is the same payload broadcast by a bare `ws` server to as many clients. */
export interface BareBroadcast {
  clients: number;
  rounds: number;
  /** Sent (IPC command to the broadcaster) → received. */
  sendToReceivedMs: Stats;
  /** Received − the first client's receipt of the same broadcast. */
  spreadMs: Stats;
  payloadBytes: number;
}

/**
 * measureFanOut subscribes `subscribers` graphql-ws clients to `vmChanged(clusterId)` of one
 * cluster, then renames a guest of that cluster `rounds` times (after a warm-up round that
 * confirms every subscription is live), each time waiting until every subscriber got the event.
 */
export async function measureFanOut(options: {
  url: string;
  cluster: BenchCluster;
  clusterId: string;
  subscribers: number;
  rounds: number;
  pollIntervalMs: number;
  progress: ProgressTask;
}): Promise<FanOut> {
  const { cluster, clusterId, rounds } = options;
  let expected = '';
  let receipts: number[] = [];
  let received = 0;
  let payload = '';
  let allReceived: (() => void) | undefined;
  const subscribers = await openVmSubscribers({
    url: options.url,
    count: options.subscribers,
    variables: { clusterId },
    onEvent: (index, event: VmEvent, at) => {
      if (eventKey(event) !== expected || receipts[index] !== undefined) return;
      receipts[index] = at;
      if (payload === '') {
        payload = JSON.stringify({
          id: '1',
          type: 'next',
          payload: { data: { vmChanged: event } },
        });
      }
      if (++received === options.subscribers) allReceived?.();
    },
  });
  options.progress.tick();
  const pollToReceived: number[] = [];
  const spread: number[] = [];
  const roundSpreadMax: number[] = [];
  let missed = 0;
  const loopDelay = watchLoopDelay();
  try {
    const guests = pickGuests(cluster, rounds + 1);
    for (let round = 0; round <= rounds; round++) {
      await sleep(randomBetween(0, options.pollIntervalMs));
      receipts = new Array<number>(options.subscribers);
      received = 0;
      const done = new Promise<void>((resolvePromise) => {
        allReceived = resolvePromise;
      });
      const rename = renameGuest(cluster, clusterId, guests[round]!);
      expected = renameKey(rename);
      const timeout = sleep(30_000 + options.pollIntervalMs).then(() => 'timeout' as const);
      const outcome = await Promise.race([done.then(() => 'done' as const), timeout]);
      if (round === 0 && outcome === 'timeout') {
        throw new Error('fan-out: the subscribers did not all receive the warm-up event');
      }
      if (round === 0) continue;
      const poll = await cluster.nextPoll(rename.changedAt);
      const got = receipts.filter((r): r is number => r !== undefined);
      missed += options.subscribers - got.length;
      const first = Math.min(...got);
      let roundMax = 0;
      for (const at of got) {
        pollToReceived.push(at - poll.sentAt);
        spread.push(at - first);
        roundMax = Math.max(roundMax, at - first);
      }
      roundSpreadMax.push(roundMax);
      options.progress.tick();
    }
  } finally {
    await subscribers.close();
  }
  const benchLoopDelayMs = loopDelay();
  options.progress.done();
  return {
    subscribers: subscribers.count,
    rounds,
    pollToReceivedMs: stats(pollToReceived),
    spreadMs: stats(spread),
    roundSpreadMaxMs: roundSpreadMax,
    missed,
    payload,
    subscriptionErrors: subscribers.errors,
    benchLoopDelayMs,
  };
}

/**
 * measureBareBroadcast starts the bare broadcaster (ws-broadcast-server.ts) in its own process,
 * connects `clients` plain `ws` clients from this one (each parses what it receives, like a
 * graphql-ws client), and broadcasts `payload` `rounds` times (after one warm-up).
 */
export async function measureBareBroadcast(options: {
  clients: number;
  rounds: number;
  payload: string;
}): Promise<BareBroadcast> {
  const child: ChildProcess = fork(resolve(PROJECT_ROOT, 'bench/support/ws-broadcast-server.ts'), {
    cwd: PROJECT_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const sockets: WebSocket[] = [];
  try {
    const [{ port }] = (await once(child, 'message')) as [{ port: number }];
    let receipts: number[] = [];
    let received = 0;
    let allReceived: (() => void) | undefined;
    for (let from = 0; from < options.clients; from += 100) {
      const batch: Array<Promise<unknown>> = [];
      for (let index = from; index < Math.min(options.clients, from + 100); index++) {
        const socket = new WebSocket(`ws://127.0.0.1:${port}`);
        socket.on('message', (data) => {
          const at = performance.now();
          JSON.parse(String(data));
          receipts[index] = at;
          if (++received === options.clients) allReceived?.();
        });
        sockets.push(socket);
        batch.push(once(socket, 'open'));
      }
      await Promise.all(batch);
    }
    const sendToReceived: number[] = [];
    const spread: number[] = [];
    for (let round = 0; round <= options.rounds; round++) {
      receipts = new Array<number>(options.clients);
      received = 0;
      const done = new Promise<void>((resolvePromise) => {
        allReceived = resolvePromise;
      });
      const sentAt = performance.now();
      child.send({ payload: options.payload });
      await done;
      await sleep(50);
      if (round === 0) continue;
      const first = Math.min(...receipts);
      for (const at of receipts) {
        sendToReceived.push(at - sentAt);
        spread.push(at - first);
      }
    }
    return {
      clients: options.clients,
      rounds: options.rounds,
      sendToReceivedMs: stats(sendToReceived),
      spreadMs: stats(spread),
      payloadBytes: Buffer.byteLength(options.payload),
    };
  } finally {
    for (const socket of sockets) socket.terminate();
    child.send({ stop: true });
    await once(child, 'exit');
  }
}
