import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { aliasArgs, builtFileCommands, bundleAssets, externalModules, FUNCTION_ENTRIES, lambdaBundling, sideModuleCommands } from '../../functions/bundling.ts';

const root = join(import.meta.dirname, '..', '..');

export interface ProjectFunctionProps extends Partial<NodejsFunctionProps> {
  /** Which of functions/* this is. */
  name: keyof typeof FUNCTION_ENTRIES;
  description: string;
}

/**
 * Our Lambda defaults in one place: Node.js 24 on arm64, bundled by local
 * esbuild with the same settings the bundle tests use (functions/bundling.ts),
 * JSON logs kept a year, X-Ray tracing, source maps on.
 */
export class ProjectFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    const { name, environment, ...rest } = props;
    super(scope, id, {
      entry: join(root, FUNCTION_ENTRIES[name]),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 1024,
      timeout: Duration.seconds(29),
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_YEAR }),
      projectRoot: root,
      depsLockFilePath: join(root, 'pnpm-lock.yaml'),
      environment: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'benefits-tracker', ...environment },
      bundling: {
        minify: lambdaBundling.minify,
        sourceMap: lambdaBundling.sourcemap,
        format: OutputFormat.ESM,
        target: lambdaBundling.target,
        mainFields: [...lambdaBundling.mainFields],
        banner: lambdaBundling.banner.js,
        esbuildArgs: { '--alias': aliasArgs() },
        // The AWS SDK is bundled, so the version deployed is the one in the lockfile; the side modules are built beside the bundle (below).
        externalModules: externalModules(name),
        // Files the function reads beside its bundle (the pages' GOV.UK Frontend assets, the API's OpenAPI document); the bundle tests make the same.
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            ...bundleAssets(name).map(({ from, to }) => `cp -R "${from}" "${join(outputDir, to)}"`),
            ...sideModuleCommands(name, root, outputDir),
            ...builtFileCommands(name, root, outputDir),
          ],
        },
      },
      ...rest,
    });
  }

  /** Grants the table and sets TABLE_NAME together, so a function can never have one without the other. */
  useTable(table: dynamodb.ITableV2, access: 'read' | 'readWrite'): this {
    if (access === 'read') table.grantReadData(this);
    else table.grantReadWriteData(this);
    this.addEnvironment('TABLE_NAME', table.tableName);
    return this;
  }
}
