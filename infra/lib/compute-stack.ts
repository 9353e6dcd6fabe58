import { CfnOutput, Duration, Stack, TimeZone, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { PAGE_FORM_PATHS, PAGE_PATHS } from '@bt/api/page-paths';
import { Role } from '@bt/core';
import { ProjectFunction } from './function.ts';

export interface ComputeSettings {
  tableName: string;
  /** SES sending identity: a domain (council.gov.uk) or an address (benefits@council.gov.uk). */
  sesIdentity: string;
  digestSender: string;
  digestRecipients: string[];
  /** Attach the monthly monitoring pack to the digest: never (default), monthly (the first digest of each month) or always. */
  digestMonitoringPack?: 'never' | 'monthly' | 'always' | undefined;
  /** An external OIDC issuer (e.g. Microsoft Entra ID) and audience; without them the stack creates a Cognito user pool. */
  oidcIssuer?: string | undefined;
  oidcAudience?: string | undefined;
  /** With an external issuer: the client the pages' hosted login uses (the ID token's audience); default the API audience. */
  oidcClientId?: string | undefined;
  /** The Cognito hosted login's domain prefix (`<prefix>.auth.<region>.amazoncognito.com`); default `benefits-tracker-<account>`. */
  cognitoDomainPrefix?: string | undefined;
  corsOrigins: string[];
  alarmEmail?: string | undefined;
  publicBaseUrl?: string | undefined;
}

export interface ComputeStackProps extends StackProps {
  /** The main table's name (made by the data stack). */
  tableName: string;
  bus: events.IEventBus;
  settings: ComputeSettings;
}

/** Routes anyone may call: liveness and the API's documentation. */
export const PUBLIC_ROUTES = ['/health', '/openapi.json', '/docs'] as const;

/**
 * The pages' routes in API Gateway's syntax. They have no JWT authorizer: a
 * browser sends a session cookie, which the pages verify themselves against
 * the issuer's keys (packages/api/src/pages/login.tsx).
 */
const toRoute = (p: string) => p.replace(/:(\w+)/g, '{$1}').replace(/\/\*$/, '/{proxy+}');
export const PAGE_ROUTES = PAGE_PATHS.map(toRoute);
/** The pages' forms: POST, checked by the pages themselves (session and CSRF token). */
export const PAGE_FORM_ROUTES = PAGE_FORM_PATHS.map(toRoute);

/** The feeds a machine client may read (facts and dimensions; not the change feed, which carries the audit trail). */
export const FEED_ROUTES = ['/v1/feeds/savings', '/v1/feeds/investment', '/v1/feeds/workstreams', '/v1/feeds/projects', '/v1/feeds/benefits'] as const;

/**
 * The stateless stack: the six functions; the HTTP API in front of the API's
 * function (a JWT authorizer on its routes) and the pages' (cookie sign-in);
 * the EventBridge Scheduler schedules (Europe/London, retries, dead-letter
 * queue), SES sending, and alarms to an SNS topic.
 */
export class ComputeStack extends Stack {
  readonly api: apigw.HttpApi;
  readonly functions: Record<'api' | 'alerts' | 'digest' | 'publisher' | 'pages' | 'exports', ProjectFunction>;
  readonly exportsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ComputeStackProps) {
    super(scope, id, props);
    const { bus, settings } = props;
    const table = dynamodb.TableV2.fromTableName(this, 'MainTable', props.tableName);

    // --- email ---------------------------------------------------------------
    const domainIdentity = !settings.sesIdentity.includes('@');
    new ses.EmailIdentity(this, 'SendingIdentity', {
      identity: domainIdentity ? ses.Identity.domain(settings.sesIdentity) : ses.Identity.email(settings.sesIdentity),
    });
    const sendEmail = new iam.PolicyStatement({
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resources: [`arn:${this.partition}:ses:${this.region}:${this.account}:identity/${settings.sesIdentity}`],
    });
    const digestEnv = {
      DIGEST_SENDER: settings.digestSender,
      DIGEST_RECIPIENTS: settings.digestRecipients.join(','),
      DIGEST_MONITORING_PACK: settings.digestMonitoringPack ?? 'never',
      ...(settings.publicBaseUrl ? { PUBLIC_BASE_URL: settings.publicBaseUrl } : {}),
    };

    // --- functions -------------------------------------------------------------
    const alerts = new ProjectFunction(this, 'AlertsFunction', {
      name: 'alerts',
      description: 'Daily benefits-realisation alert evaluation',
      timeout: Duration.minutes(15),
      // The run holds the whole programme's records and alerts: at 10,000 projects (100,000 savings) its heap peaked at 2.6 GB
      // (`pnpm bench:scale`, docs/benchmarks.md); Lambda gives CPU in proportion to memory, and it runs once a day.
      memorySize: 4096,
      environment: { EVENT_BUS_NAME: bus.eventBusName },
    }).useTable(table, 'readWrite');
    const digest = new ProjectFunction(this, 'DigestFunction', {
      name: 'digest',
      description: 'Weekly CMT digest',
      timeout: Duration.minutes(5),
      environment: { EVENT_BUS_NAME: bus.eventBusName, ...digestEnv },
    }).useTable(table, 'readWrite');
    digest.addToRolePolicy(sendEmail);
    // Digests on demand: the API asks the digest function, so only that function holds mail code and SES rights.
    // A feed or monitoring pack larger than a Lambda response may be (6 MB) is written here and linked to (303): copies, deleted after a day.
    this.exportsBucket = new s3.Bucket(this, 'ExportsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(1), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });
    // A feed or monitoring pack too slow to make within a request (API Gateway gives it 30 s: a programme of thousands of projects) is made here, handed off by the API.
    const exportsFn = new ProjectFunction(this, 'ExportsFunction', {
      name: 'exports',
      description: 'Makes a finance feed or monitoring pack too slow for a request and stores it in the exports bucket',
      timeout: Duration.minutes(15),
      // A full vCPU: making a feed is CPU-bound (about 50,000 rows a second of one core, docs/benchmarks.md); its memory stays flat.
      memorySize: 1769,
      environment: { EXPORTS_BUCKET: this.exportsBucket.bucketName },
      // No retries by the Lambda service: a failed job releases its file, and the client's next request for it starts another.
      retryAttempts: 0,
    }).useTable(table, 'readWrite');
    const api = new ProjectFunction(this, 'ApiFunction', {
      name: 'api',
      description: 'benefits-tracker HTTP API',
      environment: {
        DIGEST_FUNCTION_NAME: digest.functionName,
        EXPORTS_BUCKET: this.exportsBucket.bucketName,
        FEED_EXPORT_FUNCTION_NAME: exportsFn.functionName,
      },
    }).useTable(table, 'readWrite');
    digest.grantInvoke(api);
    exportsFn.grantInvoke(api);
    // Exactly what storing and linking a feed or pack needs (a missing object is a 404, not a 403, only with ListBucket).
    for (const fn of [api, exportsFn]) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
          resources: [this.exportsBucket.arnForObjects('feeds/*'), this.exportsBucket.arnForObjects('packs/*')],
        }),
      );
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.exportsBucket.bucketArn] }));
    }
    // The pages: a function of their own behind the same HTTP API, so the API carries none of their code.
    const pages = new ProjectFunction(this, 'PagesFunction', {
      name: 'pages',
      description: 'benefits-tracker pages (signed in with a session cookie)',
      // The monitoring pack's download, as the API's: stored and linked to when large, made by the export function when slow.
      environment: { EXPORTS_BUCKET: this.exportsBucket.bucketName, FEED_EXPORT_FUNCTION_NAME: exportsFn.functionName },
    }).useTable(table, 'readWrite');
    exportsFn.grantInvoke(pages);
    // The pages export the monitoring pack only: packs/, not feeds/.
    pages.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        resources: [this.exportsBucket.arnForObjects('packs/*')],
      }),
    );
    pages.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.exportsBucket.bucketArn] }));
    const publisher = new ProjectFunction(this, 'PublisherFunction', {
      name: 'publisher',
      description: 'Publishes the outbox to EventBridge',
      timeout: Duration.minutes(1),
      memorySize: 512,
      environment: { EVENT_BUS_NAME: bus.eventBusName },
    }).useTable(table, 'readWrite');
    for (const fn of [alerts, digest, publisher]) bus.grantPutEventsTo(fn);
    this.functions = { api, alerts, digest, publisher, pages, exports: exportsFn };

    // --- the HTTP API and identity ------------------------------------------------------
    this.api = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Transformation benefits tracker API',
      createDefaultStage: false,
      ...(settings.corsOrigins.length
        ? {
            corsPreflight: {
              allowOrigins: settings.corsOrigins,
              allowHeaders: ['authorization', 'content-type', 'if-match', 'if-none-match', 'idempotency-key'],
              allowMethods: [apigw.CorsHttpMethod.ANY],
              exposeHeaders: ['etag', 'x-request-id'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    const baseUrl = (settings.publicBaseUrl ?? this.api.apiEndpoint).replace(/\/$/, '');
    let issuer = settings.oidcIssuer;
    let audience = settings.oidcAudience ? [settings.oidcAudience] : [];
    let pagesClientId = settings.oidcClientId ?? settings.oidcAudience;
    let machineClientId: string | undefined;
    if (!issuer) {
      const pool = new cognito.UserPool(this, 'Users', {
        selfSignUpEnabled: false,
        signInAliases: { email: true },
        mfa: cognito.Mfa.REQUIRED,
        mfaSecondFactor: { otp: true, sms: false },
        passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
        accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
        featurePlan: cognito.FeaturePlan.PLUS,
        standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      });
      // One group per role of the spec: the JWT carries them in cognito:groups.
      for (const role of Role.options) new cognito.CfnUserPoolGroup(this, `Group-${role}`, { userPoolId: pool.userPoolId, groupName: role });
      // The hosted login the pages send people to (authorization code flow with PKCE; no client secret).
      const domain = pool.addDomain('HostedLogin', { cognitoDomain: { domainPrefix: settings.cognitoDomainPrefix ?? `benefits-tracker-${this.account}` } });
      const client = pool.addClient('ApiClient', {
        authFlows: { userSrp: true },
        generateSecret: false,
        preventUserExistenceErrors: true,
        accessTokenValidity: Duration.hours(1),
        idTokenValidity: Duration.hours(1),
        supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
        oAuth: {
          flows: { authorizationCodeGrant: true },
          scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
          callbackUrls: [`${baseUrl}/auth/callback`],
          logoutUrls: [`${baseUrl}/signed-out`],
        },
      });
      // A machine client for Power BI's gateway (or any scheduled reader): client credentials, the feeds' scope only.
      const readScope = new cognito.ResourceServerScope({ scopeName: 'read', scopeDescription: 'Read the finance feeds (facts and dimensions)' });
      const feeds = pool.addResourceServer('Feeds', { identifier: 'feeds', scopes: [readScope] });
      const machine = pool.addClient('FeedsMachineClient', {
        generateSecret: true,
        authFlows: {},
        accessTokenValidity: Duration.hours(1),
        supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
        oAuth: { flows: { clientCredentials: true }, scopes: [cognito.OAuthScope.resourceServer(feeds, readScope)] },
      });
      machineClientId = machine.userPoolClientId;
      issuer = `https://cognito-idp.${this.region}.amazonaws.com/${pool.userPoolId}`;
      audience = [client.userPoolClientId];
      pagesClientId = client.userPoolClientId;
      new CfnOutput(this, 'UserPoolId', { value: pool.userPoolId });
      new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
      new CfnOutput(this, 'HostedLoginDomain', { value: domain.baseUrl() });
      new CfnOutput(this, 'FeedsClientId', {
        value: machine.userPoolClientId,
        description: 'The machine client of the feeds (its secret: aws cognito-idp describe-user-pool-client).',
      });
      new CfnOutput(this, 'FeedsTokenUrl', {
        value: `${domain.baseUrl()}/oauth2/token`,
        description: 'POST grant_type=client_credentials&scope=feeds/read here.',
      });
    }
    pages.addEnvironment('PAGES_OIDC_ISSUER', issuer);
    pages.addEnvironment('PAGES_OIDC_CLIENT_ID', pagesClientId!);
    if (settings.publicBaseUrl) pages.addEnvironment('PUBLIC_BASE_URL', settings.publicBaseUrl);
    const authorizer = new HttpJwtAuthorizer('Jwt', issuer, { jwtAudience: audience });
    // The feeds also take the machine client's token (its client_id is checked as the audience); no other route does.
    const feedsAuthorizer = machineClientId ? new HttpJwtAuthorizer('FeedsJwt', issuer, { jwtAudience: [...audience, machineClientId] }) : authorizer;

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_YEAR });
    new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs) },
    });
    const integration = new HttpLambdaIntegration('Api', api);
    const pagesIntegration = new HttpLambdaIntegration('Pages', pages);
    // Every route has its authorizer said explicitly: the JWT authorizer on the API, none on the public routes and the pages.
    this.api.addRoutes({ path: '/v1/{proxy+}', methods: [apigw.HttpMethod.ANY], integration, authorizer });
    // Any other address (a mistyped or outdated link) goes to the pages, which show a browser their "Page not found" (a client asking for JSON gets problem+json).
    new apigw.HttpRoute(this, 'DefaultRoute', {
      httpApi: this.api,
      routeKey: apigw.HttpRouteKey.DEFAULT,
      integration: pagesIntegration,
      authorizer: new apigw.HttpNoneAuthorizer(),
    });
    for (const path of PUBLIC_ROUTES) {
      this.api.addRoutes({ path, methods: [apigw.HttpMethod.GET], integration, authorizer: new apigw.HttpNoneAuthorizer() });
    }
    for (const path of PAGE_ROUTES) {
      this.api.addRoutes({ path, methods: [apigw.HttpMethod.GET], integration: pagesIntegration, authorizer: new apigw.HttpNoneAuthorizer() });
    }
    for (const path of PAGE_FORM_ROUTES) {
      this.api.addRoutes({ path, methods: [apigw.HttpMethod.POST], integration: pagesIntegration, authorizer: new apigw.HttpNoneAuthorizer() });
    }
    for (const path of FEED_ROUTES) this.api.addRoutes({ path, methods: [apigw.HttpMethod.GET], integration, authorizer: feedsAuthorizer });
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'SignInUrl', { value: `${baseUrl}/sign-in` });

    // --- schedules -------------------------------------------------------------------
    const dlq = new sqs.Queue(this, 'ScheduleDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const schedule = (id: string, fn: ProjectFunction, expression: scheduler.ScheduleExpression, description: string) =>
      new scheduler.Schedule(this, id, {
        schedule: expression,
        description,
        target: new LambdaInvoke(fn, {
          input: scheduler.ScheduleTargetInput.fromObject({}),
          deadLetterQueue: dlq,
          retryAttempts: 3,
          maxEventAge: Duration.hours(2),
        }),
      });
    schedule(
      'AlertsDaily',
      alerts,
      scheduler.ScheduleExpression.cron({ minute: '0', hour: '6', timeZone: TimeZone.EUROPE_LONDON }),
      'Alert evaluation, daily 06:00 Europe/London',
    );
    schedule(
      'DigestWeekly',
      digest,
      scheduler.ScheduleExpression.cron({ minute: '30', hour: '7', weekDay: 'MON', timeZone: TimeZone.EUROPE_LONDON }),
      'CMT digest, Mondays 07:30 Europe/London',
    );
    schedule('PublisherEvery5Minutes', publisher, scheduler.ScheduleExpression.rate(Duration.minutes(5)), 'Publish outbox events');

    // --- alarms ------------------------------------------------------------------------
    const topic = new sns.Topic(this, 'Alarms', { masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'), enforceSSL: true });
    if (settings.alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(settings.alarmEmail));
    const alarm = (id: string, metric: cloudwatch.IMetric, description: string) =>
      new cloudwatch.Alarm(this, id, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }).addAlarmAction(new cwActions.SnsAction(topic));
    for (const [name, fn] of Object.entries(this.functions))
      alarm(`${name}Errors`, fn.metricErrors({ period: Duration.minutes(5) }), `The ${name} function is failing`);
    alarm('DeadLetters', dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }), 'A scheduled run failed all its retries');
    alarm('Api5xx', this.api.metricServerError({ period: Duration.minutes(5) }), 'The API is answering 5xx');
  }
}
