import type { ProgressTask } from '../scenario.js';
import {
  detailCallsAfter,
  eventKey,
  pickGuests,
  type Rename,
  renameGuest,
  renameKey,
} from './guest-renames.js';
import { type LoopDelay, watchLoopDelay } from './loop-delay.js';
import { openRemoteVmSubscriber } from './remote-vm-subscriber.js';
import type { BenchCluster } from './simulators.js';
import { type Stats, stats } from './stats.js';
import { randomBetween, sleep } from './timing.js';

/** ChangeLatency is how fast a change in PVE reaches a graphql-ws subscriber. */
export interface ChangeLatency {
  samples: number;
  /** The poll that carried the change answered → the event received. */
  pollToEventMs: Stats;
  /** The change made in the simulator → the event received (includes waiting for the poll). */
  endToEndMs: Stats;
  /** Detail calls (config, agent) per renamed guest within 10 s of its change. */
  detailCallsPerChange: number;
  changes: number;
  subscriptionErrors: string[];
  /**
   * The benchmark process's own event-loop delay meanwhile: it can make a poll's answer time
   * late (the receipt is timed in the subscriber's own process).
   */
  benchLoopDelayMs: LoopDelay;
}

/** How long after a change its detail calls are attributed to it. */
const DETAIL_WINDOW_MS = 10_000;

/**
 * measureChangeLatency renames guests in every cluster — each cluster's loop waits a random
 * part of the poll interval, renames one guest, waits for its event — `rounds` times (plus one
 * warm-up round), with one graphql-ws subscriber to `vmChanged` of every cluster, in a process of
 * its own. Each change gives: poll answer → event received, change → event received, and the
 * detail calls it caused.
 */
export async function measureChangeLatency(options: {
  url: string;
  clusters: readonly BenchCluster[];
  clusterIds: readonly string[];
  rounds: number;
  pollIntervalMs: number;
  progress: ProgressTask;
}): Promise<ChangeLatency> {
  const { clusters, clusterIds, rounds, pollIntervalMs } = options;
  const waiting = new Map<string, (at: number) => void>();
  // The subscriber runs in a process of its own: its receipt times are not held up by the
  // simulators in this process (see subscriber-process.ts).
  const subscriber = await openRemoteVmSubscriber({
    url: options.url,
    variables: {},
    onEvent: (event, at) => {
      const key = eventKey(event);
      waiting.get(key)?.(at);
      waiting.delete(key);
    },
  });
  const pollToEvent: number[] = [];
  const endToEnd: number[] = [];
  const renames: Rename[] = [];
  const loopDelay = watchLoopDelay();
  let subscriptionErrors: string[] = [];
  try {
    await Promise.all(
      clusters.map(async (cluster, i) => {
        const guests = pickGuests(cluster, rounds + 1);
        for (let round = 0; round <= rounds; round++) {
          await sleep(randomBetween(0, pollIntervalMs));
          const rename = renameGuest(cluster, clusterIds[i]!, guests[round]!);
          renames.push(rename);
          const receivedAt = await new Promise<number>((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error(`no vmChanged event for a rename in ${cluster.name}`)),
              30_000 + pollIntervalMs,
            );
            waiting.set(renameKey(rename), (at) => {
              clearTimeout(timer);
              resolve(at);
            });
          });
          const poll = await cluster.nextPoll(rename.changedAt);
          if (round === 0) continue; // warm-up: the subscription is live from here on
          pollToEvent.push(receivedAt - poll.sentAt);
          endToEnd.push(receivedAt - rename.changedAt);
          options.progress.tick();
        }
      }),
    );
  } finally {
    subscriptionErrors = await subscriber.close();
  }
  const benchLoopDelayMs = loopDelay();
  await sleep(Math.min(DETAIL_WINDOW_MS, 3_000));
  const detailCalls = renames.reduce(
    (sum, r) => sum + detailCallsAfter(r.cluster, r.vmid, r.changedAt, DETAIL_WINDOW_MS),
    0,
  );
  options.progress.done();
  return {
    samples: pollToEvent.length,
    pollToEventMs: stats(pollToEvent),
    endToEndMs: stats(endToEnd),
    detailCallsPerChange: detailCalls / renames.length,
    changes: renames.length,
    subscriptionErrors,
    benchLoopDelayMs,
  };
}
