import { OutboxMailer } from '@bt/email';
import { inProcessDigestDesk, type Deps } from '@bt/services';

/** Digest settings for tests: two CMT recipients, emails written to `outbox`. */
export function testDigestConfig(outbox: string) {
  return {
    settings: {
      recipients: ['chief.executive@council.example.gov.uk', 'cmt@council.example.gov.uk'],
      sender: 'benefits-tracker@council.example.gov.uk',
      baseUrl: 'https://tracker.council.example.gov.uk',
      councilName: 'Example City Council',
    },
    mailer: new OutboxMailer(outbox),
  };
}

/** The digest on demand for an app under test: in this process, emails written to `outbox`. */
export function testDigestDesk(deps: Deps, outbox: string) {
  const { settings, mailer } = testDigestConfig(outbox);
  return inProcessDigestDesk(deps, settings, mailer);
}
