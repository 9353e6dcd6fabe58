import { App } from 'aws-cdk-lib';
import { DataStack } from '../lib/data-stack.ts';

const app = new App();
const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'eu-west-2' };
new DataStack(app, 'BenefitsTrackerData', { env, description: 'Transformation benefits tracker: data (tables retained on delete)' });
app.synth();
