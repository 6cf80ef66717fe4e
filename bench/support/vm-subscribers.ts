import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { VM_CHANGED } from './operations.js';

/** VmEvent is the part of a `vmChanged` event the benchmark looks at. */
export interface VmEvent {
  type: string;
  sequence: string;
  clusterId: string;
  changedFields: string[];
  vm: { vmid: number; name: string | null; node: string; status: string };
}

/** VmEventListener hears an event received by subscriber `index` at `at` (performance.now()). */
export type VmEventListener = (index: number, event: VmEvent, at: number) => void;

/** VmSubscribers are graphql-ws clients, one WebSocket each, subscribed to `vmChanged`. */
export interface VmSubscribers {
  count: number;
  /** Errors the subscriptions ended with (none while all is well). */
  errors: string[];
  close(): Promise<void>;
}

/** webSocketUrl turns the server's http://…/graphql into ws://…/graphql. */
export function webSocketUrl(graphqlUrl: string): string {
  return graphqlUrl.replace(/^http/, 'ws');
}

/**
 * openVmSubscribers connects `count` graphql-ws clients (official client over `ws`, one socket
 * each, in batches of 100) and subscribes each to `vmChanged(variables)`; every event received is
 * handed to `onEvent` with the time it arrived. Resolves once every client is connected (ack'd)
 * and has sent its subscription; the server starts delivering a moment later, so callers confirm
 * with a first change that every subscriber receives.
 */
export async function openVmSubscribers(options: {
  url: string;
  count: number;
  variables: Record<string, unknown>;
  onEvent: VmEventListener;
}): Promise<VmSubscribers> {
  const clients: Client[] = [];
  const unsubscribes: Array<() => void> = [];
  const errors: string[] = [];
  const url = webSocketUrl(options.url);
  for (let from = 0; from < options.count; from += 100) {
    const batch: Array<Promise<void>> = [];
    for (let index = from; index < Math.min(options.count, from + 100); index++) {
      batch.push(
        new Promise<void>((resolve, reject) => {
          const client = createClient({
            url,
            webSocketImpl: WebSocket,
            lazy: false,
            retryAttempts: 0,
            on: {
              connected: () => resolve(),
              closed: (event) => reject(new Error(`subscriber ${index} closed: ${String(event)}`)),
            },
          });
          clients.push(client);
          unsubscribes.push(
            client.subscribe<{ vmChanged: VmEvent }>(
              { query: VM_CHANGED, variables: options.variables },
              {
                next: (result) => {
                  const at = performance.now();
                  if (result.data) options.onEvent(index, result.data.vmChanged, at);
                  else if (result.errors)
                    errors.push(result.errors.map((e) => e.message).join('; '));
                },
                error: (err) => errors.push(String(err instanceof Error ? err.message : err)),
                complete: () => {},
              },
            ),
          );
        }),
      );
    }
    await Promise.all(batch);
  }
  return {
    count: clients.length,
    errors,
    async close() {
      for (const unsubscribe of unsubscribes) unsubscribe();
      await Promise.all(clients.map((client) => client.dispose()));
    },
  };
}
