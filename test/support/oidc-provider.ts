import type { Server } from 'node:http';
import Provider from 'oidc-provider';

export interface TestAccount {
  name: string;
  email: string;
  /** As Cognito puts them in `cognito:groups` (Entra ID's app roles arrive in `roles`). */
  groups: string[];
}

/**
 * A real OpenID Connect provider on 127.0.0.1 (panva's oidc-provider, the
 * certified implementation), standing in for Cognito's or Entra ID's hosted
 * login in tests: its own login and consent pages (any password), the code
 * flow with PKCE, signed ID tokens, a JWKS and an end-session endpoint. Each
 * login name is an account from `accounts`.
 */
export async function startOidcProvider(options: { port: number; clientId: string; appUrl: string; accounts: Record<string, TestAccount> }) {
  const issuer = `http://127.0.0.1:${options.port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        token_endpoint_auth_method: 'none',
        redirect_uris: [`${options.appUrl}/auth/callback`],
        post_logout_redirect_uris: [`${options.appUrl}/signed-out`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    // Name, email and groups in the ID token itself, as Cognito issues them.
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], email: ['email'], profile: ['name', 'cognito:groups'] },
    pkce: { required: () => true },
    ttl: { IdToken: 3600, AccessToken: 3600, AuthorizationCode: 60, Session: 3600, Interaction: 600, Grant: 3600 },
    async findAccount(_ctx, id) {
      const account = options.accounts[id];
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, name: account.name, email: account.email, 'cognito:groups': account.groups }) };
    },
  });
  const server: Server = await new Promise((resolve) => {
    const s = provider.listen(options.port, '127.0.0.1', () => resolve(s));
  });
  return { issuer, provider, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
