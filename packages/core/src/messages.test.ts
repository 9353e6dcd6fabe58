import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { FinancialYear, IsoDate, Month } from './fy.ts';
import { AsAt } from './history.ts';
import { idSchema } from './id.ts';
import { usePlainMessages } from './messages.ts';

const messages = (schema: z.ZodType, value: unknown) => {
  const parsed = schema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')} ${i.message}` : i.message));
};

describe("zod's messages in plain English", () => {
  beforeAll(() => usePlainMessages());

  it('says what a field must be, for the checks that give no message of their own', () => {
    const Query = z.object({
      limit: z.coerce.number().int().min(1).max(200),
      name: z.string().min(1).max(5),
      status: z.enum(['open', 'acknowledged', 'resolved']),
      exactly: z.literal('false').optional(),
      email: z.email().optional(),
      tags: z.array(z.string()).min(1).optional(),
      share: z.number().positive().optional(),
      step: z.number().multipleOf(5).optional(),
    });
    expect(messages(Query, { limit: 'lots', name: '', status: 'closed', exactly: 'no', email: 'x', tags: [], share: 0, step: 7 })).toEqual([
      'limit must be a number',
      'name must not be empty',
      'status must be one of: open, acknowledged, resolved',
      'exactly must be false',
      'email must be an email address',
      'tags must have at least one item',
      'share must be more than 0',
      'step must be a multiple of 5',
    ]);
    expect(messages(Query, { limit: '2.5', name: 'toolong', status: 'open' })).toEqual(['limit must be a whole number', 'name must have at most 5 characters']);
    expect(messages(Query, { limit: '500', name: 'ok', status: 'open' })).toEqual(['limit must be at most 200']);
    expect(messages(Query, { limit: '0' })).toEqual(['limit must be at least 1', 'name is required', 'status is required']);
    expect(messages(z.object({ n: z.number() }), { n: Number.POSITIVE_INFINITY })).toEqual(['n must be a finite number']);
    expect(messages(z.object({ n: z.number(), s: z.string(), b: z.boolean() }), { n: '1', s: 1, b: 'yes' })).toEqual([
      'n must be a number',
      's must be text',
      'b must be true or false',
    ]);
    expect(messages(z.strictObject({ a: z.string() }), { a: 'x', b: 1, c: 2 })).toEqual(['has fields it does not know: b, c']);
    expect(messages(z.record(Month, z.number()), { '2026-13': 1 })).toEqual(['2026-13 is not a key it takes: must be a month such as 2025-10']);
  });

  it("leaves a schema's own message as it is", () => {
    expect(messages(z.string().min(3, 'needs three letters'), 'ab')).toEqual(['needs three letters']);
    expect(messages(idSchema('project'), 'x')).toEqual(['must be a project id (prj_…)']);
    expect(messages(idSchema('investment'), 'x')).toEqual(['must be an investment id (inv_…)']);
  });

  it('says one thing about a malformed year, month or date, not what its later checks would also say', () => {
    expect(messages(FinancialYear, '2026-27')).toEqual(['must be a financial year such as 2025/26']);
    expect(messages(FinancialYear, '2026/28')).toEqual(['the second year must follow the first, as in 2025/26']);
    expect(messages(Month, '2026-13')).toEqual(['must be a month such as 2025-10']);
    expect(messages(IsoDate, 'garbage')).toEqual(['must be a date such as 2025-10-31']);
    expect(messages(IsoDate, '2026-02-30')).toEqual(['is not a real calendar date']);
  });

  it('says both forms of an as-at moment, or what is wrong with a date', () => {
    const both = 'must be a date such as 2026-06-30 or an ISO instant such as 2026-06-30T16:00:00Z';
    expect(messages(AsAt, 'garbage')).toEqual([both]);
    expect(messages(AsAt, '2026-06-30T25:00:00Z')).toEqual([both]);
    expect(messages(AsAt, '2026-02-30')).toEqual(['is not a real calendar date']);
    expect(messages(AsAt, '1999-06-30')[0]).toMatch(/^must be from 2000-04 to 2099-03/);
    expect(messages(AsAt, '2026-06-30')).toEqual([]);
    expect(messages(AsAt, '2026-06-30T16:00:00+01:00')).toEqual([]);
  });

  it('says every form of a union when each refuses the whole value', () => {
    expect(messages(z.union([z.number(), z.boolean()]), 'x')).toEqual(['must be a number, or true or false']);
  });
});
