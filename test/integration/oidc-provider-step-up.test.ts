import { followToModule } from '../support/oidc-rp';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type request from 'supertest';
import * as client from 'openid-client';
import type { TestApp } from '../support/test-app';
import { startTestSandbox, buildEidTestApp, citizenUser, pathOf } from '../support/eid-flow';
import type { SandboxProcess } from '../support/sandbox-process';
import { agentFor, loginAndChoose } from '../support/http';
import { loginAtProvider } from '../support/provider-login';
import { makeEstablishment, TEST_PASSWORD } from '../support/factories';
import { SANDBOX_PASSWORD } from '../../src/sandbox/citizens';
import { registerModule } from '../../src/domain/modules/commands/register';
import { cliActor, CLI_META } from '../../src/cli/actor';

/**
 * The e-ID step-up a module asks for (`acr_values=urn:his:acr:eid`), walked to the end against the
 * e-ID sandbox: a password session goes through the Identidad Electrónica — the same person only —
 * and comes back to the module with `acr` urn:his:acr:eid and `amr` ["eid"].
 */
jest.setTimeout(60_000);

let sandbox: SandboxProcess;
let t: TestApp;
let server: Server;
let issuer: string;
let config: client.Configuration;
const REDIRECT = 'https://agenda.example.gov.py/callback';

beforeAll(async () => {
  sandbox = await startTestSandbox();
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuer = `${base}/oidc`;
  t = await buildEidTestApp('mitic', sandbox, { BASE_URL: base });
  server.on('request', t.app);
  const registered = await registerModule(t)(
    cliActor('prueba'),
    { name: 'Agenda', redirectUris: [REDIRECT] },
    CLI_META,
  );
  config = await client.discovery(
    new URL(issuer),
    registered.clientId,
    registered.clientSecret,
    undefined,
    { execute: [client.allowInsecureRequests] },
  );
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await t?.close();
  await sandbox?.stop();
});

/** The browser's redirects inside the app (the provider and its login step). */
const follow = (agent: request.Agent, start: string) =>
  followToModule(agent, start, issuer, REDIRECT);

it('when the module asks for the e-ID on a password session then the same person goes through it and comes back with acr urn:his:acr:eid', async () => {
  const place = await makeEstablishment(t.sequelize);
  const person = await citizenUser(
    t,
    sandbox,
    { nombres: 'Rosa', apellidos: 'Paso' },
    {
      establishments: [place],
    },
  );
  const other = await citizenUser(t, sandbox, { nombres: 'Otra', apellidos: 'Persona' });
  const agent = agentFor(t.app);
  await loginAndChoose(agent, person.user.username, TEST_PASSWORD, place.id);

  const ask = async () => {
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid his',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      acr_values: 'urn:his:acr:eid',
    });
    return { verifier, nonce, res: await follow(agent, url.pathname + url.search) };
  };

  // Someone else's e-ID on this PC is refused: the session stays a password session.
  const first = await ask();
  const toEid = first.res.headers.location!;
  expect(toEid).toMatch(/^\/auth\/eid\?next=%2Flogin%2Foidc%2F/);
  const start = await agent.get(toEid);
  const wrong = await loginAtProvider(start.headers.location!, {
    cedula: other.document,
    password: SANDBOX_PASSWORD,
  });
  const refused = await agent.get(pathOf(wrong));
  expect(refused.headers.location ?? '').not.toMatch(/^\/login\/oidc\//);

  // The same person: back to the module's sign-in, which now completes.
  const second = await ask();
  const again = await agent.get(second.res.headers.location!);
  const callback = await loginAtProvider(again.headers.location!, {
    cedula: person.document,
    password: SANDBOX_PASSWORD,
  });
  const verified = await agent.get(pathOf(callback));
  expect(verified.headers.location).toMatch(/^\/login\/oidc\//);
  const back = await follow(agent, verified.headers.location!);
  const tokens = await client.authorizationCodeGrant(config, new URL(back.headers.location!), {
    pkceCodeVerifier: second.verifier,
    expectedNonce: second.nonce,
  });
  expect(tokens.claims()).toMatchObject({
    sub: String(person.user.id),
    acr: 'urn:his:acr:eid',
    amr: ['eid'],
  });
});
