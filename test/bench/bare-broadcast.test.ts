import { describe, expect, it } from 'vitest';
import {
  type BroadcastReceiverKind,
  measureBareBroadcast,
} from '../../bench/support/measure-fanout.js';

/** A graphql-ws `next` message as the fan-out's subscribers receive one (id of the server's). */
const PAYLOAD = JSON.stringify({
  id: '7d1c7a52-0000-4000-8000-000000000001',
  type: 'next',
  payload: {
    data: {
      vmChanged: {
        type: 'MODIFIED',
        sequence: '42',
        clusterId: 'c1',
        changedFields: ['name'],
        vm: { vmid: 100, name: 'web-1', node: 'pve1', status: 'running' },
      },
    },
  },
});

/** broadcast measures a bare broadcast of PAYLOAD, two rounds, to `clients` clients of a kind. */
const broadcast = (receivers: BroadcastReceiverKind, clients: number) =>
  measureBareBroadcast({ clients, rounds: 2, payload: PAYLOAD, receivers });

describe('bare broadcast (the fan-out measure’s control)', () => {
  it('reaches graphql-ws clients: acknowledged, each broadcast addressed to their subscription', async () => {
    const bare = await broadcast('graphql-ws', 6);
    expect(bare.receivers).toBe('graphql-ws');
    // Every client got every measured round (a miss throws), each receipt timed.
    expect(bare.spreadMs.count).toBe(12);
    expect(bare.sendToReceivedMs.count).toBe(12);
    expect(bare.sendToReceivedMs.p50).toBeGreaterThan(0);
    expect(bare.payloadBytes).toBe(Buffer.byteLength(PAYLOAD));
  });

  it('reaches plain ws clients with the payload as it is', async () => {
    const bare = await broadcast('ws', 4);
    expect(bare.receivers).toBe('ws');
    expect(bare.spreadMs.count).toBe(8);
  });
});
