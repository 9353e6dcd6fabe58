import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ComputeStack } from './compute-stack.ts';
import { DataStack } from './data-stack.ts';
import { acknowledgeComputeFindings, acknowledgeFindings } from './nag.ts';
import { environment, settingsFromContext } from './settings.ts';

/** The whole deployment: data and compute stacks, checked by cdk-nag (AwsSolutions) on every synth. */
export function buildApp(app: App) {
  const env = environment(app);
  const settings = settingsFromContext(app);
  const data = new DataStack(app, 'BenefitsTrackerData', {
    env,
    description: 'Transformation benefits tracker: data (retained on delete)',
    tableName: settings.tableName,
  });
  const compute = new ComputeStack(app, 'BenefitsTrackerCompute', {
    env,
    description: 'Transformation benefits tracker: API, schedules, email',
    tableName: settings.tableName,
    bus: data.bus,
    settings,
  });
  compute.addDependency(data);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  acknowledgeFindings(data, compute);
  acknowledgeComputeFindings(compute, settings.tableName);
  return { data, compute };
}
