/**
 * DeletedFinalStateUnknown is the tombstone of an object whose deletion was inferred, not
 * observed: DeltaFIFO.replace() emits it for a known key missing from a new full list (the
 * deletion happened while nobody was watching, or between two polls). `obj` is the last state
 * the informer knew — possibly stale, and undefined when even that was unavailable. Handlers'
 * onDelete receives either the object or this tombstone (client-go `DeletedFinalStateUnknown`).
 */
export class DeletedFinalStateUnknown<T> {
  constructor(
    /** key is the deleted object's key. */
    readonly key: string,
    /** obj is the last known state of the object, if any. */
    readonly obj: T | undefined,
  ) {}
}
