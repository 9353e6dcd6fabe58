import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { mainTable, toCreateTableInput } from '@bt/store';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/lib/app.ts';
import { FEED_ROUTES, PAGE_FORM_ROUTES, PAGE_ROUTES, PUBLIC_ROUTES } from '../../infra/lib/compute-stack.ts';

const context = {
  sesIdentity: 'council.example.gov.uk',
  digestSender: 'benefits-tracker@council.example.gov.uk',
  digestRecipients: 'cmt@council.example.gov.uk,ceo@council.example.gov.uk',
  corsOrigins: 'https://tracker.council.example.gov.uk',
  alarmEmail: 'ops@council.example.gov.uk',
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
  // Skip esbuild here: the bundle tests build every function with the same settings.
  'aws:cdk:bundling-stacks': [],
};
const outdir = mkdtempSync(join(tmpdir(), 'bt-cdk-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function synth(extra: Record<string, unknown> = {}) {
  const app = new App({ context: { ...context, ...extra }, outdir });
  const stacks = buildApp(app);
  const assembly = app.synth();
  return { ...stacks, assembly, data: Template.fromStack(stacks.data), compute: Template.fromStack(stacks.compute) };
}

const { data, compute } = synth();

describe('the data stack', () => {
  it('keeps the table safe: retained, deletion-protected, point-in-time recovery, encrypted, on demand, named', () => {
    data.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        TableName: 'benefits-tracker',
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: Match.objectLike({ SSEEnabled: true }),
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      }),
    });
    data.resourceCountIs('AWS::Events::EventBus', 1);
  });

  it('creates the table from the same definition the local run uses', () => {
    const local = toCreateTableInput(mainTable, 'x');
    const [table] = Object.values(data.findResources('AWS::DynamoDB::GlobalTable')) as { Properties: Record<string, any> }[];
    const props = table!.Properties;
    expect(props.KeySchema).toEqual(local.KeySchema);
    expect(new Set(props.AttributeDefinitions)).toEqual(new Set(local.AttributeDefinitions));
    expect(props.GlobalSecondaryIndexes.map((i: any) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema }))).toEqual(
      local.GlobalSecondaryIndexes!.map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema })),
    );
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: mainTable.timeToLiveAttribute, Enabled: true });
  });
});

describe('the compute stack', () => {
  it('runs every function on Node.js 24, arm64, with tracing, JSON logs and the table it needs', () => {
    const fns = compute.findResources('AWS::Lambda::Function');
    expect(Object.keys(fns)).toHaveLength(6);
    for (const fn of Object.values(fns) as { Properties: Record<string, any> }[]) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON' });
      expect(fn.Properties.Environment.Variables.TABLE_NAME).toBe('benefits-tracker');
    }
  });

  it('puts the JWT authorizer on every route but the public ones and the pages (which check their own session)', () => {
    const routes = Object.values(compute.findResources('AWS::ApiGatewayV2::Route')) as { Properties: { RouteKey: string; AuthorizationType?: string } }[];
    const byKey = Object.fromEntries(routes.map((r) => [r.Properties.RouteKey, r.Properties.AuthorizationType]));
    expect(byKey['ANY /v1/{proxy+}']).toBe('JWT');
    const open = [...[...PUBLIC_ROUTES, ...PAGE_ROUTES].map((p) => `GET ${p}`), ...PAGE_FORM_ROUTES.map((p) => `POST ${p}`), '$default'];
    expect(PAGE_FORM_ROUTES).toEqual([
      '/changes/{id}',
      '/projects/{id}/return',
      '/validation',
      '/validation/{kind}/{id}/query',
      '/validation/{kind}/{id}/answer',
    ]);
    expect(PAGE_ROUTES).toEqual([
      '/',
      '/sign-in',
      '/sign-out',
      '/signed-out',
      '/auth/callback',
      '/alerts',
      '/movement',
      '/changes',
      '/workstreams/{id}',
      '/projects/{id}',
      '/projects/{id}/return',
      '/validation',
      '/reports/monitoring-pack',
      '/assets/{proxy+}',
    ]);
    for (const key of open) expect(byKey[key]).toBe('NONE');
    expect(Object.entries(byKey).filter(([key, auth]) => auth !== 'JWT' && !open.includes(key))).toEqual([]);
    for (const path of FEED_ROUTES) expect(byKey[`GET ${path}`]).toBe('JWT');
    // Nothing under /v1 is public.
    expect(Object.entries(byKey).filter(([k, auth]) => k.includes('/v1') && auth !== 'JWT')).toEqual([]);
    // The pages' routes go to the pages' function; /v1 and the public routes to the API's.
    const integrations = compute.findResources('AWS::ApiGatewayV2::Integration') as Record<string, { Properties: { IntegrationUri: unknown } }>;
    const target = (key: string) => {
      const route = routes.find((r) => r.Properties.RouteKey === key) as unknown as { Properties: { Target: { 'Fn::Join': [string, unknown[]] } } };
      const integration = JSON.stringify(route.Properties.Target).match(/"Ref":"([^"]+)"/)![1]!;
      return JSON.stringify(integrations[integration]!.Properties.IntegrationUri).match(/(ApiFunction|PagesFunction)/)![1];
    };
    for (const path of PAGE_ROUTES) expect(target(`GET ${path}`), path).toBe('PagesFunction');
    for (const path of PAGE_FORM_ROUTES) expect(target(`POST ${path}`), path).toBe('PagesFunction');
    // Any other address reaches the pages (a browser is shown their "Page not found"), never the API unauthorised.
    expect(target('$default')).toBe('PagesFunction');
    for (const key of ['ANY /v1/{proxy+}', 'GET /health', 'GET /openapi.json', 'GET /docs', ...FEED_ROUTES.map((p) => `GET ${p}`)])
      expect(target(key), key).toBe('ApiFunction');
    compute.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT', JwtConfiguration: Match.objectLike({ Issuer: Match.anyValue() }) });
  });

  it('throttles the API, logs access, and allows CORS only from configured origins', () => {
    compute.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
    compute.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://tracker.council.example.gov.uk'] }),
    });
  });

  it('creates a Cognito user pool with a group per role by default, and uses an external issuer when given', () => {
    compute.resourceCountIs('AWS::Cognito::UserPool', 1);
    expect(
      Object.values(compute.findResources('AWS::Cognito::UserPoolGroup'))
        .map((g: any) => g.Properties.GroupName)
        .sort(),
    ).toEqual(['admin', 'cmt', 'feed-reader', 'finance', 'programme-manager']);
    const entra = synth({
      oidcIssuer: 'https://login.microsoftonline.com/tenant-id/v2.0',
      oidcAudience: 'api://benefits-tracker',
      oidcClientId: '0000-pages-client',
    }).compute;
    entra.resourceCountIs('AWS::Cognito::UserPool', 0);
    entra.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: 'https://login.microsoftonline.com/tenant-id/v2.0', Audience: ['api://benefits-tracker'] },
    });
    // The pages sign in with the external issuer's hosted login, as the client named for them.
    entra.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'benefits-tracker pages (signed in with a session cookie)',
      Environment: {
        Variables: Match.objectLike({ PAGES_OIDC_ISSUER: 'https://login.microsoftonline.com/tenant-id/v2.0', PAGES_OIDC_CLIENT_ID: '0000-pages-client' }),
      },
    });
    expect(() => synth({ oidcClientId: 'x' })).toThrow(/oidcClientId goes with oidcIssuer/);
  });

  it('gives the pages a hosted login: a Cognito domain, the code flow with PKCE back to /auth/callback, and the pages function told the issuer and client', () => {
    compute.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: Match.anyValue() });
    compute.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      GenerateSecret: false,
      SupportedIdentityProviders: ['COGNITO'],
      CallbackURLs: [{ 'Fn::Join': ['', [Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('HttpApi'), 'ApiEndpoint'] }), '/auth/callback']] }],
      LogoutURLs: [{ 'Fn::Join': ['', [Match.anyValue(), '/signed-out']] }],
    });
    const fnEnv = (description: string) =>
      (
        Object.values(compute.findResources('AWS::Lambda::Function', { Properties: { Description: description } })) as {
          Properties: { Environment: { Variables: Record<string, unknown> } };
        }[]
      )[0]!.Properties.Environment.Variables;
    const env = fnEnv('benefits-tracker pages (signed in with a session cookie)');
    expect(fnEnv('benefits-tracker HTTP API').PAGES_OIDC_ISSUER).toBeUndefined();
    expect(JSON.stringify(env.PAGES_OIDC_ISSUER)).toContain('cognito-idp.');
    expect(JSON.stringify(env.PAGES_OIDC_CLIENT_ID)).toContain('UsersApiClient');
    // A custom domain is used for the redirect when given.
    const custom = synth({ publicBaseUrl: 'https://tracker.council.example.gov.uk', cognitoDomainPrefix: 'example-council-tracker' }).compute;
    custom.hasResourceProperties('AWS::Cognito::UserPoolClient', { CallbackURLs: ['https://tracker.council.example.gov.uk/auth/callback'] });
    custom.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'example-council-tracker' });
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'benefits-tracker pages (signed in with a session cookie)',
      Environment: { Variables: Match.objectLike({ PUBLIC_BASE_URL: 'https://tracker.council.example.gov.uk' }) },
    });
  });

  it("gives machines the feeds only: a resource server with feeds/read, a client-credentials client, and its client id accepted on the feed routes' authorizer alone", () => {
    compute.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'feeds',
      Scopes: [{ ScopeName: 'read', ScopeDescription: Match.anyValue() }],
    });
    const clients = Object.entries(compute.findResources('AWS::Cognito::UserPoolClient')) as [string, { Properties: Record<string, unknown> }][];
    const [machineId, machine] = clients.find(([, c]) => (c.Properties.AllowedOAuthFlows as string[] | undefined)?.includes('client_credentials'))!;
    expect(machine.Properties).toMatchObject({ AllowedOAuthFlows: ['client_credentials'], GenerateSecret: true });
    // Its one scope: the resource server's identifier ("feeds") and "/read".
    const [server] = Object.keys(compute.findResources('AWS::Cognito::UserPoolResourceServer'));
    expect(machine.Properties.AllowedOAuthScopes).toEqual([{ 'Fn::Join': ['', [{ Ref: server }, '/read']] }]);
    // Two JWT authorizers: the API's, with the people's client only, and the feeds', which adds the machine client.
    const authorizers = Object.entries(compute.findResources('AWS::ApiGatewayV2::Authorizer')) as [
      string,
      { Properties: { JwtConfiguration: { Audience: unknown[] } } },
    ][];
    expect(authorizers).toHaveLength(2);
    const mentions = (a: unknown) => JSON.stringify(a).includes(machineId);
    const [feedsId] = authorizers.find(([, a]) => mentions(a.Properties.JwtConfiguration.Audience))!;
    const [apiId] = authorizers.find(([, a]) => !mentions(a.Properties.JwtConfiguration.Audience))!;
    const routes = Object.values(compute.findResources('AWS::ApiGatewayV2::Route')) as { Properties: { RouteKey: string; AuthorizerId?: { Ref: string } } }[];
    const byKey = Object.fromEntries(routes.map((r) => [r.Properties.RouteKey, r.Properties.AuthorizerId?.Ref]));
    expect(FEED_ROUTES).toEqual(['/v1/feeds/savings', '/v1/feeds/investment', '/v1/feeds/workstreams', '/v1/feeds/projects', '/v1/feeds/benefits']);
    for (const path of FEED_ROUTES) expect(byKey[`GET ${path}`], path).toBe(feedsId);
    expect(byKey['ANY /v1/{proxy+}']).toBe(apiId);
    // Only the feed routes take the feeds' authorizer (not the change feed: it carries the audit trail).
    expect(
      Object.entries(byKey)
        .filter(([, id]) => id === feedsId)
        .map(([k]) => k)
        .sort(),
    ).toEqual(FEED_ROUTES.map((p) => `GET ${p}`).sort());
    compute.hasOutput('FeedsTokenUrl', Match.anyValue());
  });

  it('schedules alerts daily at 06:00 and the digest on Mondays at 07:30, Europe/London, with retries and a dead-letter queue', () => {
    const schedules = Object.values(compute.findResources('AWS::Scheduler::Schedule')) as { Properties: Record<string, any> }[];
    const expressions = schedules.map((s) => s.Properties.ScheduleExpression).sort();
    expect(expressions).toEqual(['cron(0 6 * * ? *)', 'cron(30 7 ? * MON *)', 'rate(5 minutes)']);
    for (const s of schedules.filter((x) => String(x.Properties.ScheduleExpression).startsWith('cron')))
      expect(s.Properties.ScheduleExpressionTimezone).toBe('Europe/London');
    for (const s of schedules) {
      expect(s.Properties.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 });
      expect(s.Properties.Target.DeadLetterConfig.Arn).toBeDefined();
    }
  });

  it('sends email from the SES identity only, from the digest function only; the API may only invoke that function', () => {
    compute.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'council.example.gov.uk' });
    type Policy = { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } };
    const policies = Object.values(compute.findResources('AWS::IAM::Policy')) as Policy[];
    const statementsOf = (fn: string) =>
      policies.filter((p) => p.Properties.Roles.some((r) => r.Ref.startsWith(fn))).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = (statements: Policy['Properties']['PolicyDocument']['Statement']) => statements.flatMap((s) => [s.Action].flat());
    const sesStatements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement).filter((s) => [s.Action].flat().some((a) => a.startsWith('ses:')));
    expect(sesStatements).toHaveLength(1);
    expect(statementsOf('DigestFunction')).toContainEqual(sesStatements[0]);
    expect(JSON.stringify(sesStatements[0]!.Resource)).toContain(':identity/council.example.gov.uk');

    const api = statementsOf('ApiFunction');
    expect(actions(api).filter((a) => a.startsWith('ses:'))).toEqual([]);
    // The API invokes the digest function (a digest on demand) and the export function (a feed too slow for a request), and nothing else.
    const invoke = api.filter((s) => actions([s]).includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(2);
    expect(invoke.map((s) => JSON.stringify(s.Resource).match(/(Digest|Exports)Function/)?.[0]).sort()).toEqual(['DigestFunction', 'ExportsFunction']);
    const [apiFn] = Object.values(compute.findResources('AWS::Lambda::Function', { Properties: { Description: 'benefits-tracker HTTP API' } })) as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    }[];
    expect(JSON.stringify(apiFn!.Properties.Environment.Variables.DIGEST_FUNCTION_NAME)).toContain('DigestFunction');
    expect(JSON.stringify(apiFn!.Properties.Environment.Variables.FEED_EXPORT_FUNCTION_NAME)).toContain('ExportsFunction');
    // Large feeds and packs: the exports bucket, private, expiring after a day; the API and the export function may store and read feeds/ and packs/ there, and no other function may.
    expect(JSON.stringify(apiFn!.Properties.Environment.Variables.EXPORTS_BUCKET)).toContain('ExportsBucket');
    compute.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 1, Status: 'Enabled' })] },
    });
    const s3Actions = (fn: string) => actions(statementsOf(fn)).filter((a) => a.startsWith('s3:'));
    for (const fn of ['ApiFunction', 'ExportsFunction']) {
      expect(s3Actions(fn).sort()).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
      // Objects under feeds/ and packs/ only.
      const objects = statementsOf(fn).filter((s) => actions([s]).includes('s3:PutObject'));
      expect(objects.flatMap((s) => [s.Resource].flat().map((r) => JSON.stringify(r).match(/\/(\w+)\/\*/)?.[1])).sort()).toEqual(['feeds', 'packs']);
    }
    // The export function: the most time Lambda gives, a whole vCPU, and no retries by the Lambda service (the next request starts a failed job again).
    compute.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Makes a finance feed or monitoring pack too slow for a request and stores it in the exports bucket',
      MemorySize: 1769,
      Timeout: 900,
      Environment: { Variables: Match.objectLike({ EXPORTS_BUCKET: Match.anyValue() }) },
    });
    compute.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
    // The pages store and link the monitoring pack (packs/ only) and hand a slow one to the export function.
    expect(s3Actions('PagesFunction').sort()).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
    const pageObjects = statementsOf('PagesFunction').filter((s) => actions([s]).includes('s3:PutObject'));
    expect(pageObjects.flatMap((s) => [s.Resource].flat().map((r) => JSON.stringify(r).match(/\/(\w+)\/\*/)?.[1]))).toEqual(['packs']);
    const pagesInvoke = statementsOf('PagesFunction').filter((s) => actions([s]).includes('lambda:InvokeFunction'));
    expect(pagesInvoke.map((s) => JSON.stringify(s.Resource).match(/(Digest|Exports)Function/)?.[0])).toEqual(['ExportsFunction']);
    for (const fn of ['AlertsFunction', 'DigestFunction', 'PublisherFunction']) expect(s3Actions(fn)).toEqual([]);
    // The alert run at 10× the benchmark programme peaked at 2.6 GB of heap: it has room, and the most time Lambda gives.
    compute.hasResourceProperties('AWS::Lambda::Function', { Description: 'Daily benefits-realisation alert evaluation', MemorySize: 4096, Timeout: 900 });
  });

  it('alarms on function errors, dead letters and API 5xx, to an encrypted SNS topic', () => {
    const alarms = Object.values(compute.findResources('AWS::CloudWatch::Alarm')) as { Properties: Record<string, any> }[];
    expect(alarms.map((a) => a.Properties.MetricName).sort()).toEqual([
      '5xx',
      'ApproximateNumberOfMessagesVisible',
      'Errors',
      'Errors',
      'Errors',
      'Errors',
      'Errors',
      'Errors',
    ]);
    for (const a of alarms) expect(a.Properties.AlarmActions).toHaveLength(1);
    compute.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    compute.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@council.example.gov.uk' });
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  it('finds nothing unacknowledged, and every acknowledgement has a reason', () => {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { conclusion: string; violations: unknown[]; suppressedViolations: { reason?: string; suppressionReason?: string }[] }[];
    };
    for (const r of report.pluginReports) {
      expect(r.violations).toEqual([]);
      expect(r.conclusion).toBe('success');
    }
  });

  it('attaches the monitoring pack to the digest only when digestMonitoringPack says so', () => {
    const digestFn = (t: Template) =>
      (Object.values(t.findResources('AWS::Lambda::Function')) as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }[]).find(
        (f) => f.Properties.Environment?.Variables?.DIGEST_SENDER,
      )!.Properties.Environment!.Variables!;
    expect(digestFn(compute).DIGEST_MONITORING_PACK).toBe('never');
    expect(digestFn(synth({ digestMonitoringPack: 'monthly' }).compute).DIGEST_MONITORING_PACK).toBe('monthly');
    expect(() => synth({ digestMonitoringPack: 'weekly' })).toThrow(/digestMonitoringPack is never, monthly/);
  });

  it('refuses to synth without the email settings', () => {
    expect(() => buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }))).toThrow(/sesIdentity, digestSender and digestRecipients/);
  });
});
