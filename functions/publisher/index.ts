import { logger } from '@bt/services';
import { publisherDeps, publishOutbox } from '@bt/services';

// The outbox alone: the publisher loads none of the other repositories at its (frequent) cold starts.
const { deps, sink } = publisherDeps(process.env);

/**
 * Publishes the outbox to EventBridge every few minutes, so events written by
 * API calls (actuals recorded) go out promptly; the scheduled functions also
 * publish what they write at the end of their run.
 */
export async function handler() {
  const published = await publishOutbox(deps, sink);
  if (published) logger.info('published outbox events', { published });
  return { published };
}
