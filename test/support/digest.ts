import { OutboxMailer } from '@bt/email';
/** Digest settings for tests: two CMT recipients, emails written to `outbox`. */
export function testDigestConfig(outbox: string) {
  return { settings: { recipients: ['chief.executive@council.example.gov.uk', 'cmt@council.example.gov.uk'], sender: 'benefits-tracker@council.example.gov.uk', baseUrl: 'https://tracker.council.example.gov.uk', councilName: 'Example City Council' }, mailer: new OutboxMailer(outbox) };
}
