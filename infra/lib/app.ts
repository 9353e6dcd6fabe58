import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ComputeStack } from './compute-stack.ts';
import { DataStack } from './data-stack.ts';
import { acknowledgeComputeFindings, acknowledgeFindings } from './nag.ts';
import { settingsFromContext } from './settings.ts';

/** The whole deployment: data and compute stacks, checked by cdk-nag (AwsSolutions) on every synth. */
export function buildApp(app: App) {
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'eu-west-2' };
  const settings = settingsFromContext(app);
  const data = new DataStack(app, 'BenefitsTrackerData', { env, description: 'Transformation benefits tracker: data (retained on delete)', tableName: settings.tableName });
  const compute = new ComputeStack(app, 'BenefitsTrackerCompute', { env, description: 'Transformation benefits tracker: API, schedules, email', tableName: settings.tableName, bus: data.bus, settings });
  compute.addDependency(data);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  acknowledgeFindings(data, compute);
  acknowledgeComputeFindings(compute, settings.tableName);
  return { data, compute };
}
