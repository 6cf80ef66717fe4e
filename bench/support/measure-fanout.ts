import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { ProgressTask } from '../scenario.js';
import { type BroadcastReceivers, openBroadcastReceivers } from './broadcast-receivers.js';
import { nextRenameName, pickGuests, renameGuest, renameKey } from './guest-renames.js';
import { type LoopDelay, watchLoopDelay } from './loop-delay.js';
import { PROJECT_ROOT } from './server-process.js';
import type { BenchCluster } from './simulators.js';
import { type Stats, stats } from './stats.js';
import { randomBetween, sleep } from './timing.js';
import { webSocketUrl } from './vm-subscribers.js';

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
  /**
   * What received it: `graphql-ws` — official graphql-ws clients, as the fan-out's subscribers
   * (the comparison's control); `ws` — plain `ws` clients that only parse it.
   */
  receivers: BroadcastReceiverKind;
  rounds: number;
  /** Sent (IPC command to the broadcaster) → received. */
  sendToReceivedMs: Stats;
  /** Received − the first client's receipt of the same broadcast. */
  spreadMs: Stats;
  payloadBytes: number;
}

/** BroadcastReceiverKind is the kind of client a bare broadcast goes to. */
export type BroadcastReceiverKind = 'graphql-ws' | 'ws';

/**
 * WARMUP_ROUNDS broadcasts precede the measured ones, in both measures alike: the first confirms
 * that every subscription is live; in runs with one warm-up the first one or two measured rounds
 * took about twice as long as the later ones on both sides of the comparison (the sender's and
 * the receivers' code still warming up), and with five measured rounds one such round decides
 * the p99 of all receipts.
 */
const WARMUP_ROUNDS = 3;

/**
 * measureFanOut subscribes `subscribers` graphql-ws clients (in a process of their own,
 * broadcast-receivers.ts) to `vmChanged(clusterId)` of one cluster, then renames a guest of that
 * cluster {@link WARMUP_ROUNDS} + `rounds` times, each time waiting until every subscriber got
 * the event.
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
  const receivers = await openBroadcastReceivers({
    kind: 'graphql-ws',
    url: webSocketUrl(options.url),
    count: options.subscribers,
    variables: { clusterId },
  });
  options.progress.tick();
  const pollToReceived: number[] = [];
  const spread: number[] = [];
  const roundSpreadMax: number[] = [];
  let missed = 0;
  let payload = '';
  let errors: string[] = [];
  const loopDelay = watchLoopDelay();
  try {
    const guests = pickGuests(cluster, WARMUP_ROUNDS + rounds);
    for (let round = 0; round < WARMUP_ROUNDS + rounds; round++) {
      await sleep(randomBetween(0, options.pollIntervalMs));
      const guest = guests[round]!;
      const name = nextRenameName(guest);
      await receivers.arm(renameKey({ clusterId, vmid: guest, name }));
      const rename = renameGuest(cluster, clusterId, guest, name);
      const {
        times,
        missed: roundMissed,
        payload: sent,
      } = await receivers.receipts(30_000 + options.pollIntervalMs);
      if (round === 0 && roundMissed > 0) {
        throw new Error('fan-out: the subscribers did not all receive the warm-up event');
      }
      payload ||= sent ?? '';
      if (round < WARMUP_ROUNDS) continue;
      const poll = await cluster.nextPoll(rename.changedAt);
      missed += roundMissed;
      roundSpreadMax.push(addSpread(times, spread));
      for (const at of times) pollToReceived.push(at - poll.sentAt);
      options.progress.tick();
    }
  } finally {
    errors = await receivers.close();
  }
  const benchLoopDelayMs = loopDelay();
  options.progress.done();
  return {
    subscribers: receivers.count,
    rounds,
    pollToReceivedMs: stats(pollToReceived),
    spreadMs: stats(spread),
    roundSpreadMaxMs: roundSpreadMax,
    missed,
    payload,
    subscriptionErrors: errors,
    benchLoopDelayMs,
  };
}

/** addSpread appends each receipt's time after the round's first to `spread`; returns the max. */
function addSpread(times: readonly number[], spread: number[]): number {
  const first = Math.min(...times);
  let max = 0;
  for (const at of times) {
    spread.push(at - first);
    max = Math.max(max, at - first);
  }
  return max;
}

/**
 * measureBareBroadcast starts the bare broadcaster (ws-broadcast-server.ts) in its own process,
 * connects `clients` clients of kind `receivers` to it from a receiver process like the
 * fan-out's, and broadcasts `payload` {@link WARMUP_ROUNDS} + `rounds` times. With `graphql-ws`
 * receivers the clients are the fan-out's own (the official client, subscribed, each broadcast
 * addressed to its subscription), so the two measures differ only in the server; with `ws` they
 * only parse the message, which shows what the graphql-ws client itself adds.
 */
export async function measureBareBroadcast(options: {
  clients: number;
  rounds: number;
  payload: string;
  receivers: BroadcastReceiverKind;
}): Promise<BareBroadcast> {
  const child: ChildProcess = fork(resolve(PROJECT_ROOT, 'bench/support/ws-broadcast-server.ts'), {
    cwd: PROJECT_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let receivers: BroadcastReceivers | undefined;
  try {
    const port = await answerOf(child, (message: { port?: number }) => message.port);
    receivers = await openBroadcastReceivers({
      kind: options.receivers,
      url: `ws://127.0.0.1:${port}`,
      count: options.clients,
      variables: {},
    });
    if (options.receivers === 'graphql-ws') await allSubscribed(child, options.clients);
    const sendToReceived: number[] = [];
    const spread: number[] = [];
    for (let round = 0; round < WARMUP_ROUNDS + options.rounds; round++) {
      await receivers.arm(null);
      const sentAt = performance.now();
      child.send({ payload: options.payload });
      const { times, missed } = await receivers.receipts(30_000);
      if (missed > 0) {
        throw new Error(`bare broadcast: ${missed} clients missed a message`);
      }
      await sleep(50);
      if (round < WARMUP_ROUNDS) continue;
      addSpread(times, spread);
      for (const at of times) sendToReceived.push(at - sentAt);
    }
    return {
      clients: options.clients,
      receivers: options.receivers,
      rounds: options.rounds,
      sendToReceivedMs: stats(sendToReceived),
      spreadMs: stats(spread),
      payloadBytes: Buffer.byteLength(options.payload),
    };
  } finally {
    await receivers?.close();
    // A broadcaster that exited already has said why (its stderr is the benchmark's).
    if (child.exitCode === null && child.signalCode === null) {
      const exit = once(child, 'exit');
      child.send({ stop: true });
      await exit;
    }
  }
}

/**
 * allSubscribed resolves once the bare broadcaster has a subscription from each of `clients`
 * graphql-ws clients: they subscribe right after their connection is acknowledged, which is when
 * the receivers report ready. It fails when the broadcaster exits or 30 s pass.
 */
async function allSubscribed(broadcaster: ChildProcess, clients: number): Promise<void> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const subscribed = answerOf(
      broadcaster,
      (message: { subscriptions?: number }) => message.subscriptions,
    );
    broadcaster.send({ census: true });
    const count = await subscribed;
    if (count >= clients) return;
    if (performance.now() > deadline) {
      throw new Error(`bare broadcast: ${count} of ${clients} graphql-ws clients subscribed`);
    }
    await sleep(20);
  }
}

/**
 * answerOf resolves with what `pick` finds in the next IPC message of `broadcaster` that has it
 * (undefined: not that message), and fails when the broadcaster exits first.
 */
function answerOf<M, T>(
  broadcaster: ChildProcess,
  pick: (message: M) => T | undefined,
): Promise<T> {
  return new Promise<T>((resolveAnswer, reject) => {
    const listen = (message: M) => {
      const picked = pick(message);
      if (picked === undefined) return;
      stop();
      resolveAnswer(picked);
    };
    const exited = (code: number | null, signal: NodeJS.Signals | null) => {
      stop();
      reject(new Error(`bare broadcast: the broadcaster exited (${signal ?? `code ${code}`})`));
    };
    const stop = () => {
      broadcaster.off('message', listen);
      broadcaster.off('exit', exited);
    };
    broadcaster.on('message', listen);
    broadcaster.once('exit', exited);
  });
}
