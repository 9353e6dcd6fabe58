import { logger } from '@bt/services';
import { todayInLondon } from '@bt/core';
import type { Mailer } from '@bt/email';
import { evaluateAndStore, publishOutbox, sendDigest, type DigestSettings, type Deps, type EventSink } from '@bt/services';
import { Cron } from 'croner';

/** The daily alert evaluation, as the scheduled Lambda runs it: evaluate as at today, then publish the events. */
export async function runAlertJob(deps: Deps, sink: EventSink, asAt?: string) {
  const result = await evaluateAndStore(deps, asAt ?? todayInLondon(deps.clock()));
  const published = await publishOutbox(deps, sink);
  return { ...result, published };
}

/**
 * The schedules of the AWS stack, run in-process locally (croner, in
 * Europe/London): alerts daily at 06:00, the CMT digest on Mondays at 07:30. A run that fails is logged and the
 * next one tries again; overlapping runs are prevented.
 */
export async function runDigestJob(deps: Deps, sink: EventSink, digest: { settings: DigestSettings; mailer: Mailer }, slot?: string) {
  const today = todayInLondon(deps.clock());
  const result = await sendDigest(deps, digest.settings, digest.mailer, slot ?? today, today);
  await publishOutbox(deps, sink);
  return result;
}

export function startSchedules(deps: Deps, sink: EventSink, digest: { settings: DigestSettings; mailer: Mailer }): { stop(): void } {
  const alerts = new Cron('0 6 * * *', { timezone: 'Europe/London', protect: true, name: 'alerts' }, async () => {
    try {
      const r = await runAlertJob(deps, sink);
      logger.info('scheduled alert evaluation', {
        asAt: r.asAt,
        raised: r.raised.length,
        resolved: r.resolved.length,
        refreshed: r.refreshed,
        published: r.published,
        skipped: r.skipped,
      });
    } catch (error) {
      logger.error('scheduled alert evaluation failed', { error });
    }
  });
  // The weekly CMT digest, Monday 07:30; the slot is the Monday's date, so a re-run sends nothing new.
  const weekly = new Cron('30 7 * * 1', { timezone: 'Europe/London', protect: true, name: 'digest' }, async () => {
    try {
      const r = await runDigestJob(deps, sink, digest);
      logger.info('scheduled digest', { id: r.digest.id, slot: r.digest.slot, sentNow: r.sentNow });
    } catch (error) {
      logger.error('scheduled digest failed', { error });
    }
  });
  return {
    stop() {
      alerts.stop();
      weekly.stop();
    },
  };
}
