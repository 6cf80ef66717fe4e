/**
 * VersionFunc returns an object's resourceVersion: a string that changes whenever the object's
 * relevant content changes. Kubernetes uses an etcd revision; pvesphere a content hash of the
 * inventory fields. Equal versions mean "nothing changed" to the informer (a relist or resync
 * of an unchanged object reaches only handlers that asked for resyncs).
 */
export type VersionFunc<T> = (obj: T) => string;

/** ListOptions are passed to Lister.list. */
export interface ListOptions {
  /** resourceVersion the reflector last synced at ("" before the first list). */
  resourceVersion: string;
  /** signal aborts the list when the reflector stops. */
  signal: AbortSignal;
}

/** ListResult is a full list of objects and the resourceVersion it was observed at. */
export interface ListResult<T> {
  items: readonly T[];
  resourceVersion: string;
}

/** Lister is anything that knows how to perform a full list. */
export interface Lister<T> {
  /** list returns every object that exists now, or rejects. A rejection deletes nothing. */
  list(options: ListOptions): Promise<ListResult<T>>;
}

/**
 * WatchEvent is one change reported by a watch. `Bookmark` carries no object: it says "every
 * change up to this resourceVersion has been sent" — a polling watch sends one at the end of each
 * poll, which is how a consumer learns that a cycle is complete.
 */
export type WatchEvent<T> =
  | { readonly type: 'Added' | 'Modified' | 'Deleted'; readonly object: T }
  | { readonly type: 'Bookmark'; readonly resourceVersion: string };

/**
 * WatchSink receives watch events. The Reflector's sink applies each event to its store
 * synchronously, so a watch that emits a whole poll cycle in one synchronous run delivers it
 * atomically.
 */
export type WatchSink<T> = (event: WatchEvent<T>) => void;

/** WatchOptions are passed to Watcher.watch. */
export interface WatchOptions {
  /** resourceVersion to watch from (the last list's or bookmark's). */
  resourceVersion: string;
  /** signal ends the watch: the returned promise then resolves. */
  signal: AbortSignal;
}

/** Watcher is anything that knows how to stream changes after a list. */
export interface Watcher<T> {
  /**
   * watch emits changes into `sink` until `options.signal` aborts (the promise resolves) or the
   * watch breaks (it rejects; the Reflector reports the error, backs off and relists). Resolving
   * on its own means "closed normally": the Reflector watches again without relisting.
   */
  watch(sink: WatchSink<T>, options: WatchOptions): Promise<void>;
}

/**
 * ListerWatcher is any object that knows how to perform an initial list and start a watch on a
 * resource (client-go `ListerWatcher`). PVE has no watch API: PollingWatch and ListFeed implement
 * the watch by diffing successive full lists.
 */
export interface ListerWatcher<T> extends Lister<T>, Watcher<T> {}

/**
 * Acknowledgeable is implemented by a ListerWatcher that wants to learn how far its consumer got:
 * acknowledge(resourceVersion) is called once every change delivered up to that list or Bookmark
 * has been applied to the informer's cache and has returned from every event handler.
 * SharedInformer calls it (a bare Reflector calls it right after applying, when its store cannot
 * track resourceVersions). ListFeed uses it to resolve push().
 */
export interface Acknowledgeable {
  acknowledge(resourceVersion: string): void;
}

/** isAcknowledgeable tells whether a ListerWatcher implements Acknowledgeable. */
export function isAcknowledgeable(value: object): value is Acknowledgeable {
  return typeof (value as Partial<Acknowledgeable>).acknowledge === 'function';
}
