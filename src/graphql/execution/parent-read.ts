/** READ_DECLINED is what a {@link ParentRead} returns when only the field's resolver can answer. */
export const READ_DECLINED: unique symbol = Symbol('pvesphere.readDeclined');

/**
 * ParentRead reads a field's value from its parent object alone: synchronously, without side
 * effects, the same value the field's resolver would give — or {@link READ_DECLINED}, and the
 * resolver runs. The planned executor uses it to skip building a resolver's `args` and `info`
 * for fields such as `lastSyncedAt` (a renamed property) on every row of a page.
 */
export type ParentRead<T> = (parent: T) => unknown;

/** PARENT_READ is the field extension that carries a {@link ParentRead}. */
export const PARENT_READ = 'pvesphereParentRead';

/** parentRead makes the field extensions that declare `read` (spread into `extensions`). */
export function parentRead<T>(read: ParentRead<T>): Record<typeof PARENT_READ, ParentRead<T>> {
  return { [PARENT_READ]: read };
}
