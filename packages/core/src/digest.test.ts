import { describe, expect, it } from 'vitest';
import { contextLine, type DigestContent } from './digest.ts';

describe('the digest’s programme line', () => {
  it('states the programme against its total target and the outturn’s share of the net budget', () => {
    const d = {
      context: {
        programmeTarget: { fromFinancialYear: '2023/24', toFinancialYear: '2025/26', targetPence: 8_558_800_000 },
        netBudgetPence: 61_338_500_000,
        shareOfNetBudget: 0.0712,
      },
    } as DigestContent;
    expect(contextLine(d)).toBe("The programme's target is £85.59m over 2023/24 to 2025/26. This year's outturn is 7.12% of the £613.39m net revenue budget.");
    expect(contextLine({ context: { programmeTarget: null, netBudgetPence: null, shareOfNetBudget: null } } as DigestContent)).toBe('');
    expect(contextLine({} as DigestContent)).toBe('');
  });
});
