import type { Role } from '@bt/core';
import { AUDIENCE, LOCAL_ISSUER } from '@bt/api';
import { sign } from 'hono/jwt';

/** A local HS256 token for a user with the given roles, as the server verifies them. */
export async function makeToken(
  secret: string,
  claims: { sub: string; name?: string; email?: string; roles: Role[] },
  options: { ttlSeconds?: number; now?: number } = {},
): Promise<string> {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  return sign(
    {
      ...claims,
      name: claims.name ?? claims.sub,
      iss: LOCAL_ISSUER,
      aud: AUDIENCE,
      iat: now,
      exp: now + (options.ttlSeconds ?? 8 * 3600),
    },
    secret,
    'HS256',
  );
}
