import type { VmRecord } from '../../src/db/inventory-records.js';
import type { EventFilter } from '../../src/events/event-filter.js';
import { matchesEvent } from '../../src/events/event-filter.js';
import type { EventPage, EventPageReader } from '../../src/events/event-log-reader.js';
import { compareSequences } from '../../src/events/event-sequence.js';
import type { InventoryChange, InventoryEvent } from '../../src/events/inventory-change.js';

/** vmRecord is a plausible guest record (the payload of a vm event). */
export function vmRecord(overrides: Partial<VmRecord> = {}): VmRecord {
  return {
    id: 1,
    clusterId: 1,
    vmid: 100,
    type: 'qemu',
    node: 'pve1',
    name: 'web-1',
    status: 'running',
    template: false,
    cpus: 2,
    maxMem: 4 * 1024 ** 3,
    maxDisk: 32 * 1024 ** 3,
    tags: ['prod'],
    lock: null,
    hastate: null,
    pool: null,
    description: null,
    agentEnabled: true,
    ipAddresses: [],
    cpuUsage: 0.1,
    memUsed: 1024 ** 3,
    diskUsed: 0,
    netIn: 1,
    netOut: 1,
    diskRead: 1,
    diskWrite: 1,
    uptime: 100,
    lastSyncTime: '2026-11-26T00:00:00.000Z',
    ...overrides,
  };
}

/** vmChange is an UPDATED change of a guest (overrides apply to the change, `vm` to the record). */
export function vmChange(
  overrides: Partial<InventoryChange<'vm'>> = {},
  vm: Partial<VmRecord> = {},
): InventoryChange<'vm'> {
  const payload = vmRecord(vm);
  return {
    clusterId: payload.clusterId,
    kind: 'vm',
    type: 'UPDATED',
    objectKey: `qemu/${payload.vmid}`,
    node: payload.node,
    previousNode: null,
    vmid: payload.vmid,
    payload,
    previous: { ...payload, name: 'before' },
    changedFields: ['name'],
    ...overrides,
  };
}

/** vmEvent is a stored guest event with this sequence. */
export function vmEvent(
  sequence: number | string,
  overrides: Partial<InventoryChange<'vm'>> = {},
  vm: Partial<VmRecord> = {},
): InventoryEvent<'vm'> {
  return {
    ...vmChange(overrides, vm),
    sequence: String(sequence),
    at: '2026-11-26T00:00:00.000Z',
  };
}

/**
 * MemoryEventLog is an EventPageReader over an array: what `inventory_event` holds, with a hook
 * that runs inside each read (after its "snapshot" was taken), to commit or publish meanwhile.
 */
export class MemoryEventLog implements EventPageReader {
  events: InventoryEvent[] = [];
  /** The last sequence assigned (defaults to the newest event). */
  assigned: string | undefined;
  reads = 0;
  /** Runs after the snapshot of each read was taken, before it returns. */
  duringRead: (() => void | Promise<void>) | undefined;
  /** Makes the next reads fail with this error. */
  failure: Error | undefined;

  append(...events: InventoryEvent[]): void {
    this.events.push(...events);
  }

  async readPage(after: string, limit: number, filter?: EventFilter): Promise<EventPage> {
    this.reads++;
    if (this.failure) throw this.failure;
    const events = this.events
      .filter((e) => compareSequences(e.sequence, after) > 0)
      .filter((e) => filter === undefined || matchesEvent(filter, e))
      .slice(0, limit);
    const page: EventPage = {
      events,
      oldest: this.events[0]?.sequence ?? null,
      assigned: this.assigned ?? this.events.at(-1)?.sequence ?? '0',
    };
    await this.duringRead?.();
    return page;
  }
}
