import type { DeletedFinalStateUnknown } from './deleted-final-state-unknown.js';

/**
 * ResourceEventHandler receives the notifications of a SharedInformer (client-go
 * `ResourceEventHandler`; every method is optional, like `ResourceEventHandlerFuncs`).
 *
 * - onAdd(obj, isInInitialList): an object appeared. isInInitialList is true for objects of the
 *   informer's first list, and for every object replayed to a handler added after start.
 * - onUpdate(oldObj, newObj): oldObj is the object the cache held before this change — never the
 *   new one. Equal versions mean a resync (sent only to handlers that asked for resyncs).
 * - onDelete(obj): the last known state, or a DeletedFinalStateUnknown tombstone when the deletion
 *   was inferred from a list.
 *
 * Each handler's calls are made one at a time, in order; a returned promise is awaited before the
 * next call to the same handler. Handlers should be quick (pvesphere's only enqueue keys). A
 * handler that throws or rejects is reported to the informer's error sink; that notification is
 * skipped and the next one delivered.
 */
export interface ResourceEventHandler<T> {
  onAdd?(obj: T, isInInitialList: boolean): void | Promise<void>;
  onUpdate?(oldObj: T, newObj: T): void | Promise<void>;
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void | Promise<void>;
}

/**
 * ResourceEventHandlerRegistration is what addEventHandler returns: the handle to remove the
 * handler with, and its own sync state (client-go `ResourceEventHandlerRegistration`).
 */
export interface ResourceEventHandlerRegistration {
  /**
   * hasSynced is true once the informer has synced and this handler has returned from every
   * onAdd of the initial list (or of the replay it received when added late).
   */
  hasSynced(): boolean;
}

/** EventHandlerOptions configures one handler registration. */
export interface EventHandlerOptions {
  /**
   * How often this handler wants every cached object re-delivered as onUpdate(obj, obj), in ms;
   * 0 = never. Raised to 1 s at least, and to the informer's resync check period when added after
   * start. @default the informer's defaultResyncPeriodMs
   */
  resyncPeriodMs?: number;
}
