import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import MailComposer from 'nodemailer/lib/mail-composer';

export interface OutgoingMail {
  /** Our id for it (the digest id): also the Message-ID's left part, so a message can be traced back. */
  id: string;
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  date: Date;
  /** Files sent with it (the monthly monitoring pack). */
  attachments?: Array<{ filename: string; content: Uint8Array; contentType: string }> | undefined;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
}

function options(mail: OutgoingMail) {
  return {
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    date: mail.date,
    messageId: `<${mail.id}@benefits-tracker>`,
    ...(mail.attachments?.length
      ? { attachments: mail.attachments.map((a) => ({ filename: a.filename, content: Buffer.from(a.content), contentType: a.contentType })) }
      : {}),
  };
}

/** The RFC 5322 message, multipart/alternative (text and HTML; multipart/mixed with its attachments), as it is sent. */
export async function composeMime(mail: OutgoingMail): Promise<Buffer> {
  return new MailComposer(options(mail)).compile().build();
}

/** Locally: the message as `<id>.eml` and its HTML as `<id>.html` in an outbox folder. */
export class OutboxMailer implements Mailer {
  constructor(private readonly dir: string) {}

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, `${mail.id}.eml`), await composeMime(mail));
    writeFileSync(join(this.dir, `${mail.id}.html`), mail.html);
    return { messageId: `<${mail.id}@benefits-tracker>` };
  }
}

/**
 * In AWS: Amazon SES (v2 API), sending the same MIME message as a raw email,
 * composed by nodemailer's MailComposer (the message the local outbox
 * writes). Only the composer is loaded: nodemailer's transports (SMTP,
 * sendmail, its own SES wrapper) are not needed to hand SES a message.
 */
export class SesMailer implements Mailer {
  constructor(private readonly client: SESv2Client) {}

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    const raw = await composeMime(mail);
    const sent = await this.client.send(
      new SendEmailCommand({ FromEmailAddress: mail.from, Destination: { ToAddresses: mail.to }, Content: { Raw: { Data: raw } } }),
    );
    if (!sent.MessageId) throw new Error('SES accepted the message but gave no MessageId.');
    // The Message-ID SES gives the message it sends: <its id@region.amazonses.com>.
    return { messageId: `<${sent.MessageId}@${await this.client.config.region()}.amazonses.com>` };
  }
}

/** The mailer the digest function sends with: SES in its region, or (a local invoke) an outbox folder. */
export function functionMailer(outboxDir: string | undefined): Mailer {
  return outboxDir ? new OutboxMailer(outboxDir) : new SesMailer(new SESv2Client({}));
}
