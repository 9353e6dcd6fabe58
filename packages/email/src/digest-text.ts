import { contextLine, formatPercent, formatPounds, formatPoundsShort, type DigestContent } from '@bt/core';

/** The plain-text part: the same figures as the HTML, for clients and people that prefer text. */
export function renderDigestText(d: DigestContent, subject: string): string {
  const lines: string[] = [subject, '='.repeat(Math.min(subject.length, 72)), ''];
  const move = (v: number | null | undefined) =>
    v === null || v === undefined ? '' : v === 0 ? '  (no change)' : `  (${v > 0 ? '+' : '-'}${formatPoundsShort(Math.abs(v))})`;
  lines.push(`HEADLINE FIGURES ${d.financialYear} as at ${d.asAt}${d.movement ? ` (movement since ${d.movement.since.slice(0, 10)})` : ''}`);
  const h = d.headline;
  const m = d.movement?.figures;
  lines.push(`  MTFS target:        ${formatPounds(h.mtfsTargetPence)}${move(m?.mtfsTargetPence)}`);
  lines.push(`  Baseline (plan):    ${formatPounds(h.baselinePence)}${move(m?.baselinePence)}`);
  lines.push(`  Forecast:           ${formatPounds(h.forecastPence)}${move(m?.forecastPence)}`);
  if (h.outturnPence !== undefined) lines.push(`  Forecast outturn:   ${formatPounds(h.outturnPence)}${move(m?.outturnPence)}`);
  lines.push(`  Realised to date:   ${formatPounds(h.realisedPence)}${move(m?.realisedPence)}`);
  lines.push(`  Gap to MTFS target: ${formatPounds(h.gapPence)}${move(m?.gapPence)}`);
  lines.push(`  Risk-adjusted gap:  ${formatPounds(h.riskAdjustedGapPence)}${move(m?.riskAdjustedGapPence)}`);
  lines.push(`  Delivery rate:      ${h.deliveryRate === null ? '-' : formatPercent(h.deliveryRate)}`, '');
  if (contextLine(d)) lines.push(contextLine(d), '');
  if (d.movement?.causes?.length) {
    lines.push('WHAT MOVED THE FIGURES MOST SINCE THE LAST DIGEST');
    for (const c of d.movement.causes) lines.push(`  ${c.project}${c.benefit ? ` ${c.benefit}` : ''}: ${c.detail} (${c.by}, ${c.at.slice(0, 10)})`);
    lines.push('');
  }
  lines.push('WORKSTREAMS (target / outturn / gap / delivery RAG / MTFS RAG)');
  for (const w of d.workstreams)
    lines.push(
      `  ${w.name}: ${formatPoundsShort(w.mtfsTargetPence)} / ${formatPoundsShort(w.outturnPence)} / ${formatPoundsShort(w.gapPence)} / ${w.rag ?? '-'} / ${w.mtfsRag ?? '-'}`,
    );
  lines.push('', 'LARGEST SLIPPAGES');
  if (d.slippages.length === 0) lines.push('  None.');
  for (const s of d.slippages)
    lines.push(
      `  ${s.benefit} (${s.workstream}): forecast ${formatPoundsShort(s.forecastPence)} against ${formatPoundsShort(s.baselinePence)}, short by ${formatPoundsShort(s.shortfallPence)}`,
    );
  if (d.commentaries) {
    lines.push('', "AMBER AND RED PROJECTS: THE MANAGER'S COMMENTARY");
    if (d.commentaries.length === 0) lines.push('  None.');
    for (const p of d.commentaries)
      lines.push(
        `  ${p.project} (${p.workstream}; savings ${p.rag ?? '-'}, confidence ${p.deliveryConfidence}; outturn ${formatPoundsShort(p.outturnPence)} of ${formatPoundsShort(p.baselinePence)}):`,
        `    ${p.commentary ? `"${p.commentary.replace(/\s+/g, ' ')}"` : 'No commentary given.'}`,
      );
  }
  lines.push('', 'NEW AND ESCALATED ALERTS');
  if (d.newAlerts.length + d.escalatedAlerts.length === 0) lines.push('  None since the last digest.');
  for (const a of d.newAlerts) lines.push(`  [new, ${a.severity}] ${a.message}`);
  for (const a of d.escalatedAlerts) lines.push(`  [escalated, ${a.severity}] ${a.message}`);
  lines.push('', 'CRITICAL RISKS');
  if (d.criticalRisks.length === 0) lines.push('  None open.');
  for (const r of d.criticalRisks)
    lines.push(
      `  ${r.title} (${r.project}; owner ${r.owner}; score ${r.score}${r.savingsAtRiskPence ? `; ${formatPoundsShort(r.savingsAtRiskPence)} at risk` : ''})`,
    );
  lines.push('', 'MILESTONES DUE IN THE NEXT 30 DAYS');
  if (d.milestonesDue.length === 0) lines.push('  None.');
  for (const ms of d.milestonesDue) lines.push(`  ${ms.dueDate}${ms.overdue ? ' OVERDUE' : ''}: ${ms.title} (${ms.project})`);
  lines.push('', `INVESTMENT AGAINST PLAN ${d.financialYear}`);
  for (const f of d.investment.byFundingSource)
    lines.push(`  ${f.fundingSource}: planned ${formatPoundsShort(f.plannedPence)}, spent ${formatPoundsShort(f.actualPence)}`);
  lines.push(`  Total: planned ${formatPoundsShort(d.investment.plannedPence)}, spent ${formatPoundsShort(d.investment.actualPence)}`, '');
  return lines.join('\r\n');
}
