import {
  addMonths,
  allocateEvenly,
  fyOfDate,
  isBaselineLocked,
  monthsOfFy,
  todayInLondon,
  type BenefitCategory,
  type BenefitType,
  type DeliveryConfidence,
  type Recurrence,
  type Stage,
} from '@bt/core';
import type { Mailer } from '@bt/email';
import * as svc from '@bt/services';

/**
 * An ILLUSTRATIVE demo programme built around the spec's worked example
 * (LGA Corporate Peer Challenge, Liverpool City Council, July 2024): a
 * council with a £613.385m net revenue budget and an £85.588m savings
 * programme over 2023/24–2025/26, of which £48.951m was agreed for 2023/24
 * and £42.882m delivered (87.6%). The workstreams, projects and the later
 * years are invented to exercise every report, feed and alert; the council
 * tax lever uses the report's figure of about £2.2m a year per percentage
 * point of collection. Amounts below are £ thousands.
 */
type FY = '2023/24' | '2024/25' | '2025/26' | '2026/27';
/** [baseline, forecast, realised] in £k for an FY. */
type Year = [number, number, number?];

interface DemoBenefit {
  title: string;
  mtfsRef: string;
  type?: BenefitType;
  category?: BenefitCategory;
  recurrence?: Recurrence;
  confidencePct?: number;
  years: Partial<Record<FY, Year>>;
  /** Part-year effect: the first month of the FY the saving starts. */
  from?: Partial<Record<FY, string>>;
  writtenOut?: boolean;
  replaces?: string;
  measure?: { name: string; unit: string; baselineValue: number; targetValue: number; pencePerUnit: number };
  /** Leave this benefit's latest actual unvalidated (finance has not got to it). */
  leaveUnvalidated?: boolean;
}

interface DemoProject {
  code: string;
  name: string;
  directorate: string;
  stage: Stage;
  confidence: DeliveryConfidence;
  previousConfidence?: DeliveryConfidence;
  /** The manager's commentary (explanation and mitigation), quoted beside amber and red lines. */
  commentary?: string;
  startDate: string;
  endDate: string;
  benefits: DemoBenefit[];
  investments?: {
    title: string;
    kind: 'capital' | 'revenue';
    fundingSource: 'flexible-capital-receipts' | 'reserves' | 'grant' | 'revenue-budget' | 'borrowing' | 'other';
    planned: Partial<Record<FY, number>>;
    spent: Partial<Record<FY, number>>;
  }[];
  risks?: { title: string; likelihood: number; impact: number; mitigation: string; benefit?: string; atRisk?: number }[];
  milestones?: { title: string; dueDate: string; completedDate?: string; benefits: string[] }[];
}

interface DemoWorkstream {
  code: string;
  name: string;
  lead: string;
  targets: Record<FY, number>;
  projects: DemoProject[];
}

const ILLUSTRATIVE = '(illustrative)';
const K = 100_000; // pence in £1,000

export const DEMO_PROGRAMME: DemoWorkstream[] = [
  {
    code: 'ASC',
    name: 'Adult Social Care',
    lead: `Director of Adult Social Services ${ILLUSTRATIVE}`,
    targets: { '2023/24': 14_800, '2024/25': 6_000, '2025/26': 4_200, '2026/27': 3_000 },
    projects: [
      {
        code: 'ASC-01',
        name: 'Reablement and home care',
        directorate: 'Adults',
        stage: 'delivery',
        confidence: 'amber',
        commentary:
          'Home care market capacity is tight: two providers left the framework in the summer, so fewer people step down from residential care than planned. Re-tendering the framework in January; the reablement team is recruiting four more therapists.',
        previousConfidence: 'amber-green',
        startDate: '2023-04-01',
        endDate: '2027-03-31',
        benefits: [
          { title: 'Reablement reduces long-term home care', mtfsRef: 'ASC-23-01', confidencePct: 90, years: { '2023/24': [9_200, 8_400, 8_400] } },
          {
            title: 'Home-care commissioning',
            mtfsRef: 'ASC-24-02',
            confidencePct: 70,
            years: { '2024/25': [4_000, 3_700, 3_650], '2025/26': [2_000, 1_400, 1_300] },
          },
          {
            title: 'Reablement phase 2',
            mtfsRef: 'ASC-25-03',
            confidencePct: 80,
            years: { '2025/26': [600, 600, 560], '2026/27': [600, 600, 300] },
            from: { '2025/26': '2025-10' },
          },
          { title: 'Client contributions review', mtfsRef: 'ASC-23-04', type: 'income', confidencePct: 95, years: { '2023/24': [3_100, 3_000, 3_000] } },
          { title: 'Technology-enabled care', mtfsRef: 'ASC-26-05', confidencePct: 60, years: { '2026/27': [2_000, 1_600, 700] }, leaveUnvalidated: true },
        ],
        investments: [
          {
            title: 'Reablement team expansion',
            kind: 'revenue',
            fundingSource: 'flexible-capital-receipts',
            planned: { '2023/24': 800, '2025/26': 400 },
            spent: { '2023/24': 820, '2025/26': 390 },
          },
        ],
        risks: [
          {
            title: 'Home-care provider market cannot absorb reablement demand',
            likelihood: 4,
            impact: 5,
            mitigation: 'Framework re-let; provider engagement forum',
            benefit: 'Home-care commissioning',
            atRisk: 600,
          },
          { title: 'Occupational therapist recruitment', likelihood: 3, impact: 3, mitigation: 'Apprenticeship route; agency cap' },
        ],
        milestones: [{ title: 'Reablement phase 2 rota live', dueDate: '2025-09-30', completedDate: '2025-10-06', benefits: ['Reablement phase 2'] }],
      },
      {
        code: 'ASC-02',
        name: 'Day opportunities redesign',
        directorate: 'Adults',
        stage: 'delivery',
        confidence: 'amber-red',
        commentary:
          'Transport savings depend on the new routing system, now three months late. Interim manual route reviews recover part of the gap; a revised go-live date goes to the programme board next month.',
        startDate: '2023-04-01',
        endDate: '2026-03-31',
        benefits: [
          {
            title: 'Day-centre consolidation',
            mtfsRef: 'ASC-23-06',
            confidencePct: 0,
            years: { '2023/24': [2_500, 0, 0], '2024/25': [1_000, 0, 0] },
            writtenOut: true,
          },
          {
            title: 'Shared Lives expansion',
            mtfsRef: 'ASC-24-07',
            confidencePct: 85,
            years: { '2024/25': [1_500, 1_500, 1_450], '2025/26': [1_000, 1_000, 800] },
            replaces: 'Day-centre consolidation',
          },
        ],
        risks: [{ title: 'Carer recruitment for Shared Lives', likelihood: 2, impact: 4, mitigation: 'Recruitment campaign with neighbouring councils' }],
      },
    ],
  },
  {
    code: 'CHS',
    name: "Children's Services",
    lead: `Director of Children's Services ${ILLUSTRATIVE}`,
    targets: { '2023/24': 8_700, '2024/25': 5_000, '2025/26': 3_500, '2026/27': 2_500 },
    projects: [
      {
        code: 'CHS-01',
        name: 'Placement sufficiency',
        directorate: "Children's",
        stage: 'delivery',
        confidence: 'amber',
        startDate: '2023-04-01',
        endDate: '2027-03-31',
        benefits: [
          { title: 'In-house fostering growth', mtfsRef: 'CHS-23-01', confidencePct: 85, years: { '2023/24': [6_400, 6_300, 6_300] } },
          {
            title: 'Residential step-down',
            mtfsRef: 'CHS-24-02',
            confidencePct: 65,
            years: { '2024/25': [3_000, 2_800, 2_750], '2025/26': [2_500, 2_000, 1_900], '2026/27': [1_500, 1_200, 500] },
          },
          {
            title: 'Early help reduces demand',
            mtfsRef: 'CHS-24-03',
            type: 'cost-avoidance',
            confidencePct: 60,
            years: { '2024/25': [2_000, 2_000, 1_900], '2025/26': [1_000, 900, 850] },
          },
        ],
        risks: [
          {
            title: 'Independent placement costs keep rising',
            likelihood: 5,
            impact: 4,
            mitigation: 'Regional commissioning; sufficiency strategy',
            benefit: 'Residential step-down',
            atRisk: 800,
          },
        ],
        milestones: [{ title: 'Two new in-house children’s homes open', dueDate: '2026-04-30', benefits: ['Residential step-down'] }],
      },
      {
        code: 'CHS-02',
        name: 'SEND transport',
        directorate: "Children's",
        stage: 'closed',
        confidence: 'green',
        startDate: '2023-04-01',
        endDate: '2024-03-31',
        benefits: [
          { title: 'Route optimisation and personal travel budgets', mtfsRef: 'CHS-23-04', confidencePct: 100, years: { '2023/24': [2_300, 2_300, 2_300] } },
        ],
      },
    ],
  },
  {
    code: 'PRP',
    name: 'Property and Corporate Landlord',
    lead: `Director of Resources ${ILLUSTRATIVE}`,
    targets: { '2023/24': 7_800, '2024/25': 2_800, '2025/26': 2_000, '2026/27': 1_500 },
    projects: [
      {
        code: 'PRP-01',
        name: 'Office rationalisation',
        directorate: 'Resources',
        stage: 'delivery',
        confidence: 'green',
        startDate: '2023-04-01',
        endDate: '2027-03-31',
        benefits: [
          { title: 'Release of two leased office buildings', mtfsRef: 'PRP-23-01', confidencePct: 100, years: { '2023/24': [4_800, 4_800, 4_800] } },
          {
            title: 'Corporate landlord FM contract',
            mtfsRef: 'PRP-24-02',
            confidencePct: 80,
            years: { '2024/25': [2_800, 2_800, 2_800], '2025/26': [2_000, 1_500, 1_400], '2026/27': [1_000, 1_000, 400] },
          },
        ],
        investments: [
          { title: 'Office consolidation works', kind: 'capital', fundingSource: 'borrowing', planned: { '2023/24': 1_500 }, spent: { '2023/24': 1_450 } },
        ],
        risks: [{ title: 'Dilapidations on lease exit', likelihood: 1, impact: 3, mitigation: 'Surveys done; provision made' }],
      },
      {
        code: 'PRP-02',
        name: 'Balancing measures (not transformation)',
        directorate: 'Resources',
        stage: 'closed',
        confidence: 'green',
        startDate: '2023-04-01',
        endDate: '2024-03-31',
        benefits: [
          {
            title: 'One-off release of earmarked reserves',
            mtfsRef: 'PRP-23-03',
            category: 'mitigation',
            recurrence: 'one-off',
            confidencePct: 100,
            years: { '2023/24': [3_000, 3_000, 3_000] },
          },
        ],
      },
    ],
  },
  {
    code: 'ICT',
    name: 'ICT and the ERP Replacement',
    lead: `Chief Digital Officer ${ILLUSTRATIVE}`,
    targets: { '2023/24': 4_700, '2024/25': 3_000, '2025/26': 2_200, '2026/27': 1_500 },
    projects: [
      {
        code: 'ICT-01',
        name: 'ERP replacement',
        directorate: 'Resources',
        stage: 'delivery',
        confidence: 'red',
        commentary:
          "The data-centre exit slipped after the supplier's migration failed testing. Dual running costs continue until the new date; the contract's delay clauses are being enforced and the savings reprofiled into next year.",
        previousConfidence: 'amber-red',
        startDate: '2023-04-01',
        endDate: '2027-09-30',
        benefits: [
          {
            title: 'Finance and HR process automation',
            mtfsRef: 'ICT-23-01',
            confidencePct: 70,
            years: { '2023/24': [3_500, 2_100, 2_100], '2024/25': [2_000, 1_500, 1_400], '2025/26': [2_200, 1_200, 1_000], '2026/27': [1_500, 900, 200] },
          },
        ],
        investments: [
          {
            title: 'ERP implementation partner',
            kind: 'capital',
            fundingSource: 'flexible-capital-receipts',
            planned: { '2023/24': 3_000, '2024/25': 3_000 },
            spent: { '2023/24': 3_200, '2024/25': 3_400 },
          },
          {
            title: 'Backfill for finance staff during go-live',
            kind: 'revenue',
            fundingSource: 'reserves',
            planned: { '2025/26': 800, '2026/27': 400 },
            spent: { '2025/26': 950, '2026/27': 600 },
          },
        ],
        risks: [
          {
            title: 'ERP go-live slips again',
            likelihood: 4,
            impact: 4,
            mitigation: 'Independent assurance review; phased go-live',
            benefit: 'Finance and HR process automation',
            atRisk: 1_000,
          },
          { title: 'Data migration quality', likelihood: 3, impact: 2, mitigation: 'Data cleansing sprints' },
        ],
        milestones: [
          { title: 'ERP phase 1 (finance) go-live', dueDate: '2024-10-01', completedDate: '2024-11-04', benefits: ['Finance and HR process automation'] },
          { title: 'ERP phase 2 (HR and payroll) go-live', dueDate: '2026-06-30', benefits: ['Finance and HR process automation'] },
        ],
      },
      {
        code: 'ICT-02',
        name: 'Licence consolidation',
        directorate: 'Resources',
        stage: 'delivery',
        confidence: 'green',
        startDate: '2023-04-01',
        endDate: '2026-03-31',
        benefits: [
          {
            title: 'Software licence rationalisation',
            mtfsRef: 'ICT-23-02',
            confidencePct: 95,
            years: { '2023/24': [1_200, 1_250, 1_250], '2024/25': [1_000, 1_000, 1_000] },
          },
        ],
      },
    ],
  },
  {
    code: 'CUS',
    name: 'Customer Contact and Case Management',
    lead: `Director of Customer Services ${ILLUSTRATIVE}`,
    targets: { '2023/24': 2_700, '2024/25': 1_700, '2025/26': 1_300, '2026/27': 1_000 },
    projects: [
      {
        code: 'CUS-01',
        name: 'Digital-first contact and case management',
        directorate: 'Resources',
        stage: 'delivery',
        confidence: 'amber',
        startDate: '2023-04-01',
        endDate: '2027-03-31',
        benefits: [
          { title: 'Channel shift to online self-service', mtfsRef: 'CUS-23-01', confidencePct: 80, years: { '2023/24': [2_700, 2_200, 2_200] } },
          {
            title: 'Case management platform',
            mtfsRef: 'CUS-24-02',
            confidencePct: 70,
            years: { '2024/25': [1_700, 1_500, 1_450], '2025/26': [1_300, 1_100, 1_000], '2026/27': [1_000, 800, 300] },
          },
        ],
        investments: [
          { title: 'Case management platform', kind: 'capital', fundingSource: 'borrowing', planned: { '2024/25': 1_200 }, spent: { '2024/25': 1_150 } },
        ],
        risks: [{ title: 'Digital exclusion limits channel shift', likelihood: 2, impact: 2, mitigation: 'Assisted digital in libraries' }],
        milestones: [{ title: 'Case management platform live for revenues', dueDate: '2026-09-30', benefits: ['Case management platform'] }],
      },
    ],
  },
  {
    code: 'INC',
    name: 'Income and Debt',
    lead: `Director of Finance ${ILLUSTRATIVE}`,
    targets: { '2023/24': 6_300, '2024/25': 1_800, '2025/26': 1_337, '2026/27': 1_200 },
    projects: [
      {
        code: 'INC-01',
        name: 'Council tax collection',
        directorate: 'Resources',
        stage: 'delivery',
        confidence: 'amber-green',
        startDate: '2023-04-01',
        endDate: '2027-03-31',
        benefits: [
          {
            title: 'Council tax collection up 1 point',
            mtfsRef: 'INC-23-01',
            type: 'income',
            confidencePct: 85,
            years: { '2023/24': [2_200, 1_870, 1_870] },
            measure: {
              name: 'In-year council tax collection rate',
              unit: 'percentage points',
              baselineValue: 86.0,
              targetValue: 87.0,
              pencePerUnit: 220_000_000,
            },
          },
          {
            title: 'Council tax collection up a further half point',
            mtfsRef: 'INC-25-02',
            type: 'income',
            confidencePct: 75,
            years: { '2025/26': [1_100, 900, 850], '2026/27': [1_100, 1_100, 400] },
            measure: {
              name: 'In-year council tax collection rate',
              unit: 'percentage points',
              baselineValue: 87.0,
              targetValue: 87.5,
              pencePerUnit: 220_000_000,
            },
          },
          {
            title: 'Debt recovery enforcement drive',
            mtfsRef: 'INC-24-03',
            type: 'income',
            category: 'mitigation',
            recurrence: 'one-off',
            confidencePct: 90,
            years: { '2024/25': [1_800, 1_800, 1_800], '2025/26': [237, 237, 237] },
          },
        ],
      },
      {
        code: 'INC-02',
        name: 'Fees, charges and commercial income',
        directorate: 'Resources',
        stage: 'delivery',
        confidence: 'green',
        startDate: '2023-04-01',
        endDate: '2027-03-31',
        benefits: [
          { title: 'Fees and charges uplift', mtfsRef: 'INC-23-04', type: 'income', confidencePct: 100, years: { '2023/24': [4_100, 4_100, 4_100] } },
          { title: 'Commercial advertising income', mtfsRef: 'INC-26-05', type: 'income', confidencePct: 50, years: { '2026/27': [1_000, 700, 200] } },
        ],
      },
    ],
  },
  {
    code: 'NBW',
    name: 'Neighbourhoods and Waste',
    lead: `Director of Neighbourhoods ${ILLUSTRATIVE}`,
    targets: { '2023/24': 3_951, '2024/25': 1_200, '2025/26': 600, '2026/27': 800 },
    projects: [
      {
        code: 'NBW-01',
        name: 'Waste collection redesign',
        directorate: 'Neighbourhoods',
        stage: 'delivery',
        confidence: 'amber',
        startDate: '2023-04-01',
        endDate: '2027-03-31',
        benefits: [
          {
            title: 'Waste round optimisation',
            mtfsRef: 'NBW-23-01',
            confidencePct: 80,
            years: { '2023/24': [2_451, 2_062, 2_062], '2024/25': [1_200, 1_000, 950], '2025/26': [600, 600, 500], '2026/27': [800, 500, 200] },
          },
          { title: 'Garden waste subscription', mtfsRef: 'NBW-26-02', type: 'income', confidencePct: 80, years: { '2026/27': [400, 400, 150] } },
          { title: 'Garden waste charge uplift', mtfsRef: 'NBW-26-02', type: 'income', confidencePct: 70, years: { '2026/27': [300, 300, 100] } },
        ],
        investments: [
          {
            title: 'Route-planning software and vehicle telematics',
            kind: 'capital',
            fundingSource: 'grant',
            planned: { '2023/24': 350 },
            spent: { '2023/24': 340 },
          },
        ],
        risks: [{ title: 'Industrial action over round changes', likelihood: 2, impact: 3, mitigation: 'Early union engagement' }],
      },
      {
        code: 'NBW-02',
        name: 'Parking review',
        directorate: 'Neighbourhoods',
        stage: 'closed',
        confidence: 'green',
        startDate: '2023-04-01',
        endDate: '2024-03-31',
        benefits: [
          {
            title: 'Parking charges and permits review',
            mtfsRef: 'NBW-23-03',
            type: 'income',
            confidencePct: 100,
            years: { '2023/24': [1_500, 1_500, 1_500] },
          },
        ],
      },
    ],
  },
];

export const DEMO_FACTS = {
  netRevenueBudgetPence: 61_338_500_000,
  programmePence: 8_558_800_000,
  agreed2023Pence: 4_895_100_000,
  delivered2023Pence: 4_288_200_000,
  councilTaxPointPence: 220_000_000,
};

const admin: svc.Caller = { principal: { sub: 'demo-admin', name: 'Demo admin', roles: ['admin'] }, requestId: 'demo-seed' };
const financeOfficer: svc.Caller = { principal: { sub: 'demo-finance-officer', name: 'Finance officer (demo)', roles: ['finance'] }, requestId: 'demo-seed' };
const financeManager: svc.Caller = {
  principal: { sub: 'demo-finance-manager', name: 'Finance business partner (demo)', roles: ['finance'] },
  requestId: 'demo-seed',
};

const pence = (k: number) => k * K;

/** Quarter-end months of an FY that have begun (actuals are recorded quarterly in the demo). */
function reportingMonths(fy: FY, today: string): string[] {
  const months = monthsOfFy(fy);
  return [months[2]!, months[5]!, months[8]!, months[11]!].filter((m) => m <= today.slice(0, 7));
}

/**
 * Seeds the demo programme through the use cases (so every row has its audit
 * entry, summary and history) if the store has no workstreams. Returns what
 * it made, or null when the store already had data.
 *
 * Everything is recorded at the moment it would have been, in time order,
 * so figures as at any past moment (SPEC 4.4) and the movement between two
 * tell a real story: the programme set up in March 2023 with its baselines
 * and first forecasts; each quarter's actuals recorded on the 5th of the
 * month after and validated on the 8th; each month closed on the 12th of
 * the next; this year's forecasts revised over the last few months; savings
 * written out, projects closed and confidence changed when they were; and
 * a CMT digest every Monday for the last 12 weeks, each sent with the
 * figures as known that morning.
 */
export async function seedDemo(
  deps: svc.Deps,
  options: { digests?: { settings: svc.DigestSettings; mailer: Mailer; weeks?: number }; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ workstreams: number; projects: number; benefits: number; digests: number } | null> {
  const existing = await deps.store.workstreams.list({ limit: 1 });
  if (existing.items.length > 0) return null;
  const now = deps.clock().getTime();
  const today = todayInLondon(new Date(now));
  const timeline = new Timeline(deps, now);
  const setUp = Date.parse(SET_UP);
  const currentFy = fyOfDate(today);
  let projects = 0;
  let benefits = 0;
  const benefitIds = new Map<string, string>();
  const milestones = new Map<string, string>();
  /** A change that needs approval once the project is approved: requested, then approved by finance the next day. */
  const requestedThenApproved = (at: number, lane: string, request: (d: svc.Deps) => Promise<unknown>) => {
    const id = { value: '' };
    timeline.at(
      at,
      async (d) => {
        const result = await request(d);
        if (!svc.isChangeRequest(result)) throw new Error('the demo expected a change request');
        id.value = result.id;
      },
      lane,
    );
    timeline.at(at + DAY, (d) => svc.approveChange(d, financeManager, id.value, { note: 'Agreed at the monthly finance review (demo)' }), lane);
  };
  /** A saving with its baseline and first forecast (this year's as planned: the manager revises it later in the year). */
  const createSaving = async (d: svc.Deps, projectId: string, b: DemoBenefit) => {
    const p = DEMO_PROGRAMME.flatMap((w) => w.projects).find((x) => x.benefits.includes(b))!;
    const benefit = await svc.createBenefit(d, admin, projectId, {
      title: b.title,
      type: b.type ?? 'cashable-saving',
      category: b.category ?? 'transformation',
      recurrence: b.recurrence ?? 'recurring',
      mtfsRef: b.mtfsRef,
      owner: `${p.name} lead`,
      confidencePct: b.confidencePct ?? 80,
      status: 'active',
      ...(b.measure ? { measure: b.measure } : {}),
      ...(b.replaces ? { replacesBenefitId: benefitIds.get(b.replaces)! } : {}),
    });
    benefitIds.set(b.title, benefit.id);
    const baseline = phased(b, 0);
    if (baseline.length) {
      await svc.putBaseline(d, admin, projectId, benefit.id, { phased: baseline, ...(b.replaces ? { reason: `Replaces ${b.replaces}` } : {}) }, undefined);
    }
    const first = phased(b, 1).map((y) => (y.financialYear === currentFy ? (baseline.find((x) => x.financialYear === currentFy) ?? y) : y));
    if (first.length) await svc.putForecast(d, admin, projectId, benefit.id, { phased: first, note: 'Demo forecast' }, undefined);
  };
  // The programme's own settings, from the worked example.
  timeline.at(setUp, (d) =>
    svc.putProgrammeSettings(
      d,
      admin,
      {
        name: `Transformation programme ${ILLUSTRATIVE}`,
        councilName: `A metropolitan council ${ILLUSTRATIVE}`,
        netBudgets: { '2024/25': DEMO_FACTS.netRevenueBudgetPence },
        programmeTarget: { fromFinancialYear: '2023/24', toFinancialYear: '2025/26', targetPence: DEMO_FACTS.programmePence },
      },
      undefined,
    ),
  );
  for (const ws of DEMO_PROGRAMME) {
    const workstream = { id: '' };
    timeline.at(setUp, async (d) => {
      workstream.id = (
        await svc.createWorkstream(d, admin, {
          code: ws.code,
          name: ws.name,
          lead: ws.lead,
          mtfsTargets: Object.fromEntries(Object.entries(ws.targets).map(([fy, k]) => [fy, pence(k)])),
        })
      ).id;
    });
    for (const p of ws.projects) {
      const project = { id: '' };
      projects += 1;
      // Set up with its savings' baselines and first forecasts (this year's as planned, revised later), then approved.
      timeline.at(
        setUp,
        async (d) => {
          project.id = (
            await svc.createProject(d, admin, {
              code: p.code,
              name: p.name,
              workstreamId: workstream.id,
              directorate: p.directorate,
              sro: `${ws.lead.replace(` ${ILLUSTRATIVE}`, '')} ${ILLUSTRATIVE}`,
              manager: 'demo-pm',
              stage: 'business-case',
              deliveryConfidence: p.previousConfidence ?? p.confidence,
              startDate: p.startDate,
              endDate: p.endDate,
            })
          ).id;
          for (const b of p.benefits) if (!b.replaces) await createSaving(d, project.id, b);
          for (const r of p.risks ?? []) {
            await svc.createRisk(d, admin, project.id, {
              title: r.title,
              owner: `${p.name} lead`,
              likelihood: r.likelihood,
              impact: r.impact,
              mitigation: r.mitigation,
              status: 'open',
              ...(r.benefit ? { benefitId: benefitIds.get(r.benefit)! } : {}),
              ...(r.atRisk ? { savingsAtRiskPence: pence(r.atRisk) } : {}),
            });
          }
          for (const m of p.milestones ?? []) {
            const milestone = await svc.createMilestone(d, admin, project.id, {
              title: m.title,
              dueDate: m.dueDate,
              benefitIds: m.benefits.map((t) => benefitIds.get(t)!),
            });
            milestones.set(m.title, milestone.id);
          }
        },
        p.code,
      );
      // Each milestone completed on the day it was.
      for (const m of p.milestones ?? []) {
        const completed = m.completedDate;
        if (completed) {
          timeline.at(
            Date.parse(`${completed}T16:00:00Z`),
            (d) => svc.updateMilestone(d, admin, project.id, milestones.get(m.title)!, { completedDate: completed }, undefined),
            p.code,
          );
        }
      }
      // A replacement saving is found once the saving it replaces is written out.
      for (const b of p.benefits) if (b.replaces) timeline.at(Date.parse(WRITE_OUT) + 2 * DAY, (d) => createSaving(d, project.id, b), p.code);
      const approved = isBaselineLocked(p.stage);
      if (approved)
        timeline.at(
          Date.parse(APPROVED),
          (d) => svc.updateProject(d, admin, project.id, { stage: p.stage === 'approved' ? 'approved' : 'delivery' }, undefined),
          p.code,
        );
      for (const [bi, b] of p.benefits.entries()) {
        benefits += 1;
        const years = Object.entries(b.years) as [FY, Year][];
        // This year's forecast revised, a project a week over the last three months.
        if (years.some(([fy, y]) => fy === currentFy && y[1] !== y[0])) {
          timeline.at(
            now - (84 - ((projects * 7 + bi) % 80)) * DAY,
            (d) => svc.putForecast(d, admin, project.id, benefitIds.get(b.title)!, { phased: phased(b, 1), note: 'Revised forecast (demo)' }, undefined),
            p.code,
          );
        }
        for (const [fy, y] of years) {
          const realised = y[2] ?? 0;
          const months = reportingMonths(fy, today).filter((m) => !b.from?.[fy] || m >= b.from[fy]!);
          if (realised === 0 || months.length === 0) continue;
          const amounts = allocateEvenly(pence(realised), months.length);
          for (const [i, month] of months.entries()) {
            const actual = { id: '' };
            timeline.at(
              dayOfNextMonth(month, 5, now),
              async (d) => {
                const { value } = await svc.recordActual(
                  d,
                  financeOfficer,
                  project.id,
                  benefitIds.get(b.title)!,
                  { month, amountPence: amounts[i]!, note: `${month} ledger report (demo evidence)` },
                  undefined,
                );
                actual.id = value.id;
              },
              p.code,
            );
            const last = fy === years.at(-1)![0] && i === months.length - 1;
            if (!(b.leaveUnvalidated && last)) {
              timeline.at(dayOfNextMonth(month, 8, now), (d) => svc.validateActual(d, financeManager, project.id, benefitIds.get(b.title)!, actual.id), p.code);
            }
          }
        }
        if (b.writtenOut)
          // Requested by the programme office (the project is approved), approved by finance the next day.
          requestedThenApproved(Date.parse(WRITE_OUT), p.code, (d) =>
            svc.updateBenefit(d, admin, project.id, benefitIds.get(b.title)!, { status: 'unachievable', reason: `${b.title} cannot go ahead` }, undefined),
          );
      }
      for (const inv of p.investments ?? []) {
        const line = { id: '' };
        timeline.at(
          setUp,
          async (d) => {
            line.id = (
              await svc.createInvestment(d, admin, project.id, {
                title: inv.title,
                kind: inv.kind,
                fundingSource: inv.fundingSource,
                phased: Object.entries(inv.planned).map(([fy, k]) => ({ financialYear: fy, amountPence: pence(k) })),
              })
            ).id;
          },
          p.code,
        );
        for (const [fy, k] of Object.entries(inv.spent) as [FY, number][]) {
          const months = reportingMonths(fy, today);
          const amounts = allocateEvenly(pence(k), months.length);
          for (const [i, month] of months.entries()) {
            const spend = { id: '' };
            timeline.at(
              dayOfNextMonth(month, 5, now),
              async (d) => {
                const { value } = await svc.recordSpend(
                  d,
                  financeOfficer,
                  project.id,
                  line.id,
                  { month, amountPence: amounts[i]!, note: `${month} capital/revenue ledger (demo evidence)` },
                  undefined,
                );
                spend.id = value.id;
              },
              p.code,
            );
            // Validated by the finance business partner on the 8th, as the actuals are; the last three months' still await finance.
            if (month < addMonths(today.slice(0, 7), -3)) {
              timeline.at(dayOfNextMonth(month, 8, now), (d) => svc.validateMany(d, financeManager, [spend.id]).then(() => undefined), p.code);
            }
          }
        }
      }
      // A project that ended is closed the day after; its delivery confidence last changed a few days ago.
      const end = Date.parse(`${p.endDate}T09:00:00Z`) + DAY;
      if (approved && p.stage !== 'delivery' && p.stage !== 'approved') {
        requestedThenApproved(Math.min(end, now - 3 * DAY), p.code, (d) =>
          svc.updateProject(d, admin, project.id, { stage: p.stage, reason: `${p.code} has ended: its savings are delivered or carried forward` }, undefined),
        );
      }
      if (p.previousConfidence)
        timeline.at(now - 3 * DAY, (d) => svc.updateProject(d, admin, project.id, { deliveryConfidence: p.confidence }, undefined), p.code);
      if (p.commentary) timeline.at(now - 2 * DAY, (d) => svc.updateProject(d, admin, project.id, { commentary: p.commentary }, undefined), p.code);
    }
  }
  // Finance closes each month on the 12th of the next, up to the last full month.
  for (let month = '2023-04'; month < today.slice(0, 7); month = addMonths(month, 1)) {
    // Closed on the 12th of the next month; the last full month, if its 12th has not come, now (after its actuals: in the order given).
    timeline.at(dayOfNextMonth(month, 12, now), (d) => svc.closePeriod(d, financeManager, month).then(() => undefined));
  }
  // The weekly CMT digests of the last few months, so "Forecast over time" has a line from the first start.
  const weeks = options.digests ? (options.digests.weeks ?? DEMO_DIGEST_WEEKS) : 0;
  for (const slot of pastMondays(today, weeks)) {
    const digests = options.digests!;
    timeline.at(Date.parse(`${slot}T07:30:00Z`), (d) => svc.sendDigest(d, digests.settings, digests.mailer, slot, slot).then(() => undefined));
  }
  // The alerts as at today, so the overview and /alerts have something to say from the first start (not from 06:00 tomorrow).
  timeline.at(now, (d) => svc.evaluateAndStore(d, today).then(() => undefined));
  await timeline.run(options.onProgress);
  return { workstreams: DEMO_PROGRAMME.length, projects, benefits, digests: weeks };
}

/** When the demo programme was set up, and when its projects were approved (before the first FY began). */
const SET_UP = '2023-03-01T09:00:00Z';
const APPROVED = '2023-03-20T09:00:00Z';
/** When the demo's unachievable saving was written out (its replacement found the day after). */
const WRITE_OUT = '2023-09-15T10:00:00Z';
const DAY = 86_400_000;

/** How many weeks of digests the demo records. */
export const DEMO_DIGEST_WEEKS = 12;

/** An FY's amounts of a demo saving: its baselines (0) or forecasts (1), phased over the months it is live. */
function phased(b: DemoBenefit, i: 0 | 1) {
  return (Object.entries(b.years) as [FY, Year][])
    .filter(([, y]) => y[i] !== 0)
    .map(([fy, y]) => ({ financialYear: fy, amountPence: pence(y[i]), ...(b.from?.[fy] ? { fromMonth: b.from[fy] } : {}) }));
}

/**
 * 10:00 UTC on a day of the month after `month`, or now if that has not come
 * (this month's figures so far: now is in `month`, so it has begun — a
 * moment before now could still be last month, just after midnight).
 */
function dayOfNextMonth(month: string, day: number, now: number): number {
  const at = Date.parse(`${addMonths(month, 1)}-${String(day).padStart(2, '0')}T10:00:00Z`);
  return Math.min(at, now);
}

/** The last `weeks` Mondays before today, oldest first. */
function pastMondays(today: string, weeks: number): string[] {
  const day = new Date(`${today}T00:00:00Z`);
  const sinceMonday = (day.getUTCDay() + 6) % 7 || 7;
  const lastMonday = day.getTime() - sinceMonday * DAY;
  return Array.from({ length: weeks }, (_, i) => new Date(lastMonday - (weeks - 1 - i) * 7 * DAY).toISOString().slice(0, 10));
}

/**
 * The demo's changes, each run at its moment in time order (those of one
 * moment in the order given), on a clock that reads that moment and moves
 * on a millisecond at each reading, so no two writes of a project share a moment.
 */
class Timeline {
  private readonly tasks: Array<{ at: number; seq: number; lane: string | undefined; run: (d: svc.Deps) => Promise<unknown> }> = [];
  private clock = 0;

  constructor(
    private readonly deps: svc.Deps,
    private readonly now: number,
  ) {}

  /** A change at its moment; with a lane (a project's code), one that touches that project only. */
  at(at: number, run: (d: svc.Deps) => Promise<unknown>, lane?: string): void {
    this.tasks.push({ at: Math.min(at, this.now), seq: this.tasks.length, lane, run });
  }

  /**
   * Runs every change in time order. The changes of different projects
   * between two programme-wide ones (a period close, a digest, a workstream)
   * run side by side, each project's in its own order on its own clock, so
   * the history each project keeps is the same as one after another, and
   * seeding takes a fraction of the time.
   */
  async run(onProgress?: (done: number, total: number) => void): Promise<void> {
    const tasks = [...this.tasks].sort((a, b) => a.at - b.at || a.seq - b.seq);
    let done = 0;
    let segment: typeof tasks = [];
    const step = () => {
      done += 1;
      if (done % 50 === 0 || done === tasks.length) onProgress?.(done, tasks.length);
    };
    const flush = async () => {
      const lanes = new Map<string, typeof tasks>();
      for (const t of segment) lanes.set(t.lane!, [...(lanes.get(t.lane!) ?? []), t]);
      segment = [];
      const start = this.clock;
      const ends = await Promise.all(
        [...lanes.values()].map(async (mine) => {
          let clock = start;
          const d: svc.Deps = { ...this.deps, clock: () => new Date(++clock) };
          for (const task of mine) {
            clock = Math.max(clock, task.at);
            await task.run(d);
            step();
          }
          return clock;
        }),
      );
      this.clock = Math.max(this.clock, ...ends);
    };
    const d: svc.Deps = { ...this.deps, clock: () => new Date(++this.clock) };
    for (const task of tasks) {
      if (task.lane !== undefined) {
        segment.push(task);
        continue;
      }
      await flush();
      this.clock = Math.max(this.clock, task.at);
      await task.run(d);
      step();
    }
    await flush();
  }
}
