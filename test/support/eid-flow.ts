import type request from 'supertest';
import { buildTestApp, type TestApp } from './test-app';
import { makeUser, uniqueDocument } from './factories';
import type { NewUserOptions } from './sign-in';
import { startSandboxProcess, type SandboxProcess } from './sandbox-process';
import { loginAtProvider } from './provider-login';
import { SANDBOX_PASSWORD } from '../../src/sandbox/citizens';

export const CLIENT_ID = 'his-acceso-test';
export const CLIENT_SECRET = 'test-secret-0123456789-abcdefghijklmnop';
export const REDIRECT_URI = 'http://localhost:3000/auth/eid/callback';
export const MITIC_ISSUER = 'sandbox-mitic-test';

/** A sandbox process for one test file, registered for the test client. */
export const startTestSandbox = () =>
  startSandboxProcess({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
    miticIssuer: MITIC_ISSUER,
    postLogoutRedirectUri: 'http://localhost:3000/login',
  });

/** The environment that points the app at `sandbox` in `protocol`. */
export function eidEnv(protocol: 'mitic' | 'oidc', sandboxUrl: string): Record<string, string> {
  const common = {
    EID_PROTOCOL: protocol,
    EID_CLIENT_ID: CLIENT_ID,
    EID_CLIENT_SECRET: CLIENT_SECRET,
    EID_REDIRECT_URI: REDIRECT_URI,
    EID_TIMEOUT_IN_SECONDS: '2',
  };
  return protocol === 'mitic'
    ? {
        ...common,
        EID_AUTHORIZE_URL: `${sandboxUrl}/login`,
        EID_TOKEN_URL: `${sandboxUrl}/rest/authentication`,
        EID_ISSUER: MITIC_ISSUER,
      }
    : { ...common, EID_ISSUER: `${sandboxUrl}/oidc` };
}

/**
 * The app against a sandbox. Its clock starts at the real time, because the sandbox stamps
 * tokens with the real time and the app checks them with its clock.
 */
export function buildEidTestApp(
  protocol: 'mitic' | 'oidc',
  sandbox: SandboxProcess,
  env: Record<string, string> = {},
  options: Parameters<typeof buildTestApp>[1] = {},
): Promise<TestApp> {
  return buildTestApp(
    { ...eidEnv(protocol, sandbox.url), ...env },
    { start: new Date().toISOString(), ...options },
  );
}

/** GET /auth/eid and return the provider URL it redirects to. */
export async function startAtApp(agent: request.Agent): Promise<string> {
  const res = await agent.get('/auth/eid');
  if (res.status !== 303)
    throw new Error(`/auth/eid answered ${res.status}: ${res.text.slice(0, 300)}`);
  return res.headers.location!;
}

/** The path+query of a callback URL, for supertest. */
export const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

/**
 * The whole provider leg: start at the app, log in at the sandbox as `cedula` (or cancel), and
 * return the callback URL the provider sent back (not yet followed).
 */
export async function providerLeg(
  agent: request.Agent,
  how: { cedula: string } | { cancel: true },
): Promise<string> {
  const authorizeUrl = await startAtApp(agent);
  return loginAtProvider(
    authorizeUrl,
    'cancel' in how ? how : { cedula: how.cedula, password: SANDBOX_PASSWORD },
  );
}

/**
 * A new user (made with `opts`) who is also a citizen of the sandbox under the same new cédula,
 * added to the sandbox first; returns the cédula with what {@link makeUser} returns.
 */
export async function citizenUser(
  t: Pick<TestApp, 'sequelize'>,
  sandbox: SandboxProcess,
  names: { nombres: string; apellidos: string },
  opts: NewUserOptions = {},
) {
  const document = uniqueDocument();
  await sandbox.addCitizen({ cedula: document, ...names });
  return { document, ...(await makeUser(t.sequelize, { document, ...opts })) };
}
