// One `vmChanged` subscriber in a child process of the benchmark
// (`node --import tsx bench/support/subscriber-process.ts`, see remote-vm-subscriber.ts), so
// that the moment an event arrives is read on an event loop of its own: in the benchmark
// process, a simulator rendering a 1,000-guest answer (tens of ms) held events back, and its
// stall was counted as the server's latency. It receives one SubscriberJob over IPC, reports
// `{ ready: true }` once subscribed, then `{ event, at }` per event (`at`: the monotonic clock,
// shared by every process of the machine, in ms) and `{ closed, errors }` when asked to close.
import { monotonicMs } from './monotonic.js';
import { openVmSubscribers, type VmEvent } from './vm-subscribers.js';

/** SubscriberJob is what the benchmark asks the subscriber process to subscribe to. */
export interface SubscriberJob {
  url: string;
  variables: Record<string, unknown>;
}

/** SubscriberMessage is what the subscriber process reports. */
export type SubscriberMessage =
  | { ready: true }
  | { event: VmEvent; at: number }
  | { closed: true; errors: string[] }
  | { failed: string };

function send(message: SubscriberMessage): void {
  process.send?.(message);
}

process.once('message', (job: SubscriberJob) => {
  openVmSubscribers({
    url: job.url,
    count: 1,
    variables: job.variables,
    onEvent: (_index, event) => send({ event, at: monotonicMs() }),
  }).then(
    (subscribers) => {
      send({ ready: true });
      process.once('message', () => {
        void subscribers.close().finally(() => {
          send({ closed: true, errors: subscribers.errors });
          process.disconnect();
        });
      });
    },
    (err: unknown) => {
      send({ failed: String(err instanceof Error ? err.message : err) });
      process.disconnect();
    },
  );
});
