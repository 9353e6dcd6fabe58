import { createHash } from 'node:crypto';
import * as z from 'zod';
import { Timestamp, UserId } from './common.ts';
import { isWrittenOut, type Benefit } from './benefit.ts';
import {
  benefitYear,
  DEFAULT_THRESHOLDS,
  projectFinancials,
  rollUp,
  statusBuckets,
  summariseBenefit,
  summariseInvestment,
  type BenefitSummary,
  type Thresholds,
} from './figures.ts';
import { addMonths, fyOfDate, fyOfMonth, monthOfDate, nextFy, type FinancialYear, type IsoDate } from './fy.ts';
import type { Investment } from './investment.ts';
import type { Milestone } from './milestone.ts';
import { formatPoundsShort, type Pence } from './money.ts';
import type { DeliveryConfidence, Project } from './project.ts';
import type { PeriodsState } from './periods.ts';
import type { Risk } from './risk.ts';
import type { Workstream } from './workstream.ts';

/**
 * Benefits-realisation alerts (spec section 5): each rule a pure function of
 * the programme as at a date, with configurable thresholds, producing the
 * conditions that hold. The evaluation job turns conditions into stored
 * alerts exactly once (keyed on rule + subject + FY).
 */

export const AlertRule = z.enum([
  'forecast-slippage',
  'under-realisation',
  'mtfs-gap',
  'investment-overrun',
  'payback-slipped',
  'milestone-overdue',
  'high-risk',
  'stale-forecast',
  'unvalidated-actuals',
  'confidence-deteriorated',
  'one-off-fallout',
  'double-count-risk',
  'unreplaced-write-out',
  'dis-benefit-overrun',
  'realised-before-milestone',
]);
export type AlertRule = z.infer<typeof AlertRule>;
export const Severity = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof Severity>;
export const AlertStatus = z.enum(['open', 'acknowledged', 'resolved']);

export const AlertSubject = z.object({
  type: z.enum(['programme', 'workstream', 'project', 'benefit', 'investment', 'risk', 'milestone']),
  id: z.string(),
  label: z.string().meta({ description: 'What a person calls it, e.g. "Adult Social Care: Reablement".' }),
  workstreamId: z.string().optional(),
  projectId: z.string().optional(),
});
export type AlertSubject = z.infer<typeof AlertSubject>;

/** A condition that holds as at the evaluation date. */
export interface AlertCondition {
  rule: AlertRule;
  severity: Severity;
  subject: AlertSubject;
  financialYear: FinancialYear;
  figures: Record<string, number | string | null>;
  message: string;
}

export const Alert = z
  .object({
    id: z.string(),
    rule: AlertRule,
    severity: Severity,
    subject: AlertSubject,
    financialYear: z.string(),
    figures: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
    message: z.string(),
    status: AlertStatus,
    occurrence: z.int().positive().meta({ description: 'How many times this condition has been raised (a re-raise after resolving is a new occurrence).' }),
    firstRaisedAt: Timestamp,
    lastSeenAt: Timestamp,
    resolvedAt: Timestamp.optional(),
    acknowledgedAt: Timestamp.optional(),
    acknowledgedBy: UserId.optional(),
    acknowledgementNote: z.string().optional(),
    escalatedAt: Timestamp.optional().meta({ description: 'When its severity last rose.' }),
    version: z.int().positive(),
  })
  .meta({ id: 'Alert' });
export type Alert = z.infer<typeof Alert>;

/** Thresholds of the rules; each from a setting (see README). */
export interface AlertSettings {
  /** Forecast below baseline by more than this % … */
  slippageTolerancePct: number;
  /** … and by at least this much, so trivial variances page no one. */
  minimumPence: Pence;
  /** Realised to date below phased baseline to date by more than this %. */
  underRealisationTolerancePct: number;
  /** Actual spend above planned to date by more than this %. */
  investmentOverrunPct: number;
  /** A project's baseline in the FY at least this much makes its High/Critical risks alert. */
  materialSavingsPence: Pence;
  staleForecastDays: number;
  unvalidatedDays: number;
  /** A dis-benefit's forecast cost above its baseline cost by more than this %. */
  disBenefitOverrunPct: number;
}

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  slippageTolerancePct: 5,
  minimumPence: 1_000_000,
  underRealisationTolerancePct: 10,
  investmentOverrunPct: 10,
  materialSavingsPence: 10_000_000,
  staleForecastDays: 35,
  unvalidatedDays: 30,
  disBenefitOverrunPct: 5,
};

export const AlertSettingsFromEnv = z
  .object({
    ALERT_SLIPPAGE_TOLERANCE_PCT: z.coerce.number().int().min(0).max(100).default(DEFAULT_ALERT_SETTINGS.slippageTolerancePct),
    ALERT_MINIMUM_PENCE: z.coerce.number().int().min(0).default(DEFAULT_ALERT_SETTINGS.minimumPence),
    ALERT_UNDER_REALISATION_TOLERANCE_PCT: z.coerce.number().int().min(0).max(100).default(DEFAULT_ALERT_SETTINGS.underRealisationTolerancePct),
    ALERT_INVESTMENT_OVERRUN_PCT: z.coerce.number().int().min(0).max(1000).default(DEFAULT_ALERT_SETTINGS.investmentOverrunPct),
    ALERT_MATERIAL_SAVINGS_PENCE: z.coerce.number().int().min(0).default(DEFAULT_ALERT_SETTINGS.materialSavingsPence),
    ALERT_STALE_FORECAST_DAYS: z.coerce.number().int().min(1).max(365).default(DEFAULT_ALERT_SETTINGS.staleForecastDays),
    ALERT_UNVALIDATED_DAYS: z.coerce.number().int().min(1).max(365).default(DEFAULT_ALERT_SETTINGS.unvalidatedDays),
    ALERT_DIS_BENEFIT_OVERRUN_PCT: z.coerce.number().int().min(0).max(1000).default(DEFAULT_ALERT_SETTINGS.disBenefitOverrunPct),
  })
  .transform(
    (e): AlertSettings => ({
      slippageTolerancePct: e.ALERT_SLIPPAGE_TOLERANCE_PCT,
      minimumPence: e.ALERT_MINIMUM_PENCE,
      underRealisationTolerancePct: e.ALERT_UNDER_REALISATION_TOLERANCE_PCT,
      investmentOverrunPct: e.ALERT_INVESTMENT_OVERRUN_PCT,
      materialSavingsPence: e.ALERT_MATERIAL_SAVINGS_PENCE,
      staleForecastDays: e.ALERT_STALE_FORECAST_DAYS,
      unvalidatedDays: e.ALERT_UNVALIDATED_DAYS,
      disBenefitOverrunPct: e.ALERT_DIS_BENEFIT_OVERRUN_PCT,
    }),
  );

/** One project as the rules see it: the whole record and its workstream. */
export interface ProjectForAlerts {
  project: Project;
  workstream: Workstream;
  benefits: Benefit[];
  investments: Investment[];
  risks: Risk[];
  milestones: Milestone[];
}

export interface ProgrammeForAlerts {
  asAt: IsoDate;
  workstreams: Workstream[];
  projects: ProjectForAlerts[];
  /** The periods closed: outturn is realised in closed months + forecast in open ones. */
  periods: PeriodsState;
}

const pct = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part * 100) / whole));
const m = formatPoundsShort;

/** The stable key of a condition: the same rule, subject and FY is the same alert. */
export function alertKey(c: Pick<AlertCondition, 'rule' | 'subject' | 'financialYear'>): string {
  return `${c.rule}|${c.subject.type}:${c.subject.id}|${c.financialYear}`;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A deterministic alert id from its key (ULID-shaped: 26 Crockford base-32 characters). */
export function alertId(key: string): string {
  const digest = createHash('sha256').update(key).digest();
  let bits = 0n;
  for (const byte of digest.subarray(0, 17)) bits = (bits << 8n) | BigInt(byte);
  let out = '';
  for (let i = 0; i < 26; i++) out += CROCKFORD[Number((bits >> BigInt(5 * (25 - i) + 6)) & 31n)];
  return `alr_${out}`;
}

const CONFIDENCE_RANK: Record<DeliveryConfidence, number> = { green: 0, 'amber-green': 1, amber: 2, 'amber-red': 3, red: 4 };

function daysBetween(fromIso: string, toDate: IsoDate): number {
  return Math.floor((Date.parse(`${toDate}T23:59:59Z`) - Date.parse(fromIso)) / 86_400_000);
}

/** The last day of a month, as a date. */
function monthEnd(month: string): IsoDate {
  const [y, mo] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, mo, 0)).toISOString().slice(0, 10);
}

/**
 * Every condition that holds for the FY of `asAt`. Pure: the same programme,
 * date and settings always give the same conditions.
 */
export function evaluateAlerts(programme: ProgrammeForAlerts, settings: AlertSettings = DEFAULT_ALERT_SETTINGS, t: Thresholds = DEFAULT_THRESHOLDS): AlertCondition[] {
  const { asAt } = programme;
  const fy = fyOfDate(asAt);
  const out: AlertCondition[] = [];
  const completedMonth = addMonths(monthOfDate(asAt), -1);
  const allSummaries: BenefitSummary[] = [];

  for (const p of programme.projects) {
    const { project, workstream } = p;
    const where = `${workstream.name}: ${project.name}`;
    const projectSubject = { type: 'project' as const, id: project.id, label: where, workstreamId: workstream.id, projectId: project.id };
    const summaries = p.benefits.map((b) => summariseBenefit(b, project));
    allSummaries.push(...summaries);
    const investmentSummaries = p.investments.map(summariseInvestment);
    const active = project.stage !== 'closed' && project.stage !== 'cancelled';

    for (const [i, b] of p.benefits.entries()) {
      const s = summaries[i]!;
      const y = benefitYear(s, fy, asAt, t, programme.periods);
      const subject = { type: 'benefit' as const, id: b.id, label: `${workstream.name}: ${b.title}`, workstreamId: workstream.id, projectId: project.id };
      const live = active && !isWrittenOut(b.status) && b.status !== 'achieved';

      // forecast-slippage: the outturn of an agreed, MTFS-countable saving short of its baseline
      const counts = y.countsTowardsMtfs && !y.pipeline;
      const shortfall = y.baselinePence - y.outturnPence;
      if (live && counts && y.baselinePence > 0 && shortfall >= settings.minimumPence && shortfall * 100 > y.baselinePence * settings.slippageTolerancePct) {
        const share = pct(shortfall, y.baselinePence);
        out.push({
          rule: 'forecast-slippage',
          severity: share >= 100 - t.ragAmberPct ? 'critical' : 'warning',
          subject,
          financialYear: fy,
          figures: { baselinePence: y.baselinePence, outturnPence: y.outturnPence, forecastPence: y.forecastPence, shortfallPence: shortfall, shortfallPct: share },
          message: `${subject.label} saving forecast ${m(shortfall)} below its ${m(y.baselinePence)} baseline for ${fy} (${share}%).`,
        });
      }

      // dis-benefit-overrun: a cost (negative baseline) forecast to be larger than planned
      const overrun = y.baselinePence - y.outturnPence;
      if (live && counts && y.baselinePence < 0 && overrun >= settings.minimumPence && overrun * 100 > -y.baselinePence * settings.disBenefitOverrunPct) {
        const share = pct(overrun, -y.baselinePence);
        out.push({
          rule: 'dis-benefit-overrun',
          severity: share >= 100 - t.ragAmberPct ? 'critical' : 'warning',
          subject,
          financialYear: fy,
          figures: { baselinePence: y.baselinePence, outturnPence: y.outturnPence, overrunPence: overrun, overrunPct: share },
          message: `${subject.label}: the dis-benefit's cost is forecast ${m(overrun)} above its ${m(-y.baselinePence)} baseline for ${fy} (${share}% over).`,
        });
      }

      // realised-before-milestone: savings recorded while a milestone they depend on is not complete — evidence to check
      const gating = p.milestones.filter((ms) => ms.benefitIds.includes(b.id) && (!ms.completedDate || ms.completedDate > asAt));
      let realisedToDate = 0;
      for (const [month, amount] of Object.entries(b.realised)) if (fyOfMonth(month) === fy && month <= monthOfDate(asAt)) realisedToDate += amount;
      if (gating.length > 0 && realisedToDate > 0) {
        out.push({
          rule: 'realised-before-milestone',
          severity: 'warning',
          subject,
          financialYear: fy,
          figures: { realisedToDatePence: realisedToDate, milestoneIds: gating.map((ms) => ms.id).join(' '), gatingMilestones: gating.length },
          message: `${subject.label}: ${m(realisedToDate)} realised in ${fy} although ${gating.map((ms) => `"${ms.title}" (due ${ms.dueDate})`).join(', ')} ${gating.length === 1 ? 'is' : 'are'} not complete — check the evidence.`,
        });
      }

      // under-realisation: completed months of the FY only
      let phased = 0;
      let realised = 0;
      for (const [month, amount] of Object.entries(b.baseline)) if (fyOfMonth(month) === fy && month <= completedMonth) phased += amount;
      for (const [month, amount] of Object.entries(b.realised)) if (fyOfMonth(month) === fy && month <= completedMonth) realised += amount;
      const behind = phased - realised;
      if (live && phased > 0 && behind >= settings.minimumPence && behind * 100 > phased * settings.underRealisationTolerancePct) {
        out.push({
          rule: 'under-realisation',
          severity: 'warning',
          subject,
          financialYear: fy,
          figures: { phasedBaselineToDatePence: phased, realisedToDatePence: realised, shortfallPence: behind, throughMonth: completedMonth },
          message: `${subject.label} has realised ${m(realised)} to the end of ${completedMonth} against ${m(phased)} planned by then (${pct(behind, phased)}% behind).`,
        });
      }

      // stale-forecast
      const lastUpdate = b.forecastUpdatedAt ?? b.createdAt;
      const staleDays = daysBetween(lastUpdate, asAt);
      if (live && (y.baselinePence !== 0 || y.pipelinePence !== 0 || y.forecastPence !== 0) && staleDays > settings.staleForecastDays) {
        out.push({
          rule: 'stale-forecast',
          severity: 'info',
          subject,
          financialYear: fy,
          figures: { forecastUpdatedAt: b.forecastUpdatedAt ?? null, daysSinceUpdate: staleDays },
          message: `${subject.label}: the forecast has not been updated for ${staleDays} days (${b.forecastUpdatedAt ? `last ${b.forecastUpdatedAt.slice(0, 10)}` : 'never set'}).`,
        });
      }

      // unvalidated-actuals: months ended long enough ago whose realised amount is not all validated
      let waiting = 0;
      let oldest: string | null = null;
      for (const [month, amount] of Object.entries(b.realised)) {
        const gap = amount - (b.validated[month] ?? 0);
        if (gap !== 0 && daysBetween(`${monthEnd(month)}T23:59:59Z`, asAt) > settings.unvalidatedDays) {
          waiting += gap;
          if (oldest === null || month < oldest) oldest = month;
        }
      }
      if (waiting !== 0) {
        out.push({
          rule: 'unvalidated-actuals',
          severity: 'info',
          subject,
          financialYear: fy,
          figures: { unvalidatedPence: waiting, oldestMonth: oldest },
          message: `${subject.label}: ${m(waiting)} of actuals since ${oldest} still await finance validation (over ${settings.unvalidatedDays} days).`,
        });
      }
    }

    // investment-overrun, by line, to the last completed month
    for (const line of p.investments) {
      let planned = 0;
      let actual = 0;
      for (const [month, amount] of Object.entries(line.planned)) if (fyOfMonth(month) === fy && month <= completedMonth) planned += amount;
      for (const [month, amount] of Object.entries(line.actual)) if (fyOfMonth(month) === fy && month <= monthOfDate(asAt)) actual += amount;
      const over = actual - planned;
      if (over >= settings.minimumPence && over * 100 > Math.max(planned, 1) * settings.investmentOverrunPct) {
        out.push({
          rule: 'investment-overrun',
          severity: 'warning',
          subject: { type: 'investment', id: line.id, label: `${where}: ${line.title}`, workstreamId: workstream.id, projectId: project.id },
          financialYear: fy,
          figures: { plannedToDatePence: planned, actualToDatePence: actual, overrunPence: over },
          message: `${where}: ${line.title} has spent ${m(actual)} against ${m(planned)} planned to date (${m(over)} over).`,
        });
      }
    }

    // payback-slipped
    if (active && p.investments.length > 0) {
      // From the FY of the project's start, as the project's own figures: a stray entry never moves it.
      const firstFy = fyOfDate(project.startDate);
      const now = projectFinancials(summaries, investmentSummaries, firstFy, asAt, t, 'forecast').paybackFinancialYear;
      const planned = projectFinancials(summaries, investmentSummaries, firstFy, asAt, t, 'baseline').paybackFinancialYear;
      if (planned !== null && (now === null || now > planned)) {
        out.push({
          rule: 'payback-slipped',
          severity: 'warning',
          subject: projectSubject,
          financialYear: fy,
          figures: { baselinePaybackFinancialYear: planned, forecastPaybackFinancialYear: now },
          message: `${where} now pays back ${now ? `in ${now}` : 'not within 30 years'}, later than the ${planned} of its baseline.`,
        });
      }
    }

    // milestone-overdue
    for (const ms of p.milestones) {
      if (active && !ms.completedDate && ms.dueDate < asAt && ms.benefitIds.length > 0) {
        const late = daysBetween(`${ms.dueDate}T23:59:59Z`, asAt);
        out.push({
          rule: 'milestone-overdue',
          severity: late > 30 ? 'critical' : 'warning',
          subject: { type: 'milestone', id: ms.id, label: `${where}: ${ms.title}`, workstreamId: workstream.id, projectId: project.id },
          financialYear: fy,
          figures: { dueDate: ms.dueDate, daysOverdue: late, dependentBenefits: ms.benefitIds.length },
          message: `${where}: milestone "${ms.title}" was due ${ms.dueDate} and is not complete; ${ms.benefitIds.length} saving${ms.benefitIds.length === 1 ? '' : 's'} depend on it.`,
        });
      }
    }

    // high-risk, on projects with material savings this FY
    const projectBaseline = summaries.reduce((a, s) => a + (s.baseline[fy] ?? 0), 0);
    for (const r of p.risks) {
      if (active && r.status === 'open' && (r.band === 'high' || r.band === 'critical') && projectBaseline >= settings.materialSavingsPence) {
        out.push({
          rule: 'high-risk',
          severity: r.band === 'critical' ? 'critical' : 'warning',
          subject: { type: 'risk', id: r.id, label: `${where}: ${r.title}`, workstreamId: workstream.id, projectId: project.id },
          financialYear: fy,
          figures: { score: r.score, band: r.band, projectBaselinePence: projectBaseline, savingsAtRiskPence: r.savingsAtRiskPence ?? null },
          message: `${where}: ${r.band} risk "${r.title}" (score ${r.score}) on ${m(projectBaseline)} of ${fy} savings${r.savingsAtRiskPence ? `, ${m(r.savingsAtRiskPence)} at risk` : ''}.`,
        });
      }
    }

    // confidence-deteriorated
    const previous = project.previousDeliveryConfidence;
    if (active && previous && CONFIDENCE_RANK[project.deliveryConfidence] > CONFIDENCE_RANK[previous]) {
      out.push({
        rule: 'confidence-deteriorated',
        severity: project.deliveryConfidence === 'red' ? 'critical' : 'warning',
        subject: projectSubject,
        financialYear: fy,
        figures: { from: previous, to: project.deliveryConfidence, changedAt: project.deliveryConfidenceChangedAt ?? null },
        message: `${where}: delivery confidence fell from ${previous} to ${project.deliveryConfidence}.`,
      });
    }
  }

  // Workstream and programme roll-ups: mtfs-gap and one-off-fallout.
  const programmeBenefits: BenefitSummary[] = [];
  let programmeTarget = 0;
  for (const ws of programme.workstreams) {
    const benefits = programme.projects.filter((p) => p.workstream.id === ws.id).flatMap((p) => p.benefits.map((b) => summariseBenefit(b, p.project)));
    programmeBenefits.push(...benefits);
    const target = ws.mtfsTargets[fy] ?? 0;
    programmeTarget += target;
    out.push(...rollUpConditions({ type: 'workstream', id: ws.id, label: ws.name, workstreamId: ws.id }, benefits, target, fy, asAt, settings, t, programme.periods));
  }
  out.push(...rollUpConditions({ type: 'programme', id: 'programme', label: 'The programme' }, programmeBenefits, programmeTarget, fy, asAt, settings, t, programme.periods));

  // double-count-risk: two live benefits claim one MTFS line in the FY
  const byRef = new Map<string, BenefitSummary[]>();
  for (const s of allSummaries) {
    if (isWrittenOut(s.status)) continue;
    if ((s.baseline[fy] ?? 0) === 0 && (s.forecast[fy] ?? 0) === 0) continue;
    const ref = s.mtfsRef.trim().toUpperCase();
    byRef.set(ref, [...(byRef.get(ref) ?? []), s]);
  }
  for (const [ref, claims] of byRef) {
    if (claims.length < 2) continue;
    out.push({
      rule: 'double-count-risk',
      severity: 'warning',
      subject: { type: 'programme', id: `mtfs:${ref}`, label: `MTFS line ${ref}` },
      financialYear: fy,
      figures: { mtfsRef: ref, claims: claims.length, baselinePence: claims.reduce((a, c) => a + (c.baseline[fy] ?? 0), 0) },
      message: `MTFS line ${ref} is claimed by ${claims.length} savings in ${fy} (${claims.map((c) => `"${c.title}"`).join(', ')}): check they are not counted twice.`,
    });
  }

  // unreplaced-write-out
  for (const s of allSummaries) {
    const buckets = statusBuckets([s], fy, asAt, t, allSummaries, programme.periods);
    if (buckets.writtenOut.count === 1 && buckets.writtenOut.unreplacedPence >= settings.minimumPence) {
      const p = programme.projects.find((x) => x.project.id === s.projectId)!;
      out.push({
        rule: 'unreplaced-write-out',
        severity: 'warning',
        subject: { type: 'benefit', id: s.id, label: `${p.workstream.name}: ${s.title}`, workstreamId: p.workstream.id, projectId: s.projectId },
        financialYear: fy,
        figures: { writtenOutBaselinePence: buckets.writtenOut.baselinePence, replacementForecastPence: buckets.writtenOut.replacementForecastPence, unreplacedPence: buckets.writtenOut.unreplacedPence },
        message: `${p.workstream.name}: "${s.title}" was written out with ${m(buckets.writtenOut.unreplacedPence)} of its ${fy} baseline not yet replaced.`,
      });
    }
  }
  return out;
}

function rollUpConditions(subject: AlertSubject, benefits: BenefitSummary[], target: Pence, fy: FinancialYear, asAt: IsoDate, settings: AlertSettings, t: Thresholds, periods: PeriodsState): AlertCondition[] {
  const out: AlertCondition[] = [];
  const f = rollUp(benefits, [], fy, asAt, target, t, periods);
  const gap = f.gapPence ?? 0;
  if (target > 0 && gap >= settings.minimumPence) {
    const share = pct(gap, target);
    out.push({
      rule: 'mtfs-gap',
      severity: subject.type === 'programme' || share >= 100 - t.ragAmberPct ? 'critical' : 'warning',
      subject,
      financialYear: fy,
      figures: { mtfsTargetPence: target, outturnPence: f.outturnPence, gapPence: gap, riskAdjustedGapPence: f.riskAdjustedGapPence },
      message: `${subject.label}: ${fy} outturn ${m(f.outturnPence)} is ${m(gap)} short of the ${m(target)} MTFS target (${share}%).`,
    });
  }
  if (f.oneOffFalloutPence >= settings.minimumPence) {
    out.push({
      rule: 'one-off-fallout',
      severity: 'info',
      subject,
      financialYear: fy,
      figures: { oneOffFalloutPence: f.oneOffFalloutPence, pressureYear: nextFy(fy) },
      message: `${subject.label}: ${m(f.oneOffFalloutPence)} of one-off savings in ${fy} fall out in ${nextFy(fy)} and must be replaced.`,
    });
  }
  return out;
}
