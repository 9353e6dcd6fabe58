import { logger } from '@bt/api';
import { todayInLondon } from '@bt/core';
import { evaluateAndStore, publishOutbox, type Deps, type EventSink } from '@bt/services';
import { Cron } from 'croner';

/** The daily alert evaluation, as the scheduled Lambda runs it: evaluate as at today, then publish the events. */
export async function runAlertJob(deps: Deps, sink: EventSink, asAt?: string) {
  const result = await evaluateAndStore(deps, asAt ?? todayInLondon(deps.clock()));
  const published = await publishOutbox(deps, sink);
  return { ...result, published };
}

/**
 * The schedules of the AWS stack, run in-process locally (croner, in
 * Europe/London): alerts daily at 06:00. A run that fails is logged and the
 * next one tries again; overlapping runs are prevented.
 */
export function startSchedules(deps: Deps, sink: EventSink): { stop(): void } {
  const alerts = new Cron('0 6 * * *', { timezone: 'Europe/London', protect: true, name: 'alerts' }, async () => {
    try {
      const r = await runAlertJob(deps, sink);
      logger.info('scheduled alert evaluation', { asAt: r.asAt, raised: r.raised.length, resolved: r.resolved.length, refreshed: r.refreshed, published: r.published });
    } catch (error) {
      logger.error('scheduled alert evaluation failed', { error });
    }
  });
  return {
    stop() {
      alerts.stop();
    },
  };
}
