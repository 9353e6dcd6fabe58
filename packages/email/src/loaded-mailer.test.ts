import { describe, expect, it } from 'vitest';
import { loadedOnFirstSend } from './loaded-mailer.ts';
import type { Mailer, OutgoingMail } from './mail.ts';

const mail: OutgoingMail = { id: 'd1', from: 'a@b.gov.uk', to: ['c@d.gov.uk'], subject: 's', html: '<p>h</p>', text: 't', date: new Date(0) };

describe('a mailer loaded with the first message it sends', () => {
  it('loads nothing until a message is sent, then loads once however many are sent at the same time', async () => {
    let loads = 0;
    const sent: string[] = [];
    const inner: Mailer = {
      send: async (m) => {
        sent.push(m.id);
        return { messageId: `<${m.id}@x>` };
      },
    };
    const mailer = loadedOnFirstSend(async () => {
      loads++;
      return inner;
    });
    expect(loads).toBe(0);
    const replies = await Promise.all([mailer.send(mail), mailer.send({ ...mail, id: 'd2' }), mailer.send({ ...mail, id: 'd3' })]);
    expect(replies.map((r) => r.messageId)).toEqual(['<d1@x>', '<d2@x>', '<d3@x>']);
    expect([loads, sent]).toEqual([1, ['d1', 'd2', 'd3']]);
  });

  it('tries the load again with the next message after one that failed, and sends nothing with the failed one', async () => {
    let loads = 0;
    const sent: string[] = [];
    const mailer = loadedOnFirstSend(async () => {
      loads++;
      if (loads === 1) throw new Error('side module missing');
      return {
        send: async (m) => {
          sent.push(m.id);
          return { messageId: 'ok' };
        },
      };
    });
    await expect(mailer.send(mail)).rejects.toThrow('side module missing');
    await expect(mailer.send({ ...mail, id: 'd2' })).resolves.toEqual({ messageId: 'ok' });
    expect([loads, sent]).toEqual([2, ['d2']]);
  });
});
