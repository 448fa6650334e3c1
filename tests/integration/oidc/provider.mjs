// A real OpenID Connect provider (node-oidc-provider) on loopback, for the sign-in tests.
//
// Started by tests/integration/oidc_provider.py with:
//   PORT          the port to listen on (127.0.0.1)
//   REDIRECT_URI  the relying party's callback (the live server's /konto/sso/svar/)
//   CLIENT_ID, CLIENT_SECRET
//   ACCOUNTS      JSON {sub: {email, name, roles: [...]}}: who can sign in; the provider's
//                 own development login form takes the sub as the login, and any password.
// The ID token is signed with RS256 by a key made at start-up and published at jwks_uri.
// POST /test/tamper?on=1 makes the token endpoint hand out ID tokens whose signature was
// altered (one character of the signature changed), ?on=0 stops it: the relying party must
// refuse them. Everything else is the provider's own protocol code.
import { generateKeyPairSync } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.ACCOUNTS || '{}');

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }), kid: 'partnerskap-test', use: 'sig', alg: 'RS256',
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: [process.env.REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'RS256',
  }],
  jwks: { keys: [signingKey] },
  // The roles claim rides in the ID token, as Entra ID's app roles do.
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'roles'] },
  conformIdTokenClaims: false,
  cookies: { keys: ['partnerskap-test-cookies'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: account.email,
          email_verified: true,
          name: account.name,
          ...(account.roles ? { roles: account.roles } : {}),
        };
      },
    };
  },
  // No consent screen: the test client is first-party, as the county's app registration is.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['sub', 'email', 'email_verified', 'name', 'roles']);
    await grant.save();
    return grant;
  },
});

let tamper = false;

function alterSignature(jwt) {
  const [header, payload, signature] = jwt.split('.');
  const first = signature[0] === 'A' ? 'B' : 'A';
  return [header, payload, first + signature.slice(1)].join('.');
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/test/tamper' && ctx.method === 'POST') {
    tamper = ctx.query.on === '1';
    ctx.body = { tamper };
    return;
  }
  await next();
  if (tamper && ctx.path === '/token' && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: alterSignature(ctx.body.id_token) };
  }
});

// Into the log the test harness keeps (tests/integration/oidc_server.py).
provider.on('server_error', (ctx, error) => console.error('server_error', error));

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
