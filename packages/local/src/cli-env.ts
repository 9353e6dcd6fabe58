/**
 * Imported first by the command line, before the AWS SDK: we run on Node 20
 * locally on purpose (the Lambda runtime is Node 24; README, "Node versions"),
 * so the SDK's notice that Node 20 leaves its support is not shown on every
 * command. Set AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false to see it.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
