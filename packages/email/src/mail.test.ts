import { createServer, type Server } from 'node:http';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeMime, type OutgoingMail, SesMailer } from './mail.ts';

/**
 * The SES mailer through the real SESv2 client, against a stand-in for SES's
 * SendEmail on 127.0.0.1 that records each request and answers as SES does
 * (a MessageId, or an error with its type header).
 */
const requests: {
  method: string;
  url: string;
  body: { FromEmailAddress?: string; Destination?: { ToAddresses?: string[] }; Content?: { Raw?: { Data?: string } } };
}[] = [];
let answer: { status: number; body: unknown; errorType?: string } = { status: 200, body: { MessageId: '0102019a-ses-id' } };
let server: Server;
let client: SESv2Client;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res
        .writeHead(answer.status, { 'content-type': 'application/json', ...(answer.errorType ? { 'x-amzn-errortype': answer.errorType } : {}) })
        .end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('the SES stand-in did not start');
  client = new SESv2Client({
    region: 'eu-west-2',
    endpoint: `http://127.0.0.1:${address.port}`,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const mail: OutgoingMail = {
  id: 'digest-2026-11-23',
  from: 'Benefits tracker <benefits-tracker@council.example.gov.uk>',
  to: ['cmt@council.example.gov.uk', 'finance@council.example.gov.uk'],
  subject: 'Transformation benefits digest, 2026-11-23',
  html: '<p>Savings realised: £1,234,567</p>',
  text: 'Savings realised: £1,234,567',
  date: new Date('2026-11-23T07:30:00Z'),
  attachments: [
    {
      filename: 'monitoring-pack-2026-10.xlsx',
      content: new Uint8Array([80, 75, 3, 4, 1, 2, 3]),
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    },
  ],
};

describe('the SES mailer', () => {
  it('hands SES the MIME message the outbox writes, from the sender to every recipient, and returns the Message-ID SES gives it', async () => {
    requests.length = 0;
    answer = { status: 200, body: { MessageId: '0102019a-ses-id' } };
    const sent = await new SesMailer(client).send(mail);
    expect(sent).toEqual({ messageId: '<0102019a-ses-id@eu-west-2.amazonses.com>' });
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request).toMatchObject({ method: 'POST', url: '/v2/email/outbound-emails' });
    expect(request!.body.FromEmailAddress).toBe(mail.from);
    expect(request!.body.Destination).toEqual({ ToAddresses: mail.to });
    const raw = Buffer.from(request!.body.Content!.Raw!.Data!, 'base64').toString('utf8');
    // The same message as composed for the outbox: both use MailComposer with the same options (the boundaries differ).
    const unbounded = (s: string) => s.replace(/--_NmP-[0-9a-f-]+/g, '--boundary').replace(/boundary="[^"]+"/g, 'boundary="b"');
    expect(unbounded(raw)).toBe(unbounded((await composeMime(mail)).toString('utf8')));
    expect(raw).toContain('Subject: Transformation benefits digest, 2026-11-23');
    expect(raw).toContain('Message-ID: <digest-2026-11-23@benefits-tracker>');
    expect(raw).toMatch(/Content-Type: multipart\/mixed/);
    expect(raw).toContain('filename=monitoring-pack-2026-10.xlsx');
    // Lines end CRLF, as RFC 5322 requires.
    expect(raw.split('\r\n').length).toBeGreaterThan(20);
    expect(raw.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('fails when SES refuses the message, so the digest is not recorded as sent', async () => {
    answer = { status: 400, body: { message: 'Email address is not verified.' }, errorType: 'MessageRejected' };
    await expect(new SesMailer(client).send(mail)).rejects.toMatchObject({ name: 'MessageRejected' });
  });
});
