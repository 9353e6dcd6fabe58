import { onFirstUse } from '@bt/core';
import type { Mailer } from './mail.ts';

/**
 * A mailer loaded with the first message it sends: the digest function
 * keeps the mail stack (nodemailer's composer and the SES client) beside its
 * bundle and loads it only to send, so a preview asked for by the API never
 * parses it. A load that fails is tried again with the next message.
 */
export function loadedOnFirstSend(load: () => Promise<Mailer>): Mailer {
  const mailer = onFirstUse(load);
  return { send: async (mail) => (await mailer()).send(mail) };
}
