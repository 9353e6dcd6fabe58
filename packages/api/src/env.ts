import type { Principal } from '@bt/core';
import type { LambdaEvent } from 'hono/aws-lambda';

/** Variables set by middleware for the handlers of one request. */
export interface AppEnv {
  Variables: {
    requestId: string;
    principal: Principal;
  };
  Bindings: {
    /** Present when running in Lambda behind API Gateway (hono/aws-lambda passes it). */
    event?: LambdaEvent;
  };
}
