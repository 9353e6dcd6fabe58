import type { Mailer } from './mail.ts';

/**
 * A mailer loaded with the first message it sends: the digest function
 * keeps the mail stack (nodemailer's composer and the SES client) beside its
 * bundle and loads it only to send, so a preview asked for by the API never
 * parses it. A load that fails is tried again with the next message.
 */
export function loadedOnFirstSend(load: () => Promise<Mailer>): Mailer {
  let loaded: Promise<Mailer> | undefined;
  return {
    async send(mail) {
      loaded ??= load().catch((error: unknown) => {
        loaded = undefined;
        throw error;
      });
      return (await loaded).send(mail);
    },
  };
}
