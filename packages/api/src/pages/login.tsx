import { lazySchema } from '@bt/core';
import { BadRequestError, ForbiddenError, ServiceUnavailableError, UnauthenticatedError, type Principal } from '@bt/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import * as z from 'zod';
import { principalFromClaims, verifyLocal, type AuthConfig } from '../auth.ts';
import type { AppEnv } from '../env.ts';
import { logger } from '@bt/services';
import { ErrorSummary, Layout } from './layout.tsx';

/**
 * How a person signs in to the pages. The pages hold the signed-in user's
 * token in an HttpOnly cookie and verify it on every request, as the API does
 * with a bearer token.
 */
export interface PageLogin {
  /** The signed-in user, or null when there is no valid session. */
  principal(c: Context<AppEnv>): Promise<Principal | null>;
  /** Adds /sign-in, /sign-out and whatever else the way of signing in needs. */
  routes(pages: Hono<AppEnv>): void;
}

const SESSION = 'bt_session';
const isHttps = (c: Context<AppEnv>) => new URL(c.req.url).protocol === 'https:';
/** Where to go after signing in: a path on this site only (never `//elsewhere`). */
const SITE = 'https://this-site.invalid';

/**
 * Where to go after signing in: a path on this site, or the overview. Only
 * visible ASCII without a backslash is taken, because browsers drop tabs and
 * newlines from URLs and read a backslash as '/', so '/\t/evil.example' would leave
 * the site; what is left must still resolve to this site.
 */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2048 || !/^\/(?![/\\])[\x21-\x5b\x5d-\x7e]*$/.test(value)) return '/';
  const url = new URL(value, SITE);
  return url.origin === SITE ? `${url.pathname}${url.search}${url.hash}` : '/';
}

/**
 * The CSRF token of the signed-in session: a hash of the session cookie, so
 * it is bound to the session and secret as the cookie is (HttpOnly: no page
 * of another site can read it or compute the token). Every form carries it
 * in `_csrf`; `assertCsrf` checks it on every POST (OWASP's synchronizer
 * token, derived rather than stored: no server state, as a Lambda needs).
 */
export function csrfToken(c: Context<AppEnv>): string {
  const session = getCookie(c, SESSION) ?? '';
  return createHash('sha256').update(`csrf:${session}`).digest('base64url');
}

/** Refuses (403) a form posted without the session's CSRF token: nothing is changed. */
export function assertCsrf(c: Context<AppEnv>, form: Record<string, unknown>): void {
  const sent = typeof form._csrf === 'string' ? Buffer.from(form._csrf) : Buffer.alloc(0);
  const expected = Buffer.from(csrfToken(c));
  if (!getCookie(c, SESSION) || sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
    throw new ForbiddenError(
      'This form did not come from a page of this site signed in as you (its security token is missing or out of date). Nothing was changed: open the page again and resubmit.',
    );
  }
}

/** A submitted form; a body that cannot be read as one is the request's fault (400), never a 500. */
export async function formBody(c: Context<AppEnv>, options: { all?: boolean } = {}): Promise<Record<string, unknown>> {
  try {
    // `all`: a name sent more than once (ticked checkboxes) gives all its values.
    return await c.req.parseBody({ all: options.all ?? false });
  } catch {
    throw new BadRequestError('The form could not be read; send it again from the page.');
  }
}

/** Locally: paste a token printed by `pnpm token` (HS256, LOCAL_JWT_SECRET). */
export function tokenLogin(auth: Extract<AuthConfig, { mode: 'local-hs256' }>): PageLogin {
  return {
    async principal(c) {
      const token = getCookie(c, SESSION);
      if (!token) return null;
      try {
        return await verifyLocal(token, auth);
      } catch (error) {
        if (error instanceof UnauthenticatedError) return null;
        throw error;
      }
    },
    routes(pages) {
      pages.get('/sign-in', (c) =>
        c.html(
          <Layout title="Sign in">
            <h1 class="govuk-heading-l">Sign in</h1>
            {c.req.query('error') ? (
              <ErrorSummary problems={[{ field: 'token', message: 'The token was not accepted: it may have expired. Print a new one with pnpm token.' }]} />
            ) : null}
            <form method="post" action="/sign-in" novalidate>
              <input type="hidden" name="next" value={safeNext(c.req.query('next'))} />
              <div class="govuk-form-group">
                <label class="govuk-label govuk-label--s" for="token">
                  Access token
                </label>
                <div id="token-hint" class="govuk-hint">
                  Locally: <code>pnpm token -- --role cmt --sub you</code> prints one.
                </div>
                <textarea class="govuk-textarea" id="token" name="token" rows={4} aria-describedby="token-hint" autocomplete="off"></textarea>
              </div>
              <button type="submit" class="govuk-button" data-module="govuk-button">
                Sign in
              </button>
            </form>
          </Layout>,
        ),
      );
      pages.post('/sign-in', async (c) => {
        const form = await formBody(c);
        const token = typeof form.token === 'string' ? form.token.trim() : '';
        const next = safeNext(form.next);
        try {
          await verifyLocal(token, auth);
        } catch {
          return c.redirect(`/sign-in?error=1&next=${encodeURIComponent(next)}`, 303);
        }
        setCookie(c, SESSION, token, { httpOnly: true, sameSite: 'Lax', path: '/', secure: isHttps(c) });
        return c.redirect(next, 303);
      });
      pages.get('/sign-out', (c) => {
        deleteCookie(c, SESSION, { path: '/', secure: isHttps(c) });
        return c.redirect('/sign-in', 303);
      });
    },
  };
}

export interface OidcLoginSettings {
  /** The OpenID Connect issuer: the Cognito user pool's, or e.g. Microsoft Entra ID's `https://login.microsoftonline.com/<tenant>/v2.0`. */
  issuer: string;
  /** The client registered for the pages: the ID token's audience. */
  clientId: string;
  /** Where this site is served, for the redirect URI registered with the issuer; default: the request's own origin. */
  publicBaseUrl?: string | undefined;
}

/** The short-lived state of one sign-in, kept in a cookie scoped to the callback. */
const Pending = lazySchema(() => z.object({ verifier: z.string().min(43), state: z.string().min(1), nonce: z.string().min(1), next: z.string() }));
const PENDING = 'bt_oidc';
const CALLBACK = '/auth/callback';

/**
 * In AWS: the hosted login of an OpenID Connect issuer (Cognito's, or an
 * external one such as Entra ID), authorization code flow with PKCE, state
 * and nonce (openid-client). The ID token becomes the session; its signature,
 * issuer, audience and expiry are checked against the issuer's published keys
 * (jose) on every request. Roles come from `roles` or `cognito:groups`.
 */
export function oidcLogin(settings: OidcLoginSettings): PageLogin {
  const issuer = new URL(settings.issuer);
  // Plain http only for an issuer on this machine (tests); anything else must be https.
  const loopback = issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
  let discovered: Promise<{ config: oidc.Configuration; jwks: ReturnType<typeof createRemoteJWKSet> }> | undefined;
  // Discovery is a network call: made on the first sign-in or page, then kept; a failure is retried next time.
  const discover = () =>
    (discovered ??= oidc
      .discovery(issuer, settings.clientId, undefined, oidc.None(), loopback ? { execute: [oidc.allowInsecureRequests] } : undefined)
      .then((config) => {
        const jwksUri = config.serverMetadata().jwks_uri;
        if (!jwksUri) throw new Error(`The issuer ${settings.issuer} publishes no jwks_uri.`);
        return { config, jwks: createRemoteJWKSet(new URL(jwksUri)) };
      })
      .catch((error: unknown) => {
        discovered = undefined;
        logger.warn('sign-in: issuer discovery failed', { issuer: settings.issuer, error: error instanceof Error ? error.message : String(error) });
        throw new ServiceUnavailableError('The sign-in service cannot be reached just now; try again in a minute.');
      }));
  const baseUrl = (c: Context<AppEnv>) => (settings.publicBaseUrl ?? new URL(c.req.url).origin).replace(/\/$/, '');

  /** The session's user and when it ends (seconds since the epoch). */
  async function verify(token: string): Promise<{ principal: Principal; exp: number }> {
    const { jwks, config } = await discover();
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: config.serverMetadata().issuer, audience: settings.clientId, requiredClaims: ['exp', 'sub'] });
      return { principal: principalFromClaims(payload), exp: payload.exp! };
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) throw new UnauthenticatedError(`The session is not valid (${error.code}); sign in again.`);
      throw error;
    }
  }

  const failed = (c: Context<AppEnv>, status: 400 | 401 | 502, message: string) =>
    c.html(
      <Layout title="Sign-in failed">
        <h1 class="govuk-heading-l">Sign-in failed</h1>
        <ErrorSummary problems={[{ message }]} />
        <p class="govuk-body">
          <a class="govuk-link" href="/sign-in">
            Try signing in again
          </a>
          .
        </p>
      </Layout>,
      status,
    );

  return {
    async principal(c) {
      const token = getCookie(c, SESSION);
      if (!token) return null;
      try {
        return (await verify(token)).principal;
      } catch (error) {
        if (error instanceof UnauthenticatedError) return null;
        throw error;
      }
    },
    routes(pages) {
      pages.get('/sign-in', async (c) => {
        const { config } = await discover();
        const pending = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce(), next: safeNext(c.req.query('next')) };
        setCookie(c, PENDING, JSON.stringify(pending), { httpOnly: true, sameSite: 'Lax', path: CALLBACK, secure: isHttps(c), maxAge: 600 });
        const url = oidc.buildAuthorizationUrl(config, {
          redirect_uri: `${baseUrl(c)}${CALLBACK}`,
          scope: 'openid email profile',
          code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
          code_challenge_method: 'S256',
          state: pending.state,
          nonce: pending.nonce,
        });
        return c.redirect(url.href, 302);
      });

      pages.get(CALLBACK, async (c) => {
        const raw = getCookie(c, PENDING);
        deleteCookie(c, PENDING, { path: CALLBACK, secure: isHttps(c) });
        const error = c.req.query('error');
        if (error) return failed(c, 401, `The sign-in service said: ${c.req.query('error_description') ?? error}.`);
        let pending: z.infer<typeof Pending>;
        try {
          pending = Pending.parse(JSON.parse(raw ?? ''));
        } catch {
          return failed(c, 400, 'This sign-in was not started here, or took longer than ten minutes.');
        }
        const { config } = await discover();
        // The redirect URI as registered: the callback on this site's base URL, with the query the issuer sent.
        const current = new URL(`${baseUrl(c)}${CALLBACK}${new URL(c.req.url).search}`);
        let idToken: string | undefined;
        try {
          const tokens = await oidc.authorizationCodeGrant(config, current, {
            pkceCodeVerifier: pending.verifier,
            expectedState: pending.state,
            expectedNonce: pending.nonce,
            idTokenExpected: true,
          });
          idToken = tokens.id_token;
        } catch (err) {
          logger.warn('sign-in: code exchange refused', { requestId: c.get('requestId'), error: err instanceof Error ? err.message : String(err) });
          if (err instanceof oidc.ClientError || err instanceof oidc.ResponseBodyError || err instanceof oidc.AuthorizationResponseError)
            return failed(c, 400, 'The sign-in could not be completed; please try again.');
          return failed(c, 502, 'The sign-in service could not be reached; please try again.');
        }
        if (!idToken) return failed(c, 502, 'The sign-in service returned no identity.');
        let session: { principal: Principal; exp: number };
        try {
          session = await verify(idToken);
        } catch (err) {
          if (err instanceof UnauthenticatedError) return failed(c, 401, 'The identity returned by the sign-in service was not valid.');
          throw err;
        }
        setCookie(c, SESSION, idToken, {
          httpOnly: true,
          sameSite: 'Lax',
          path: '/',
          secure: isHttps(c),
          maxAge: Math.max(0, session.exp - Math.floor(Date.now() / 1000)),
        });
        logger.info('signed in to the pages', { requestId: c.get('requestId'), sub: session.principal.sub, roles: session.principal.roles });
        return c.redirect(pending.next, 303);
      });

      pages.get('/sign-out', async (c) => {
        deleteCookie(c, SESSION, { path: '/', secure: isHttps(c) });
        const { config } = await discover();
        const after = `${baseUrl(c)}/signed-out`;
        const metadata = config.serverMetadata();
        // End the issuer's session too: its end_session_endpoint, or Cognito's /logout (which its discovery does not list).
        if (metadata.end_session_endpoint)
          return c.redirect(oidc.buildEndSessionUrl(config, { client_id: settings.clientId, post_logout_redirect_uri: after }).href, 302);
        const authorize = metadata.authorization_endpoint ? new URL(metadata.authorization_endpoint) : undefined;
        if (authorize?.hostname.endsWith('.amazoncognito.com')) {
          return c.redirect(`${authorize.origin}/logout?${new URLSearchParams({ client_id: settings.clientId, logout_uri: after })}`, 302);
        }
        return c.redirect('/signed-out', 303);
      });

      pages.get('/signed-out', (c) =>
        c.html(
          <Layout title="Signed out">
            <h1 class="govuk-heading-l">You have signed out</h1>
            <p class="govuk-body">
              <a class="govuk-link" href="/sign-in">
                Sign in again
              </a>
              .
            </p>
          </Layout>,
        ),
      );
    },
  };
}
