import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { toPerformanceTime } from './monotonic.js';
import { PROJECT_ROOT } from './server-process.js';
import type { SubscriberJob, SubscriberMessage } from './subscriber-process.js';
import type { VmEvent } from './vm-subscribers.js';

/** RemoteVmSubscriber is a `vmChanged` subscriber running in a process of its own. */
export interface RemoteVmSubscriber {
  /** close unsubscribes and resolves with the errors the subscription ended with (none if well). */
  close(): Promise<string[]>;
}

/**
 * openRemoteVmSubscriber starts one graphql-ws subscriber to `vmChanged(variables)` in a child
 * process (subscriber-process.ts) and resolves once it has subscribed. `onEvent` hears each event
 * with the time the child received it, as this process's performance.now(): the receipt is timed
 * on an event loop that the benchmark's simulators never hold up.
 */
export async function openRemoteVmSubscriber(options: {
  url: string;
  variables: Record<string, unknown>;
  onEvent: (event: VmEvent, at: number) => void;
}): Promise<RemoteVmSubscriber> {
  const child = fork(resolve(PROJECT_ROOT, 'bench/support/subscriber-process.ts'), {
    cwd: PROJECT_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let closed: ((errors: string[]) => void) | undefined;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  await new Promise<void>((resolveReady, reject) => {
    child.on('message', (message: SubscriberMessage) => {
      if ('ready' in message) resolveReady();
      else if ('event' in message) options.onEvent(message.event, toPerformanceTime(message.at));
      else if ('closed' in message) closed?.(message.errors);
      else reject(new Error(`the subscriber process failed: ${message.failed}`));
    });
    child.once('exit', (code) => reject(new Error(`the subscriber process exited (${code})`)));
    const job: SubscriberJob = { url: options.url, variables: options.variables };
    child.send(job);
  });
  return {
    async close() {
      const errors = new Promise<string[]>((resolveClose) => {
        closed = resolveClose;
      });
      child.send({ close: true });
      const result = await Promise.race([errors, exited.then(() => ['subscriber exited'])]);
      await exited;
      return result;
    },
  };
}
