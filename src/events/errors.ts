import { ExpectedError } from '../lib/expected-error.js';

/**
 * EventsExpiredError (`EVENTS_EXPIRED`) refuses a resume whose `after` the event log can no
 * longer continue from: events after it were pruned (`PVESPHERE_EVENT_RETENTION`), or the log
 * never assigned that sequence (the database was replaced). The client reloads the inventory
 * with queries and subscribes again without `after`.
 */
export class EventsExpiredError extends ExpectedError {
  override name = 'EventsExpiredError';
  constructor(after: string, reason: string) {
    super(
      'EVENTS_EXPIRED',
      `cannot resume after event ${after}: ${reason}; reload the inventory with queries and subscribe again without after`,
      { after },
    );
  }
}

/**
 * SubscriberTooSlowError (`SUBSCRIBER_TOO_SLOW`) ends a subscription whose client did not take
 * its events fast enough: more than `buffer` events waited for it. `resumeAfter` is the sequence
 * of the last event it was sent; subscribing again with `after: resumeAfter` continues without a
 * gap.
 */
export class SubscriberTooSlowError extends ExpectedError {
  override name = 'SubscriberTooSlowError';
  constructor(buffer: number, resumeAfter: string | undefined) {
    super(
      'SUBSCRIBER_TOO_SLOW',
      `the subscription was ended because more than ${buffer} events waited to be sent to this client${
        resumeAfter === undefined
          ? ''
          : `; subscribe again with after: "${resumeAfter}" to continue without a gap`
      }`,
      { resumeAfter: resumeAfter ?? null, buffer },
    );
  }
}

/**
 * EventsUnavailableError (`EVENTS_UNAVAILABLE`) ends a subscription that could not read the
 * event log (the database failed); the cause is logged, not sent. The client may subscribe
 * again with `after: resumeAfter`.
 */
export class EventsUnavailableError extends ExpectedError {
  override name = 'EventsUnavailableError';
  constructor(resumeAfter: string | undefined, options?: ErrorOptions) {
    super(
      'EVENTS_UNAVAILABLE',
      `the event log could not be read${
        resumeAfter === undefined ? '' : `; subscribe again with after: "${resumeAfter}" to resume`
      }`,
      { resumeAfter: resumeAfter ?? null },
      options,
    );
  }
}
