// A bare WebSocket broadcaster, the reference for pvesphere's subscription fan-out: run as a
// child process of the benchmark (`node --import tsx bench/support/ws-broadcast-server.ts`), it
// accepts WebSocket connections on a free loopback port, reports `{ port }` over the IPC channel,
// and on `{ payload }` sends that text to every connected client, then answers `{ sent }`.
// `{ stop: true }` closes it.
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
server.on('listening', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('message', (message: { payload?: string; stop?: boolean }) => {
  if (message.stop) {
    for (const client of server.clients) client.terminate();
    server.close(() => process.exit(0));
    return;
  }
  if (message.payload === undefined) return;
  let sent = 0;
  for (const client of server.clients) {
    client.send(message.payload);
    sent++;
  }
  process.send?.({ sent });
});
