import { lazySchema } from './lazy-schema.ts';
import * as zm from 'zod/mini';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from './alerts.ts';
import { DEFAULT_THRESHOLDS, type Thresholds } from './figures.ts';
import { DEFAULT_LEDGER_SETTINGS, type LedgerSettings } from './ledger.ts';
import { MAX_AMOUNT_PENCE } from './money.ts';
import { intSetting, readSettings } from './read-settings.ts';

/** The thresholds from settings (RAG_GREEN_PCT, RAG_AMBER_PCT, NPV_HORIZON_YEARS, DISCOUNT_RATE_BP), defaults as above. */
export const ThresholdSettings = lazySchema(() =>
  zm.pipe(
    zm
      .object({
        RAG_GREEN_PCT: intSetting({ min: 1, max: 100, fallback: DEFAULT_THRESHOLDS.ragGreenPct }),
        RAG_AMBER_PCT: intSetting({ min: 0, max: 100, fallback: DEFAULT_THRESHOLDS.ragAmberPct }),
        NPV_HORIZON_YEARS: intSetting({ min: 1, max: 30, fallback: DEFAULT_THRESHOLDS.horizonYears }),
        DISCOUNT_RATE_BP: intSetting({ min: 0, max: 5000, fallback: DEFAULT_THRESHOLDS.discountRateBp }),
      })
      .check(zm.refine((t) => t.RAG_AMBER_PCT < t.RAG_GREEN_PCT, 'RAG_AMBER_PCT must be below RAG_GREEN_PCT')),
    zm.transform(
      (t): Thresholds => ({
        ragGreenPct: t.RAG_GREEN_PCT,
        ragAmberPct: t.RAG_AMBER_PCT,
        horizonYears: t.NPV_HORIZON_YEARS,
        discountRateBp: t.DISCOUNT_RATE_BP,
      }),
    ),
  ),
);

export const AlertSettingsFromEnv = lazySchema(() =>
  zm.pipe(
    zm.object({
      ALERT_SLIPPAGE_TOLERANCE_PCT: intSetting({ min: 0, max: 100, fallback: DEFAULT_ALERT_SETTINGS.slippageTolerancePct }),
      ALERT_MINIMUM_PENCE: intSetting({ min: 0, fallback: DEFAULT_ALERT_SETTINGS.minimumPence }),
      ALERT_UNDER_REALISATION_TOLERANCE_PCT: intSetting({ min: 0, max: 100, fallback: DEFAULT_ALERT_SETTINGS.underRealisationTolerancePct }),
      ALERT_INVESTMENT_OVERRUN_PCT: intSetting({ min: 0, max: 1000, fallback: DEFAULT_ALERT_SETTINGS.investmentOverrunPct }),
      ALERT_MATERIAL_SAVINGS_PENCE: intSetting({ min: 0, fallback: DEFAULT_ALERT_SETTINGS.materialSavingsPence }),
      ALERT_STALE_FORECAST_DAYS: intSetting({ min: 1, max: 365, fallback: DEFAULT_ALERT_SETTINGS.staleForecastDays }),
      ALERT_UNVALIDATED_DAYS: intSetting({ min: 1, max: 365, fallback: DEFAULT_ALERT_SETTINGS.unvalidatedDays }),
      ALERT_DIS_BENEFIT_OVERRUN_PCT: intSetting({ min: 0, max: 1000, fallback: DEFAULT_ALERT_SETTINGS.disBenefitOverrunPct }),
      ALERT_CHANGE_REQUEST_PENDING_WORKING_DAYS: intSetting({ min: 1, max: 260, fallback: DEFAULT_ALERT_SETTINGS.changeRequestPendingWorkingDays }),
    }),
    zm.transform(
      (e): AlertSettings => ({
        slippageTolerancePct: e.ALERT_SLIPPAGE_TOLERANCE_PCT,
        minimumPence: e.ALERT_MINIMUM_PENCE,
        underRealisationTolerancePct: e.ALERT_UNDER_REALISATION_TOLERANCE_PCT,
        investmentOverrunPct: e.ALERT_INVESTMENT_OVERRUN_PCT,
        materialSavingsPence: e.ALERT_MATERIAL_SAVINGS_PENCE,
        staleForecastDays: e.ALERT_STALE_FORECAST_DAYS,
        unvalidatedDays: e.ALERT_UNVALIDATED_DAYS,
        disBenefitOverrunPct: e.ALERT_DIS_BENEFIT_OVERRUN_PCT,
        changeRequestPendingWorkingDays: e.ALERT_CHANGE_REQUEST_PENDING_WORKING_DAYS,
      }),
    ),
  ),
);

export const LedgerSettingsFromEnv = lazySchema(() =>
  zm.pipe(
    zm.object({ LEDGER_ENTRY_CAP_PENCE: intSetting({ min: 1, max: MAX_AMOUNT_PENCE, fallback: DEFAULT_LEDGER_SETTINGS.entryCapPence }) }),
    zm.transform((e): LedgerSettings => ({ entryCapPence: e.LEDGER_ENTRY_CAP_PENCE })),
  ),
);

/** The settings of the rules: RAG and appraisal thresholds, alert thresholds, the ledger's cap. */
export interface RuleSettings {
  thresholds: Thresholds;
  alertSettings: AlertSettings;
  ledger: LedgerSettings;
}

export function readRuleSettings(env: Record<string, string | undefined>): RuleSettings {
  return {
    thresholds: readSettings(ThresholdSettings, env),
    alertSettings: readSettings(AlertSettingsFromEnv, env),
    ledger: readSettings(LedgerSettingsFromEnv, env),
  };
}
