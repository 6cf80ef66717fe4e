import type { InventoryEvent } from '../events/inventory-change.js';
import type { Logger } from '../lib/logger.js';

/** Above this many additions in one write, each is logged at debug and only the summary at info. */
const LOG_EACH_ADDITION_UP_TO = 50;

/**
 * logChanges writes the original project's log lines for what a cycle added (`node added node=…
 * cluster_id=…`, `vm added vm=… vmid=…`, `storage added storage=… node=…`) and one summary line
 * of the cycle's events by kind and type.
 */
export function logChanges(log: Logger, events: readonly InventoryEvent[]): void {
  if (events.length === 0) return;
  const added = events.filter((e) => e.type === 'ADDED');
  const level = added.length > LOG_EACH_ADDITION_UP_TO ? 'debug' : 'info';
  // A first sync adds thousands: their lines are not even built unless the level is logged.
  for (const event of log.isLevelEnabled(level) ? added : []) {
    const p = event.payload as unknown as Record<string, unknown>;
    if (event.kind === 'node') {
      log[level]({ node: p.name }, `node added node=${p.name} cluster_id=${event.clusterId}`);
    } else if (event.kind === 'vm') {
      log[level]({ vm: p.name, vmid: p.vmid }, `vm added vm=${p.name ?? ''} vmid=${p.vmid}`);
    } else {
      log[level](
        { storage: p.name, node: p.node },
        `storage added storage=${p.name} node=${p.node}`,
      );
    }
  }
  const counts: Record<string, Record<string, number>> = { node: {}, vm: {}, storage: {} };
  for (const event of events) {
    const byType = counts[event.kind]!;
    byType[event.type.toLowerCase()] = (byType[event.type.toLowerCase()] ?? 0) + 1;
  }
  log.info({ events: events.length, ...counts }, 'inventory changes written');
}
