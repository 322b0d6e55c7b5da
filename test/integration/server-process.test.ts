import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createServer as createHttpServer, type Server } from 'node:http';
import request from 'supertest';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { projectRoot } from '../../src/shared/paths';
import { createSequelize } from '../../src/db/sequelize';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import { csrfOf, loginAndChoose } from '../support/http';
import { runCli } from '../support/cli-process';
import { followToModule } from '../support/oidc-rp';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/**
 * The real server (src/main.ts) on the run's database, as `npm start` runs it compiled: the
 * process is the app itself (tsx as a loader, not its CLI, which would run the app in a child
 * that a SIGKILL of the CLI leaves running).
 */
function startServer(
  port: number,
  env: Record<string, string> = {},
): {
  child: ChildProcess;
  listening: Promise<void>;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      REDIS_KEY_PREFIX: `${process.env.TEST_REDIS_PREFIX ?? 'test:'}server:`,
      // An e-ID provider that is not there: the server must still start and serve.
      EID_AUTHORIZE_URL: 'http://127.0.0.1:1/login',
      EID_TOKEN_URL: 'http://127.0.0.1:1/rest/authentication',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const listening = new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('HIS Acceso listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, listening, exited };
}

describe('the server process', () => {
  it('when started it serves, and on SIGTERM it closes its server and connections and exits 0', async () => {
    const port = await freePort();
    const server = startServer(port);
    try {
      await server.listening;
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await health.json()).toEqual({ status: 'ok' });
      const login = await fetch(`http://127.0.0.1:${port}/login`);
      expect(login.status).toBe(200);
      expect(await login.text()).toContain('Iniciar sesión');

      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    } finally {
      if (server.child.exitCode === null && server.child.signalCode === null)
        server.child.kill('SIGKILL');
    }
  });
});

describe('the OpenID Provider in the server process', () => {
  let rp: Server;
  const logoutTokens: string[] = [];
  const db = createSequelize({
    url: process.env.TEST_DATABASE_URL!,
    poolMax: 2,
    statementTimeoutInMs: 30_000,
  });
  beforeAll(async () => {
    rp = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        logoutTokens.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => rp.close(resolve));
    await db.close();
  });

  // Jest's sandbox hides what oidc-provider's SSRF guard needs, so only a real process shows
  // whether a module on this host (or the hospital's LAN) is reachable for the logout.
  it('when a person signed into a module on this host logs out then the module gets the back-channel logout token', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const moduleUrl = `http://127.0.0.1:${(rp.address() as { port: number }).port}`;
    const added = runCli([
      'client:add',
      '--name',
      'Agenda local',
      '--redirect-uri',
      `${moduleUrl}/callback`,
      '--backchannel-logout-uri',
      `${moduleUrl}/backchannel`,
    ]);
    expect(added.status).toBe(0);
    const clientId = /^client_id: (\S+)$/m.exec(added.stdout)![1]!;
    const secret = /^client_secret: (\S+)$/m.exec(added.stdout)![1]!;
    const place = await makeEstablishment(db);
    const { user } = await makeUser(db, { establishments: [place] });
    const server = startServer(port, { BASE_URL: base });
    try {
      await server.listening;
      const agent = request.agent(base);
      await loginAndChoose(agent, user.username, TEST_PASSWORD, place.id);
      const config = await client.discovery(new URL(`${base}/oidc`), clientId, secret, undefined, {
        execute: [client.allowInsecureRequests],
      });
      const verifier = client.randomPKCECodeVerifier();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: `${moduleUrl}/callback`,
        scope: 'openid his',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: 'estado',
      });
      const back = await followToModule(
        agent,
        url.pathname + url.search,
        `${base}/oidc`,
        moduleUrl,
      );
      const tokens = await client.authorizationCodeGrant(config, new URL(back.headers.location!), {
        pkceCodeVerifier: verifier,
        expectedState: 'estado',
      });
      const out = await agent
        .post('/logout')
        .type('form')
        .send({ _csrf: await csrfOf(agent, '/') });
      expect(out.status).toBe(303);
      expect(logoutTokens.map((token) => decodeJwt(token))).toEqual([
        expect.objectContaining({
          aud: clientId,
          sub: String(user.id),
          sid: tokens.claims()!.sid,
        }),
      ]);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    } finally {
      if (server.child.exitCode === null && server.child.signalCode === null)
        server.child.kill('SIGKILL');
    }
  });
});
