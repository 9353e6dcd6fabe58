import { lazySchema } from './lazy-schema.ts';
import type { ChangeRequest } from './change-request.ts';
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { Timestamp, UserId } from './common.ts';
import type { Benefit } from './benefit.ts';
import type { FinancialYear, IsoDate } from './fy.ts';
import type { Investment } from './investment.ts';
import type { Milestone } from './milestone.ts';
import type { Pence } from './money.ts';
import type { Project } from './project.ts';
import type { PeriodsState } from './periods.ts';
import type { Risk } from './risk.ts';
import type { Workstream } from './workstream.ts';

/**
 * Benefits-realisation alerts (spec section 5): each rule a pure function of
 * the programme as at a date, with configurable thresholds, producing the
 * conditions that hold. The evaluation job turns conditions into stored
 * alerts exactly once (keyed on rule + subject + FY).
 */

export const AlertRule = lazySchema(() =>
  z.enum([
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
    'change-request-pending',
  ]),
);
export type AlertRule = z.infer<typeof AlertRule>;
export const Severity = lazySchema(() => z.enum(['info', 'warning', 'critical']));
export type Severity = z.infer<typeof Severity>;
export const AlertStatus = lazySchema(() => z.enum(['open', 'acknowledged', 'resolved']));

export const AlertSubject = lazySchema(() =>
  z.object({
    type: z.enum(['programme', 'workstream', 'project', 'benefit', 'investment', 'risk', 'milestone']),
    id: z.string(),
    label: z.string().meta({ description: 'What a person calls it, e.g. "Adult Social Care: Reablement".' }),
    workstreamId: z.string().optional(),
    projectId: z.string().optional(),
  }),
);
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

export const Alert = lazySchema(() =>
  z
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
    .meta({ id: 'Alert' }),
);
export type Alert = z.infer<typeof Alert>;

/** Thresholds of the rules; each from a setting (docs/settings.md). */
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
  /** A change request left undecided for more than this many working days (Monday to Friday). */
  changeRequestPendingWorkingDays: number;
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
  changeRequestPendingWorkingDays: 10,
};

/** One project as the rules see it: the whole record and its workstream. */
export interface ProjectForAlerts {
  project: Project;
  workstream: Workstream;
  benefits: Benefit[];
  investments: Investment[];
  risks: Risk[];
  milestones: Milestone[];
  /** Its change requests awaiting a decision (none when not loaded). */
  pendingChanges?: Array<Pick<ChangeRequest, 'id' | 'kind' | 'requestedAt' | 'requestedBy'>>;
}

export interface ProgrammeForAlerts {
  asAt: IsoDate;
  workstreams: Workstream[];
  projects: ProjectForAlerts[];
  /** The periods closed: outturn is realised in closed months + forecast in open ones. */
  periods: PeriodsState;
}

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

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/**
 * What a condition that holds makes of its alert: a new occurrence when
 * there is none or it had resolved (raised), otherwise the same alert seen
 * again, its figures and message brought up to date, marked escalated when
 * its severity rose. Acknowledgement survives. `changed` says whether it
 * needs writing at all: an alert seen again exactly as it was is not written
 * (its `lastSeenAt` moves with the run, not with a write of its own).
 */
export function alertFromCondition(
  id: string,
  c: AlertCondition,
  current: Alert | undefined,
  now: string,
): { alert: Alert; raised: boolean; escalated: boolean; changed: boolean } {
  const seen = {
    rule: c.rule,
    severity: c.severity,
    subject: c.subject,
    financialYear: c.financialYear,
    figures: c.figures,
    message: c.message,
    lastSeenAt: now,
  };
  if (!current || current.status === 'resolved') {
    return {
      alert: { id, ...seen, status: 'open', occurrence: (current?.occurrence ?? 0) + 1, firstRaisedAt: now, version: (current?.version ?? 0) + 1 },
      raised: true,
      escalated: false,
      changed: true,
    };
  }
  const escalated = SEVERITY_RANK[c.severity] > SEVERITY_RANK[current.severity];
  const changed = escalated || c.severity !== current.severity || c.message !== current.message || !sameFigures(c.figures, current.figures);
  return {
    alert: { ...current, ...seen, ...(escalated ? { escalatedAt: now } : {}), version: current.version + 1 },
    raised: false,
    escalated,
    changed,
  };
}

/** The same figures, name by name (an alert's or a condition's). */
export function sameFigures(a: AlertCondition['figures'], b: AlertCondition['figures']): boolean {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((n) => Object.hasOwn(b, n) && a[n] === b[n]);
}

/** One step in an alert's life, kept for good (GET /v1/alerts/{id} shows them, oldest first). */
export const AlertHistoryEntry = lazySchema(() =>
  z
    .object({
      action: z.enum(['raised', 'escalated', 'acknowledged', 'resolved']),
      at: Timestamp,
      /** Who acknowledged it; the evaluation (a job) otherwise. */
      by: UserId.optional(),
      occurrence: z.int().min(1),
      severity: Severity,
      message: z.string(),
      note: z.string().optional(),
      /** The alert's version this step wrote. */
      version: z.int().min(1),
    })
    .meta({ id: 'AlertHistoryEntry' }),
);
export type AlertHistoryEntry = z.infer<typeof AlertHistoryEntry>;

/**
 * The audit action of each step of an alert's life. Each step's audit entry
 * is written in the step's own transaction and holds the alert as the step
 * left it, so an alert's audit trail is its history: the step is written
 * once, not once for the trail and again for the history.
 */
export const ALERT_STEP_ACTIONS = { raised: 'raise', escalated: 'escalate', acknowledged: 'acknowledge', resolved: 'resolve' } as const satisfies Record<
  AlertHistoryEntry['action'],
  string
>;
const STEP_OF_ACTION = new Map<string, AlertHistoryEntry['action']>(
  Object.entries(ALERT_STEP_ACTIONS).map(([step, action]) => [action, step as AlertHistoryEntry['action']]),
);

/** The step of an alert's life an audit entry of the alert records (none for another action), with the alert as the step left it. */
export function alertStepOfAudit(entry: { action: string; at: string; actor: { sub: string } }, after: Alert): AlertHistoryEntry | undefined {
  const step = STEP_OF_ACTION.get(entry.action);
  return step && alertHistoryEntry(after, step, entry.at, step === 'acknowledged' ? entry.actor.sub : undefined);
}

/** Is this audit action a step of an alert's life? */
export function isAlertStep(action: string): boolean {
  return STEP_OF_ACTION.has(action);
}

/**
 * An alert's history, oldest first: the steps read from its audit trail, and
 * the history entries stored on their own before the trail was the history
 * (until December 2026) — a step both recorded (its version) is shown once.
 */
export function mergedAlertHistory(fromTrail: AlertHistoryEntry[], stored: AlertHistoryEntry[]): AlertHistoryEntry[] {
  const byVersion = new Map<number, AlertHistoryEntry>();
  for (const e of stored) byVersion.set(e.version, e);
  for (const e of fromTrail) if (!byVersion.has(e.version)) byVersion.set(e.version, e);
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

/** The history entry of an alert write that changed its life (a refresh of `lastSeenAt` is not one). */
export function alertHistoryEntry(alert: Alert, action: AlertHistoryEntry['action'], at: string, by?: string): AlertHistoryEntry {
  return {
    action,
    at,
    ...(by ? { by } : {}),
    occurrence: alert.occurrence,
    severity: alert.severity,
    message: alert.message,
    ...(action === 'acknowledged' && alert.acknowledgementNote ? { note: alert.acknowledgementNote } : {}),
    version: alert.version,
  };
}
