// A bare WebSocket broadcaster, the reference for pvesphere's subscription fan-out: run as a
// child process of the benchmark (`node --import tsx bench/support/ws-broadcast-server.ts`), it
// accepts WebSocket connections on a free loopback port, reports `{ port }` over the IPC channel,
// and on `{ payload }` (a graphql-ws `next` message) sends it to every connected client, then
// answers `{ sent }`. `{ census: true }` answers `{ subscriptions }` (graphql-ws clients
// subscribed so far); `{ stop: true }` closes it.
//
// Clients that ask for the graphql-transport-ws subprotocol (the official graphql-ws client, as
// the fan-out's subscribers are) get the least a server of that protocol must do: their
// connection_init is acknowledged, pings are answered, and each broadcast is addressed to the
// subscription they opened (its id in the message; the subscription's query is not looked at).
// Plain clients get the payload as it is.
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** GRAPHQL_WS is the subprotocol graphql-ws clients ask for. */
const GRAPHQL_WS = 'graphql-transport-ws';

/**
 * The `next` message's start for each graphql-ws client's subscription, its id filled in:
 * `{"id":"…","type":"next","payload":`. Clients without one (plain, or not yet subscribed) are
 * absent.
 */
const subscriptions = new Map<WebSocket, string>();

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
server.on('listening', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
server.on('connection', (client) => {
  if (client.protocol !== GRAPHQL_WS) return;
  client.on('message', (data) => {
    let message: ProtocolMessage;
    try {
      message = JSON.parse(String(data)) as ProtocolMessage;
    } catch {
      // What a graphql-ws server does with a message it cannot read.
      client.close(4400, 'Invalid message received');
      return;
    }
    answer(client, message);
  });
  client.on('close', () => subscriptions.delete(client));
});

interface ProtocolMessage {
  type: string;
  id?: string;
}

/** answer is the graphql-transport-ws protocol, as far as a broadcaster needs it. */
function answer(client: WebSocket, message: ProtocolMessage): void {
  switch (message.type) {
    case 'connection_init':
      client.send('{"type":"connection_ack"}');
      break;
    case 'ping':
      client.send('{"type":"pong"}');
      break;
    case 'subscribe':
      subscriptions.set(client, `{"id":${JSON.stringify(message.id)},"type":"next","payload":`);
      break;
    case 'complete':
      subscriptions.delete(client);
      break;
  }
}

process.on('message', (message: { payload?: string; census?: boolean; stop?: boolean }) => {
  if (message.census) {
    process.send?.({ subscriptions: subscriptions.size });
    return;
  }
  if (message.stop) {
    for (const client of server.clients) client.terminate();
    server.close(() => process.exit(0));
    return;
  }
  if (message.payload === undefined) return;
  // The result the `next` message carries, serialised once for every subscription.
  const result = JSON.stringify((JSON.parse(message.payload) as { payload: unknown }).payload);
  let sent = 0;
  for (const client of server.clients) {
    const start = subscriptions.get(client);
    client.send(start === undefined ? message.payload : `${start}${result}}`);
    sent++;
  }
  process.send?.({ sent });
});
