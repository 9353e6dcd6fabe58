import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';

// The outbox's record of an event, apart from the details' schemas (events.ts): what the publisher reads, without the schemas of alerts, actuals and change requests.

export const EventDetailType = lazySchema(() =>
  z.enum(['AlertRaised', 'AlertResolved', 'ActualRecorded', 'DigestSent', 'ChangeRequested', 'ChangeApproved', 'ChangeRejected', 'ChangeWithdrawn']),
);

/** An event we publish (EventBridge source `benefits-tracker`), as kept in the outbox until published. */
export const DomainEvent = lazySchema(() =>
  z.object({
    /** Deterministic for what it reports, so a retried write or publish cannot make a second one. */
    id: z.string(),
    source: z.literal('benefits-tracker'),
    detailType: EventDetailType,
    time: z.string(),
    detail: z.record(z.string(), z.unknown()),
  }),
);
export type DomainEvent = z.infer<typeof DomainEvent>;
