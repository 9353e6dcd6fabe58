import type { App } from 'aws-cdk-lib';
import type { ComputeSettings } from './compute-stack.ts';

/** The region deployed to unless the `region` context or the CDK's own default names another. */
export const DEFAULT_REGION = 'eu-west-2';

/** Where to deploy: the CDK's default account, and the region from context, the CDK's default, or London. */
export function environment(app: App) {
  const region = (app.node.tryGetContext('region') as string | undefined) ?? process.env.CDK_DEFAULT_REGION ?? DEFAULT_REGION;
  return { account: process.env.CDK_DEFAULT_ACCOUNT, region };
}

/** Deployment settings from CDK context (cdk.json or `-c key=value`); see docs/deploy.md. */
export function settingsFromContext(app: App): ComputeSettings {
  const get = (key: string): string | undefined => {
    const v = app.node.tryGetContext(key) as unknown;
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const list = (key: string) =>
    (get(key) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const sesIdentity = get('sesIdentity');
  const digestSender = get('digestSender');
  const digestRecipients = list('digestRecipients');
  if (!sesIdentity || !digestSender || digestRecipients.length === 0) {
    throw new Error('Set the context values sesIdentity, digestSender and digestRecipients (cdk.json or -c key=value).');
  }
  const oidcIssuer = get('oidcIssuer');
  const oidcAudience = get('oidcAudience');
  if ((oidcIssuer === undefined) !== (oidcAudience === undefined))
    throw new Error('Set both oidcIssuer and oidcAudience, or neither (to use the stack’s Cognito user pool).');
  const digestMonitoringPack = get('digestMonitoringPack') ?? 'never';
  if (!['never', 'monthly', 'always'].includes(digestMonitoringPack))
    throw new Error('digestMonitoringPack is never, monthly (the first digest of each month carries the monitoring pack) or always.');
  const oidcClientId = get('oidcClientId');
  if (oidcClientId && !oidcIssuer)
    throw new Error('oidcClientId goes with oidcIssuer and oidcAudience (an external issuer); the Cognito user pool makes its own client.');
  return {
    tableName: get('tableName') ?? 'benefits-tracker',
    sesIdentity,
    digestSender,
    digestRecipients,
    digestMonitoringPack: digestMonitoringPack as ComputeSettings['digestMonitoringPack'],
    oidcIssuer,
    oidcAudience,
    oidcClientId,
    cognitoDomainPrefix: get('cognitoDomainPrefix'),
    corsOrigins: list('corsOrigins'),
    alarmEmail: get('alarmEmail'),
    publicBaseUrl: get('publicBaseUrl'),
  };
}
