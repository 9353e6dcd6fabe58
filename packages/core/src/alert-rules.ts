import {
  DEFAULT_ALERT_SETTINGS,
  type AlertCondition,
  type AlertSettings,
  type AlertSubject,
  type ProgrammeForAlerts,
  type ProjectForAlerts,
} from './alerts.ts';
import { isWrittenOut, type Benefit } from './benefit.ts';
import {
  benefitYears,
  DEFAULT_THRESHOLDS,
  projectFinancials,
  rollUp,
  statusBuckets,
  summariseBenefit,
  summariseInvestment,
  type BenefitSummary,
  type BenefitYear,
  type InvestmentSummary,
  type Thresholds,
} from './figures.ts';
import { addMonths, fyOfDate, fyOfMonth, monthOfDate, nextFy, type FinancialYear, type IsoDate } from './fy.ts';
import type { Investment } from './investment.ts';
import type { Milestone } from './milestone.ts';
import { formatPoundsShort, type Pence } from './money.ts';
import type { DeliveryConfidence } from './project.ts';
import type { PeriodsState } from './periods.ts';
import type { Risk } from './risk.ts';

/**
 * The alert rules (SPEC 5), each a small pure function in a registry by
 * what it looks at: a benefit, an investment line, a milestone, a risk, a
 * project, a workstream or the programme (roll-ups), or the whole programme
 * at once. `evaluateAlerts` runs every rule over the programme as at a date;
 * a rule's conditions come out in the order of the registry.
 */

/** What every rule knows: the FY and date, the last completed month, the thresholds and the periods closed. */
interface Frame {
  fy: FinancialYear;
  asAt: IsoDate;
  completedMonth: string;
  settings: AlertSettings;
  t: Thresholds;
  periods: PeriodsState;
}

/** A project as its rules see it. */
interface ProjectView extends Frame {
  p: ProjectForAlerts;
  /** "Workstream: Project", the start of every message. */
  where: string;
  subject: AlertSubject;
  summaries: BenefitSummary[];
  investments: InvestmentSummary[];
  /** Neither closed nor cancelled. */
  active: boolean;
}

/** A benefit as its rules see it: its figures for the FY, and whether it is still live and counts towards the MTFS. */
interface BenefitView extends ProjectView {
  b: Benefit;
  y: BenefitYear;
  benefitSubject: AlertSubject;
  live: boolean;
  counts: boolean;
}

type Found = AlertCondition | null;
const pct = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part * 100) / whole));
const m = formatPoundsShort;
const CONFIDENCE_RANK: Record<DeliveryConfidence, number> = { green: 0, 'amber-green': 1, amber: 2, 'amber-red': 3, red: 4 };

function daysBetween(fromIso: string, toDate: IsoDate): number {
  return Math.floor((Date.parse(`${toDate}T23:59:59Z`) - Date.parse(fromIso)) / 86_400_000);
}

/** The last day of a month, as a date. */
function monthEnd(month: string): IsoDate {
  const [y, mo] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, mo, 0)).toISOString().slice(0, 10);
}

/** The sum of a series over the FY's months up to `through`. */
function toDate(series: Record<string, Pence>, fy: FinancialYear, through: string): Pence {
  let total = 0;
  for (const [month, amount] of Object.entries(series)) if (fyOfMonth(month) === fy && month <= through) total += amount;
  return total;
}

// --- benefit rules -----------------------------------------------------------

/** The outturn of an agreed, MTFS-countable saving short of its baseline. */
function forecastSlippage({ y, live, counts, benefitSubject: subject, fy, settings, t }: BenefitView): Found {
  const shortfall = y.baselinePence - y.outturnPence;
  if (!(live && counts && y.baselinePence > 0 && shortfall >= settings.minimumPence && shortfall * 100 > y.baselinePence * settings.slippageTolerancePct))
    return null;
  const share = pct(shortfall, y.baselinePence);
  return {
    rule: 'forecast-slippage',
    severity: share >= 100 - t.ragAmberPct ? 'critical' : 'warning',
    subject,
    financialYear: fy,
    figures: { baselinePence: y.baselinePence, outturnPence: y.outturnPence, forecastPence: y.forecastPence, shortfallPence: shortfall, shortfallPct: share },
    message: `${subject.label} saving forecast ${m(shortfall)} below its ${m(y.baselinePence)} baseline for ${fy} (${share}%).`,
  };
}

/** A cost (negative baseline) forecast to be larger than planned. */
function disBenefitOverrun({ y, live, counts, benefitSubject: subject, fy, settings, t }: BenefitView): Found {
  const overrun = y.baselinePence - y.outturnPence;
  if (!(live && counts && y.baselinePence < 0 && overrun >= settings.minimumPence && overrun * 100 > -y.baselinePence * settings.disBenefitOverrunPct))
    return null;
  const share = pct(overrun, -y.baselinePence);
  return {
    rule: 'dis-benefit-overrun',
    severity: share >= 100 - t.ragAmberPct ? 'critical' : 'warning',
    subject,
    financialYear: fy,
    figures: { baselinePence: y.baselinePence, outturnPence: y.outturnPence, overrunPence: overrun, overrunPct: share },
    message: `${subject.label}: the dis-benefit's cost is forecast ${m(overrun)} above its ${m(-y.baselinePence)} baseline for ${fy} (${share}% over).`,
  };
}

/** Savings recorded while a milestone they depend on is not complete: evidence to check. */
function realisedBeforeMilestone({ p, b, benefitSubject: subject, fy, asAt }: BenefitView): Found {
  const gating: Milestone[] = p.milestones.filter((ms) => ms.benefitIds.includes(b.id) && (!ms.completedDate || ms.completedDate > asAt));
  const realisedToDate = toDate(b.realised, fy, monthOfDate(asAt));
  if (!(gating.length > 0 && realisedToDate > 0)) return null;
  return {
    rule: 'realised-before-milestone',
    severity: 'warning',
    subject,
    financialYear: fy,
    figures: { realisedToDatePence: realisedToDate, milestoneIds: gating.map((ms) => ms.id).join(' '), gatingMilestones: gating.length },
    message: `${subject.label}: ${m(realisedToDate)} realised in ${fy} although ${gating.map((ms) => `"${ms.title}" (due ${ms.dueDate})`).join(', ')} ${gating.length === 1 ? 'is' : 'are'} not complete — check the evidence.`,
  };
}

/** Realised to the last completed month behind the baseline phased to then. */
function underRealisation({ b, live, benefitSubject: subject, fy, completedMonth, settings }: BenefitView): Found {
  const phased = toDate(b.baseline, fy, completedMonth);
  const realised = toDate(b.realised, fy, completedMonth);
  const behind = phased - realised;
  if (!(live && phased > 0 && behind >= settings.minimumPence && behind * 100 > phased * settings.underRealisationTolerancePct)) return null;
  return {
    rule: 'under-realisation',
    severity: 'warning',
    subject,
    financialYear: fy,
    figures: { phasedBaselineToDatePence: phased, realisedToDatePence: realised, shortfallPence: behind, throughMonth: completedMonth },
    message: `${subject.label} has realised ${m(realised)} to the end of ${completedMonth} against ${m(phased)} planned by then (${pct(behind, phased)}% behind).`,
  };
}

/** A forecast nobody has looked at for longer than the setting. */
function staleForecast({ b, y, live, benefitSubject: subject, fy, asAt, settings }: BenefitView): Found {
  const staleDays = daysBetween(b.forecastUpdatedAt ?? b.createdAt, asAt);
  if (!(live && (y.baselinePence !== 0 || y.pipelinePence !== 0 || y.forecastPence !== 0) && staleDays > settings.staleForecastDays)) return null;
  return {
    rule: 'stale-forecast',
    severity: 'info',
    subject,
    financialYear: fy,
    figures: { forecastUpdatedAt: b.forecastUpdatedAt ?? null, daysSinceUpdate: staleDays },
    message: `${subject.label}: the forecast has not been updated for ${staleDays} days (${b.forecastUpdatedAt ? `last ${b.forecastUpdatedAt.slice(0, 10)}` : 'never set'}).`,
  };
}

/** Months ended long enough ago whose realised amount is not all validated. */
function unvalidatedActuals({ b, benefitSubject: subject, fy, asAt, settings }: BenefitView): Found {
  let waiting = 0;
  let oldest: string | null = null;
  for (const [month, amount] of Object.entries(b.realised)) {
    const gap = amount - (b.validated[month] ?? 0);
    if (gap !== 0 && daysBetween(`${monthEnd(month)}T23:59:59Z`, asAt) > settings.unvalidatedDays) {
      waiting += gap;
      if (oldest === null || month < oldest) oldest = month;
    }
  }
  if (waiting === 0) return null;
  return {
    rule: 'unvalidated-actuals',
    severity: 'info',
    subject,
    financialYear: fy,
    figures: { unvalidatedPence: waiting, oldestMonth: oldest },
    message: `${subject.label}: ${m(waiting)} of actuals since ${oldest} still await finance validation (over ${settings.unvalidatedDays} days).`,
  };
}

// --- rules of a project's other parts ----------------------------------------

/** An investment line's spend to date above its plan to the last completed month. */
function investmentOverrun(v: ProjectView, line: Investment): Found {
  const { fy, completedMonth, asAt, settings, where, p } = v;
  const planned = toDate(line.planned, fy, completedMonth);
  const actual = toDate(line.actual, fy, monthOfDate(asAt));
  const over = actual - planned;
  if (!(over >= settings.minimumPence && over * 100 > Math.max(planned, 1) * settings.investmentOverrunPct)) return null;
  return {
    rule: 'investment-overrun',
    severity: 'warning',
    subject: { type: 'investment', id: line.id, label: `${where}: ${line.title}`, workstreamId: p.workstream.id, projectId: p.project.id },
    financialYear: fy,
    figures: { plannedToDatePence: planned, actualToDatePence: actual, overrunPence: over },
    message: `${where}: ${line.title} has spent ${m(actual)} against ${m(planned)} planned to date (${m(over)} over).`,
  };
}

/** A milestone past due, not complete, with savings depending on it. */
function milestoneOverdue(v: ProjectView, ms: Milestone): Found {
  const { active, asAt, where, p, fy } = v;
  if (!(active && !ms.completedDate && ms.dueDate < asAt && ms.benefitIds.length > 0)) return null;
  const late = daysBetween(`${ms.dueDate}T23:59:59Z`, asAt);
  return {
    rule: 'milestone-overdue',
    severity: late > 30 ? 'critical' : 'warning',
    subject: { type: 'milestone', id: ms.id, label: `${where}: ${ms.title}`, workstreamId: p.workstream.id, projectId: p.project.id },
    financialYear: fy,
    figures: { dueDate: ms.dueDate, daysOverdue: late, dependentBenefits: ms.benefitIds.length },
    message: `${where}: milestone "${ms.title}" was due ${ms.dueDate} and is not complete; ${ms.benefitIds.length} saving${ms.benefitIds.length === 1 ? '' : 's'} depend on it.`,
  };
}

/** An open High or Critical risk on a project with material savings this FY. */
function highRisk(v: ProjectView, r: Risk): Found {
  const { active, summaries, fy, settings, where, p } = v;
  const projectBaseline = summaries.reduce((a, s) => a + (s.baseline[fy] ?? 0), 0);
  if (!(active && r.status === 'open' && (r.band === 'high' || r.band === 'critical') && projectBaseline >= settings.materialSavingsPence)) return null;
  return {
    rule: 'high-risk',
    severity: r.band === 'critical' ? 'critical' : 'warning',
    subject: { type: 'risk', id: r.id, label: `${where}: ${r.title}`, workstreamId: p.workstream.id, projectId: p.project.id },
    financialYear: fy,
    figures: { score: r.score, band: r.band, projectBaselinePence: projectBaseline, savingsAtRiskPence: r.savingsAtRiskPence ?? null },
    message: `${where}: ${r.band} risk "${r.title}" (score ${r.score}) on ${m(projectBaseline)} of ${fy} savings${r.savingsAtRiskPence ? `, ${m(r.savingsAtRiskPence)} at risk` : ''}.`,
  };
}

/** Payback now later than the baseline's (from the FY of the project's start, as its own figures: a stray entry never moves it). */
function paybackSlipped(v: ProjectView): Found {
  const { active, p, summaries, investments, asAt, t, subject, fy, where } = v;
  if (!(active && p.investments.length > 0)) return null;
  const firstFy = fyOfDate(p.project.startDate);
  const now = projectFinancials(summaries, investments, firstFy, asAt, t, 'forecast').paybackFinancialYear;
  const planned = projectFinancials(summaries, investments, firstFy, asAt, t, 'baseline').paybackFinancialYear;
  if (!(planned !== null && (now === null || now > planned))) return null;
  return {
    rule: 'payback-slipped',
    severity: 'warning',
    subject,
    financialYear: fy,
    figures: { baselinePaybackFinancialYear: planned, forecastPaybackFinancialYear: now },
    message: `${where} now pays back ${now ? `in ${now}` : 'not within 30 years'}, later than the ${planned} of its baseline.`,
  };
}

/** The project's delivery confidence fell. */
function confidenceDeteriorated(v: ProjectView): Found {
  const { active, p, subject, fy, where } = v;
  const { project } = p;
  const previous = project.previousDeliveryConfidence;
  if (!(active && previous && CONFIDENCE_RANK[project.deliveryConfidence] > CONFIDENCE_RANK[previous])) return null;
  return {
    rule: 'confidence-deteriorated',
    severity: project.deliveryConfidence === 'red' ? 'critical' : 'warning',
    subject,
    financialYear: fy,
    figures: { from: previous, to: project.deliveryConfidence, changedAt: project.deliveryConfidenceChangedAt ?? null },
    message: `${where}: delivery confidence fell from ${previous} to ${project.deliveryConfidence}.`,
  };
}

// --- roll-up rules (a workstream, the programme) ------------------------------

interface RollUpView extends Frame {
  subject: AlertSubject;
  target: Pence;
  figures: ReturnType<typeof rollUp>;
}

/** The outturn short of the MTFS target. */
function mtfsGap({ subject, target, figures: f, fy, settings, t }: RollUpView): Found {
  const gap = f.gapPence ?? 0;
  if (!(target > 0 && gap >= settings.minimumPence)) return null;
  const share = pct(gap, target);
  return {
    rule: 'mtfs-gap',
    severity: subject.type === 'programme' || share >= 100 - t.ragAmberPct ? 'critical' : 'warning',
    subject,
    financialYear: fy,
    figures: { mtfsTargetPence: target, outturnPence: f.outturnPence, gapPence: gap, riskAdjustedGapPence: f.riskAdjustedGapPence },
    message: `${subject.label}: ${fy} outturn ${m(f.outturnPence)} is ${m(gap)} short of the ${m(target)} MTFS target (${share}%).`,
  };
}

/** One-off savings this FY that fall out next FY and must be replaced. */
function oneOffFallout({ subject, figures: f, fy, settings }: RollUpView): Found {
  if (!(f.oneOffFalloutPence >= settings.minimumPence)) return null;
  return {
    rule: 'one-off-fallout',
    severity: 'info',
    subject,
    financialYear: fy,
    figures: { oneOffFalloutPence: f.oneOffFalloutPence, pressureYear: nextFy(fy) },
    message: `${subject.label}: ${m(f.oneOffFalloutPence)} of one-off savings in ${fy} fall out in ${nextFy(fy)} and must be replaced.`,
  };
}

// --- programme-wide rules ------------------------------------------------------

interface ProgrammeView extends Frame {
  programme: ProgrammeForAlerts;
  /** Every benefit's summary, in project order. */
  all: BenefitSummary[];
}

/** Two live benefits claiming one MTFS line in the FY. Grouped by line, so it grows with benefits, not their pairs. */
function doubleCountRisk({ all, fy }: ProgrammeView): AlertCondition[] {
  const byRef = new Map<string, BenefitSummary[]>();
  for (const s of all) {
    if (isWrittenOut(s.status)) continue;
    if ((s.baseline[fy] ?? 0) === 0 && (s.forecast[fy] ?? 0) === 0) continue;
    const ref = s.mtfsRef.trim().toUpperCase();
    byRef.set(ref, [...(byRef.get(ref) ?? []), s]);
  }
  return [...byRef]
    .filter(([, claims]) => claims.length >= 2)
    .map(([ref, claims]) => ({
      rule: 'double-count-risk',
      severity: 'warning',
      subject: { type: 'programme', id: `mtfs:${ref}`, label: `MTFS line ${ref}` },
      financialYear: fy,
      figures: { mtfsRef: ref, claims: claims.length, baselinePence: claims.reduce((a, c) => a + (c.baseline[fy] ?? 0), 0) },
      message: `MTFS line ${ref} is claimed by ${claims.length} savings in ${fy} (${claims.map((c) => `"${c.title}"`).join(', ')}): check they are not counted twice.`,
    }));
}

/** A saving written out with part of its FY baseline not yet replaced. Each with its own replacements: it grows with benefits, not their pairs. */
function unreplacedWriteOut({ all, programme, fy, asAt, t, periods, settings }: ProgrammeView): AlertCondition[] {
  const out: AlertCondition[] = [];
  const writtenOut = all.filter((s) => isWrittenOut(s.status));
  if (writtenOut.length === 0) return out;
  const replacements = new Map<string, BenefitSummary[]>();
  for (const r of all) if (r.replacesBenefitId) replacements.set(r.replacesBenefitId, [...(replacements.get(r.replacesBenefitId) ?? []), r]);
  const projects = new Map(programme.projects.map((x) => [x.project.id, x]));
  for (const s of writtenOut) {
    const buckets = statusBuckets([s], fy, asAt, t, replacements.get(s.id) ?? [], periods);
    if (!(buckets.writtenOut.count === 1 && buckets.writtenOut.unreplacedPence >= settings.minimumPence)) continue;
    const p = projects.get(s.projectId)!;
    out.push({
      rule: 'unreplaced-write-out',
      severity: 'warning',
      subject: { type: 'benefit', id: s.id, label: `${p.workstream.name}: ${s.title}`, workstreamId: p.workstream.id, projectId: s.projectId },
      financialYear: fy,
      figures: {
        writtenOutBaselinePence: buckets.writtenOut.baselinePence,
        replacementForecastPence: buckets.writtenOut.replacementForecastPence,
        unreplacedPence: buckets.writtenOut.unreplacedPence,
      },
      message: `${p.workstream.name}: "${s.title}" was written out with ${m(buckets.writtenOut.unreplacedPence)} of its ${fy} baseline not yet replaced.`,
    });
  }
  return out;
}

/** Working days (Monday to Friday) from a moment's London date to a date; bank holidays are not known, so counted as working days. */
export function workingDaysBetween(fromIso: string, toDate: IsoDate): number {
  let days = 0;
  const end = Date.parse(`${toDate}T00:00:00Z`);
  for (let t = Date.parse(`${fromIso.slice(0, 10)}T00:00:00Z`) + 86_400_000; t <= end; t += 86_400_000) {
    const day = new Date(t).getUTCDay();
    if (day !== 0 && day !== 6) days += 1;
  }
  return days;
}

/** Change requests left undecided too long: a decision the programme is waiting on. */
function changeRequestPending({ p, subject, fy, asAt, settings }: ProjectView): Found {
  const overdue = (p.pendingChanges ?? [])
    .map((r) => ({ r, days: workingDaysBetween(r.requestedAt, asAt) }))
    .filter(({ days }) => days > settings.changeRequestPendingWorkingDays)
    .sort((a, b) => b.days - a.days);
  if (overdue.length === 0) return null;
  const oldest = overdue[0]!;
  return {
    rule: 'change-request-pending',
    severity: 'warning',
    subject,
    financialYear: fy,
    figures: { pendingRequests: overdue.length, oldestWorkingDays: oldest.days, requestIds: overdue.map(({ r }) => r.id).join(' ') },
    message: `${subject.label}: ${overdue.length === 1 ? `a ${oldest.r.kind} request` : `${overdue.length} change requests`} awaiting finance's decision for more than ${settings.changeRequestPendingWorkingDays} working days (the oldest ${oldest.days}, asked by ${oldest.r.requestedBy}).`,
  };
}

// --- the registry ----------------------------------------------------------------

/** Every rule, by what it looks at, in the order its conditions are listed. */
export const ALERT_RULES = {
  benefit: [forecastSlippage, disBenefitOverrun, realisedBeforeMilestone, underRealisation, staleForecast, unvalidatedActuals],
  investment: [investmentOverrun],
  project: [paybackSlipped, changeRequestPending],
  milestone: [milestoneOverdue],
  risk: [highRisk],
  projectAfter: [confidenceDeteriorated],
  rollUp: [mtfsGap, oneOffFallout],
  programme: [doubleCountRisk, unreplacedWriteOut],
} as const;

const found = (c: Found): c is AlertCondition => c !== null;

/**
 * Every condition that holds for the FY of `asAt`. Pure: the same programme,
 * date and settings always give the same conditions.
 */
export function evaluateAlerts(
  programme: ProgrammeForAlerts,
  settings: AlertSettings = DEFAULT_ALERT_SETTINGS,
  t: Thresholds = DEFAULT_THRESHOLDS,
): AlertCondition[] {
  const { asAt, periods } = programme;
  const fy = fyOfDate(asAt);
  const frame: Frame = { fy, asAt, completedMonth: addMonths(monthOfDate(asAt), -1), settings, t, periods };
  const out: AlertCondition[] = [];
  const all: BenefitSummary[] = [];
  // Each project's savings summarised once, and each saving's year worked out once, for its own rules and every roll-up.
  const summariesOf = new Map<string, BenefitSummary[]>();
  const yearOf = benefitYears(fy, asAt, t, periods);

  for (const p of programme.projects) {
    const { project, workstream } = p;
    const where = `${workstream.name}: ${project.name}`;
    const summaries = p.benefits.map((b) => summariseBenefit(b, project));
    summariesOf.set(project.id, summaries);
    all.push(...summaries);
    const view: ProjectView = {
      ...frame,
      p,
      where,
      subject: { type: 'project', id: project.id, label: where, workstreamId: workstream.id, projectId: project.id },
      summaries,
      investments: p.investments.map(summariseInvestment),
      active: project.stage !== 'closed' && project.stage !== 'cancelled',
    };
    for (const [i, b] of p.benefits.entries()) {
      const y = yearOf(summaries[i]!);
      const benefitView: BenefitView = {
        ...view,
        b,
        y,
        benefitSubject: { type: 'benefit', id: b.id, label: `${workstream.name}: ${b.title}`, workstreamId: workstream.id, projectId: project.id },
        live: view.active && !isWrittenOut(b.status) && b.status !== 'achieved',
        counts: y.countsTowardsMtfs && !y.pipeline,
      };
      out.push(...ALERT_RULES.benefit.map((rule) => rule(benefitView)).filter(found));
    }
    for (const line of p.investments) out.push(...ALERT_RULES.investment.map((rule) => rule(view, line)).filter(found));
    out.push(...ALERT_RULES.project.map((rule) => rule(view)).filter(found));
    for (const ms of p.milestones) out.push(...ALERT_RULES.milestone.map((rule) => rule(view, ms)).filter(found));
    for (const r of p.risks) out.push(...ALERT_RULES.risk.map((rule) => rule(view, r)).filter(found));
    out.push(...ALERT_RULES.projectAfter.map((rule) => rule(view)).filter(found));
  }

  // Each workstream against its MTFS target, then the programme against theirs.
  const programmeBenefits: BenefitSummary[] = [];
  let programmeTarget = 0;
  const rollUpRules = (subject: AlertSubject, benefits: BenefitSummary[], target: Pence) => {
    const rolled: RollUpView = { ...frame, subject, target, figures: rollUp(benefits, [], fy, asAt, target, t, periods, 'mtfs', yearOf) };
    out.push(...ALERT_RULES.rollUp.map((rule) => rule(rolled)).filter(found));
  };
  for (const ws of programme.workstreams) {
    const benefits = programme.projects.filter((p) => p.workstream.id === ws.id).flatMap((p) => summariesOf.get(p.project.id) ?? []);
    for (const b of benefits) programmeBenefits.push(b);
    const target = ws.mtfsTargets[fy] ?? 0;
    programmeTarget += target;
    rollUpRules({ type: 'workstream', id: ws.id, label: ws.name, workstreamId: ws.id }, benefits, target);
  }
  rollUpRules({ type: 'programme', id: 'programme', label: 'The programme' }, programmeBenefits, programmeTarget);

  const whole: ProgrammeView = { ...frame, programme, all };
  for (const rule of ALERT_RULES.programme) out.push(...rule(whole));
  return out;
}
