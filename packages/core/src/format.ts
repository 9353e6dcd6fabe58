/** Figures written for people (pages, digests): display only, never stored or summed. */

/** A fraction as a percentage for people: 0.876 → "87.6%" (a ratio, not money). */
export function formatPercent(fraction: number, decimals = 1): string {
  const scale = 10 ** decimals;
  const value = Math.round(fraction * 100 * scale);
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const whole = Math.trunc(abs / scale);
  return decimals === 0 ? `${sign}${whole}%` : `${sign}${whole}.${String(abs % scale).padStart(decimals, '0')}%`;
}
