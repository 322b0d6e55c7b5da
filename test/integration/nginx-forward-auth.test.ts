import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import { agentFor, csrfFrom, csrfOf, loginAndChoose } from '../support/http';
import { startServer, type RunningServer } from '../support/browser';
import { freePort, NGINX_PATH, startNginx, type RunningNginx } from '../support/nginx';
import { startOwnRedis, type OwnRedis } from '../support/own-redis';
import type { EstablishmentRecord } from '../../src/storage/establishments';

jest.setTimeout(90_000);

/**
 * The real Debian nginx, running deploy/nginx/his-modules.conf and its snippets as operators
 * would (only the addresses changed), in front of the app and a stand-in HIS module that echoes
 * what it receives. Everything the browser sends goes through nginx.
 */
const DEPLOY = path.join(__dirname, '..', '..', 'deploy', 'nginx');
const haveNginx = existsSync(NGINX_PATH);
if (!haveNginx)
  console.warn(`nginx forward-auth test skipped: ${NGINX_PATH} is absent (apt-get install nginx).`);
const describeWithNginx = haveNginx ? describe : describe.skip;

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

let t: TestApp;
let app: RunningServer;
let nginx: RunningNginx;
let moduleServer: Server;
const seenByModule: Seen[] = [];
let home: EstablishmentRecord;

/** The stand-in module: answers every request with what it received, and remembers it. */
function startModule(): Promise<number> {
  moduleServer = createServer((req, res) => {
    seenByModule.push({ url: req.url ?? '', headers: req.headers });
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ module: 'agenda', url: req.url }));
  });
  return new Promise((resolve) =>
    moduleServer.listen(0, '127.0.0.1', () =>
      resolve((moduleServer.address() as AddressInfo).port),
    ),
  );
}

/** his-modules.conf with this run's addresses; fails loudly if the file no longer has them. */
function deployedConf(appPort: number, modulePort: number, nginxPort: number): string {
  const replace = (text: string, from: string, to: string) => {
    if (!text.includes(from)) throw new Error(`deploy/nginx/his-modules.conf lost "${from}"`);
    return text.replace(from, to);
  };
  let conf = readFileSync(path.join(DEPLOY, 'his-modules.conf'), 'utf8');
  conf = replace(conf, 'server 127.0.0.1:3000;', `server 127.0.0.1:${appPort};`);
  conf = replace(conf, 'server 127.0.0.1:4001;', `server 127.0.0.1:${modulePort};`);
  return replace(conf, 'listen 80;', `listen 127.0.0.1:${nginxPort};`);
}

/** nginx running the deployed files in front of the app on `appBaseUrl` and the stand-in module. */
async function nginxInFront(appBaseUrl: string, modulePort: number): Promise<RunningNginx> {
  const nginxPort = await freePort();
  return startNginx({
    port: nginxPort,
    httpConf: 'include conf.d/*.conf;',
    files: {
      'conf.d/his-modules.conf': deployedConf(
        Number(new URL(appBaseUrl).port),
        modulePort,
        nginxPort,
      ),
      'snippets/his-forward-auth.conf': readFileSync(
        path.join(DEPLOY, 'his-forward-auth.conf'),
        'utf8',
      ),
      'snippets/his-proxy-headers.conf': readFileSync(
        path.join(DEPLOY, 'his-proxy-headers.conf'),
        'utf8',
      ),
    },
  });
}

let modulePort: number;

beforeAll(async () => {
  if (!haveNginx) return;
  t = await buildTestApp();
  home = await makeEstablishment(t.sequelize);
  app = await startServer(t.app);
  modulePort = await startModule();
  nginx = await nginxInFront(app.baseUrl, modulePort);
});
afterAll(async () => {
  if (!haveNginx) return;
  await nginx?.stop();
  await new Promise((resolve) => moduleServer?.close(resolve));
  await app?.close();
  await t?.close();
});

/** A browser's cookie jar over fetch, talking to nginx only. */
function browser(baseUrl?: string) {
  const cookies = new Map<string, string>();
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  async function go(pathname: string, init: RequestInit & { extraCookie?: string } = {}) {
    const cookie = [cookieHeader(), init.extraCookie].filter(Boolean).join('; ');
    const res = await fetch(`${baseUrl ?? nginx.baseUrl}${pathname}`, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      cookies.set(name!.trim(), value.join('='));
    }
    return res;
  }
  const form = (pathname: string, fields: Record<string, string>) =>
    go(pathname, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  return {
    go,
    async signIn(username: string, establishmentId: number) {
      const login = await go('/login');
      const csrf = csrfFrom(await login.text());
      const sent = await form('/login', { username, password: TEST_PASSWORD, _csrf: csrf });
      expect(sent.headers.get('location')).toBe('/login/establishment');
      const choice = csrfFrom(await (await go('/login/establishment')).text());
      const chosen = await form('/login/establishment', {
        establishmentId: String(establishmentId),
        _csrf: choice,
      });
      expect(chosen.headers.get('location')).toBe('/');
    },
  };
}

const headerOf = (seen: Seen, name: string) => seen.headers[name.toLowerCase()] as string;

describeWithNginx(
  'nginx auth_request in front of a HIS module (deploy/nginx/his-modules.conf)',
  () => {
    it('when a signed-in person opens the module then it sees their id, username, cédula, establishment and roles, and not the HIS session cookie', async () => {
      const { user } = await makeUser(t.sequelize, {
        establishments: [home],
        name: 'Ñandutí Peña',
      });
      const b = browser();
      await b.signIn(user.username, home.id);
      const before = seenByModule.length;
      const res = await b.go('/modulos/agenda/citas?dia=2026-11-20', {
        extraCookie: 'agenda_tema=claro',
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ module: 'agenda', url: '/citas?dia=2026-11-20' });
      expect(seenByModule).toHaveLength(before + 1);
      const seen = seenByModule.at(-1)!;
      expect(headerOf(seen, 'X-HIS-User-Id')).toBe(String(user.id));
      expect(headerOf(seen, 'X-HIS-Username')).toBe(user.username);
      expect(headerOf(seen, 'X-HIS-Document')).toBe(user.documentNumber);
      expect(decodeURIComponent(headerOf(seen, 'X-HIS-Name'))).toBe('Ñandutí Peña');
      expect(headerOf(seen, 'X-HIS-Establishment')).toBe(home.code);
      expect(headerOf(seen, 'X-HIS-Establishment-Id')).toBe(String(home.id));
      expect(headerOf(seen, 'X-HIS-Roles')).toBe('staff');
      // The module's own cookie passes; HIS Acceso's session cookie does not.
      expect(seen.headers.cookie).toBe('agenda_tema=claro');
    });

    it('when a signed-in browser sends forged X-HIS headers then the module sees the real identity', async () => {
      const { user } = await makeUser(t.sequelize, { establishments: [home] });
      const b = browser();
      await b.signIn(user.username, home.id);
      const res = await b.go('/modulos/agenda/', {
        headers: { 'X-HIS-User-Id': '1', 'X-HIS-Roles': 'admin', 'X-HIS-Establishment': 'OTRO' },
      });
      expect(res.status).toBe(200);
      const seen = seenByModule.at(-1)!;
      expect(headerOf(seen, 'X-HIS-User-Id')).toBe(String(user.id));
      expect(headerOf(seen, 'X-HIS-Roles')).toBe('staff');
      expect(headerOf(seen, 'X-HIS-Establishment')).toBe(home.code);
    });

    it('when there is no session then the browser is sent to the login and the module receives nothing, forged headers or not', async () => {
      const before = seenByModule.length;
      const b = browser();
      const res = await b.go('/modulos/agenda/citas');
      expect(res.status).toBe(302);
      expect(new URL(res.headers.get('location')!, nginx.baseUrl).pathname).toBe('/login');
      const forged = await b.go('/modulos/agenda/', { headers: { 'X-HIS-User-Id': '1' } });
      expect(forged.status).toBe(302);
      expect(seenByModule).toHaveLength(before);
    });

    it('when the login, /auth/verify and /static are asked through nginx then they are served, never sent round to the login', async () => {
      const b = browser();
      const login = await b.go('/login');
      expect(login.status).toBe(200);
      expect(await login.text()).toContain('name="username"');
      expect((await b.go('/auth/verify')).status).toBe(401);
      expect((await b.go('/static/css/app.css')).status).toBe(200);
    });

    it('when /metrics is asked through nginx then 404, even though the app serves it (open in tests)', async () => {
      expect((await fetch(`${app.baseUrl}/metrics`)).status).toBe(200);
      const res = await browser().go('/metrics', { headers: { Authorization: 'Bearer anything' } });
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('his_');
    });

    it('when an admin disables the person then their next module request is refused and never reaches the module', async () => {
      const { user } = await makeUser(t.sequelize, { establishments: [home] });
      const b = browser();
      await b.signIn(user.username, home.id);
      expect((await b.go('/modulos/agenda/')).status).toBe(200);

      const { user: adminUser } = await makeUser(t.sequelize, {
        role: 'admin',
        establishments: [home],
      });
      const admin = agentFor(t.app);
      await loginAndChoose(admin, adminUser.username, TEST_PASSWORD, home.id);
      const disabled = await admin
        .post(`/admin/users/${user.id}/disable`)
        .type('form')
        .send({ _csrf: await csrfOf(admin, '/') });
      expect(disabled.status).toBe(303);

      const before = seenByModule.length;
      const res = await b.go('/modulos/agenda/');
      expect(res.status).toBe(302);
      expect(new URL(res.headers.get('location')!, nginx.baseUrl).pathname).toBe('/login');
      expect(seenByModule).toHaveLength(before);
    });
  },
);

describeWithNginx('nginx auth_request while HIS Acceso cannot say who the browser is', () => {
  let redis: OwnRedis;
  let own: TestApp;
  let ownApp: RunningServer;
  let ownNginx: RunningNginx;
  beforeAll(async () => {
    redis = await startOwnRedis();
    own = await buildTestApp({ REDIS_URL: redis.url });
    ownApp = await startServer(own.app);
    ownNginx = await nginxInFront(ownApp.baseUrl, modulePort);
  });
  afterAll(async () => {
    await ownNginx?.stop();
    await ownApp?.close().catch(() => {}); // the test may have closed it already
    await own?.close();
    await redis?.close();
  });

  it("when HIS Acceso's Redis is down, then HIS Acceso itself, then a module request with a session gets the Spanish 503 page within 2 s and never the module", async () => {
    const { user, establishments } = await makeUser(own.sequelize);
    const b = browser(ownNginx.baseUrl);
    await b.signIn(user.username, establishments[0]!.id);
    /** A module request through nginx: the answer, its text, how long, whether the module saw it. */
    const moduleRequest = async () => {
      const before = seenByModule.length;
      const started = performance.now();
      const res = await b.go('/modulos/agenda/', { headers: { accept: 'text/html' } });
      const text = await res.text();
      const ms = performance.now() - started;
      return { res, text, ms, reachedModule: seenByModule.length > before };
    };
    expect((await moduleRequest()).res.status).toBe(200);

    await redis.kill();
    const down = await moduleRequest();
    expect(down.res.status).toBe(503);
    expect(down.text).toContain('El servicio no está disponible en este momento');
    expect(down.res.headers.get('retry-after')).toBe('30');
    expect(down.reachedModule).toBe(false);
    expect(down.ms).toBeLessThan(2000);

    await ownApp.close();
    const gone = await moduleRequest();
    expect(gone.res.status).toBe(503);
    expect(gone.text).toContain('El servicio no está disponible en este momento');
    expect(gone.reachedModule).toBe(false);
  });
});
