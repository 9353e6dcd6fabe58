import { lazySchema } from '@bt/core';
import { Role, UnauthenticatedError, type Principal } from '@bt/core';
import type { MiddlewareHandler } from 'hono';
import { verify } from 'hono/jwt';
import { JwtTokenExpired, JwtTokenAudience, JwtTokenIssuer, JwtTokenNotBefore, JwtTokenSignatureMismatched } from 'hono/utils/jwt/types';
import * as z from 'zod';
import type { AppEnv } from './env.ts';

/**
 * Identity comes from a JWT. Locally the app verifies HS256 tokens itself
 * (signed with LOCAL_JWT_SECRET); in AWS the HTTP API's JWT authorizer has
 * verified the token and the app reads the claims it passes on.
 */
export type AuthConfig = { mode: 'local-hs256'; secret: string; issuer: string; audience: string } | { mode: 'apigw-jwt' };

export const LOCAL_ISSUER = 'benefits-tracker-local';
export const AUDIENCE = 'benefits-tracker';

/** Roles arrive as a JSON array, a space- or comma-separated string, or API Gateway's "[a b]" rendering of an array. */
const RoleList = lazySchema(() =>
  z.union([z.array(z.string()), z.string()]).transform((v) => (Array.isArray(v) ? v : v.replace(/^\[|\]$/g, '').split(/[\s,]+/)).filter((r) => r.length > 0)),
);

/**
 * A user's id, normalised once here so every comparison (segregation of
 * duties, "manages this project", idempotency scopes) sees one spelling:
 * Unicode NFC, no surrounding white space, no control characters.
 */
export const Subject = lazySchema(() =>
  z
    .string()
    .transform((s) => s.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .min(1)
        .max(128)
        .regex(/^[^\p{Cc}\p{Cf}]+$/u),
    ),
);

const Claims = lazySchema(() =>
  z.object({
    sub: Subject,
    name: z.string().max(200).optional(),
    email: z.string().max(320).optional(),
    roles: RoleList.optional(),
    'cognito:groups': RoleList.optional(),
    /** An OAuth access token's scopes (space-separated); a machine client's token carries `feeds/read`. */
    scope: z.string().max(2000).optional(),
    token_use: z.string().optional(),
  }),
);

/** The scope of the stack's resource server that a machine client (Power BI's gateway) is granted: the feeds, and nothing else. */
export const FEEDS_READ_SCOPE = 'feeds/read';

export function principalFromClaims(claims: unknown): Principal {
  const parsed = Claims.safeParse(claims);
  if (!parsed.success) throw new UnauthenticatedError('The token does not carry a valid subject.');
  const { sub, name, email } = parsed.data;
  const names = new Set([...(parsed.data.roles ?? []), ...(parsed.data['cognito:groups'] ?? [])]);
  // A client-credentials token (no person, no groups) granted the feeds' scope reads the feeds as `feed-reader`.
  const machine = parsed.data.token_use === 'access' && (parsed.data.scope ?? '').split(' ').includes(FEEDS_READ_SCOPE);
  if (machine) names.add('feed-reader');
  const roles = [...names].filter((r): r is Role => Role.safeParse(r).success);
  // Cognito users often have no `name` attribute: their email reads better than a UUID.
  return { sub, name: name ?? email ?? sub, ...(email ? { email } : {}), roles };
}

export async function verifyLocal(token: string, config: Extract<AuthConfig, { mode: 'local-hs256' }>): Promise<Principal> {
  let payload: Record<string, unknown>;
  try {
    payload = await verify(token, config.secret, { alg: 'HS256', iss: config.issuer, aud: config.audience });
  } catch (error) {
    if (error instanceof JwtTokenExpired) throw new UnauthenticatedError('The token has expired; get a new one.');
    if (error instanceof JwtTokenNotBefore) throw new UnauthenticatedError('The token is not valid yet.');
    if (error instanceof JwtTokenAudience) throw new UnauthenticatedError(`The token is not meant for this API (audience must be ${config.audience}).`);
    if (error instanceof JwtTokenIssuer) throw new UnauthenticatedError(`The token was not issued by ${config.issuer}.`);
    if (error instanceof JwtTokenSignatureMismatched)
      throw new UnauthenticatedError(
        "The token was signed with a different key than this server's (another data directory's, or another LOCAL_JWT_SECRET). Print one with this server's: DATA_DIR=<its data directory> pnpm -s token -- --role <role>.",
      );
    throw new UnauthenticatedError('The token is not valid: its signature, algorithm or format was refused.');
  }
  if (typeof payload.exp !== 'number') throw new UnauthenticatedError('The token has no expiry; tokens must expire.');
  return principalFromClaims(payload);
}

export function authenticate(config: AuthConfig): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (config.mode === 'apigw-jwt') {
      const claims = (c.env?.event?.requestContext as { authorizer?: { jwt?: { claims?: unknown } } } | undefined)?.authorizer?.jwt?.claims;
      if (!claims) throw new UnauthenticatedError('No verified identity reached the API.');
      c.set('principal', principalFromClaims(claims));
      return next();
    }
    const header = c.req.header('Authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) throw new UnauthenticatedError('Send a bearer token in the Authorization header.');
    c.set('principal', await verifyLocal(match[1], config));
    return next();
  };
}
