import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import nodemailer from 'nodemailer';
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

/** In AWS: Amazon SES (v2 API), sending the same MIME message. */
export class SesMailer implements Mailer {
  private readonly transport;
  constructor(client: SESv2Client) {
    this.transport = nodemailer.createTransport({ SES: { sesClient: client, SendEmailCommand } });
  }

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    const info = await this.transport.sendMail(options(mail));
    return { messageId: info.messageId };
  }
}
