import type { GraphQLField } from 'graphql';

/** USAGE_FIELD is the field extension marking a usage field (see {@link USAGE}). */
export const USAGE_FIELD = 'pvesphereUsage';

/**
 * USAGE is the options of a field whose value a usage flush rewrites (`cpuUsage`, `memUsed`,
 * storage `used`, `lastSyncedAt`, …; the columns of inventory/write/metrics-writes.ts): read
 * from the row like a COLUMN (complexity 0), and marked so that a cached answer that selects
 * none of them survives usage flushes (see answer-scope.ts).
 */
export const USAGE = { complexity: 0, extensions: { [USAGE_FIELD]: true } } as const;

/** isUsageField tells whether a field is marked with {@link USAGE}. */
export function isUsageField(field: GraphQLField<unknown, unknown>): boolean {
  return field.extensions?.[USAGE_FIELD] === true;
}
