import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';
import { Alert } from './alerts.ts';
import { Actual } from './benefit.ts';
import { ChangeRequest } from './change-request.ts';

/**
 * The `detail` of each event we publish to EventBridge (source
 * `benefits-tracker`). `id` is deterministic for what the event reports, so
 * a consumer can drop a repeat. JSON Schemas and samples: events/published/.
 */
export const AlertEventDetail = lazySchema(() => z.object({ id: z.string(), alert: Alert }).meta({ id: 'AlertEventDetail' }));
export const ActualRecordedDetail = lazySchema(() =>
  z.object({ id: z.string(), projectId: z.string(), benefitId: z.string(), actual: Actual }).meta({ id: 'ActualRecordedDetail' }),
);
export const DigestSentDetail = lazySchema(() =>
  z
    .object({ id: z.string(), digestId: z.string(), slot: z.string(), recipients: z.array(z.string()), subject: z.string(), sentAt: z.string() })
    .meta({ id: 'DigestSentDetail' }),
);

export const ChangeEventDetail = lazySchema(() => z.object({ id: z.string(), request: ChangeRequest }).meta({ id: 'ChangeEventDetail' }));

export const PUBLISHED_EVENTS = {
  AlertRaised: AlertEventDetail,
  AlertResolved: AlertEventDetail,
  ActualRecorded: ActualRecordedDetail,
  DigestSent: DigestSentDetail,
  ChangeRequested: ChangeEventDetail,
  ChangeApproved: ChangeEventDetail,
  ChangeRejected: ChangeEventDetail,
  ChangeWithdrawn: ChangeEventDetail,
} as const;
