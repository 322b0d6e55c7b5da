import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeUser } from '../support/factories';
import { agentFor, postLogin } from '../support/http';
import { freePorts } from '../support/nginx';
import { projectRoot } from '../../src/shared/paths';

/**
 * Observability that leaks nothing (issue 8, item 6): /metrics cannot tell accounts apart, and
 * /metrics and the details of /readyz are served only with the bearer token or on the internal
 * port; /healthz stays public and minimal.
 */
const TOKEN = 'metrics-token-0123456789-abcdefghij';

/**
 * Every series of a /metrics text and its value, except what moves by itself: the process's own
 * figures (CPU, memory, event loop, GC) and the buckets and sums of the timing histogram. Its
 * `_count` series stay: a different status code or route would show there.
 */
function series(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#') || /^(process_|nodejs_)/.test(line)) continue;
    if (/^http_request_duration_seconds_(bucket|sum)/.test(line)) continue;
    const at = line.lastIndexOf(' ');
    map.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return map;
}

/** The series that changed between two scrapes, and by how much. */
function delta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const changed: Record<string, number> = {};
  for (const [name, value] of after) {
    const diff = value - (before.get(name) ?? 0);
    if (diff !== 0) changed[name] = diff;
  }
  return changed;
}

describe('/metrics cannot tell accounts apart', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it('when an unknown user, a wrong password, a disabled account with its right password and a password-less account try to log in then the metrics move identically', async () => {
    const active = await makeUser(t.sequelize);
    const disabled = await makeUser(t.sequelize);
    await t.sequelize.query("UPDATE users SET status = 'disabled' WHERE id = :id", {
      replacements: { id: disabled.user.id },
    });
    const passwordless = await makeUser(t.sequelize, { password: null });
    const attempts: Record<string, [string, string]> = {
      unknown: [`nadie-${active.user.id}`, 'una-contraseña-cualquiera'],
      wrong: [active.user.username, 'una-contraseña-cualquiera'],
      disabled: [disabled.user.username, disabled.password],
      passwordless: [passwordless.user.username, 'una-contraseña-cualquiera'],
    };
    const scrape = async () => series((await request(t.app).get('/metrics')).text);

    const moved: Record<string, Record<string, number>> = {};
    for (const [kind, [username, password]] of Object.entries(attempts)) {
      const before = await scrape();
      const res = await postLogin(agentFor(t.app), username, password);
      expect(res.status).toBe(401); // the form again, with the one message
      moved[kind] = delta(before, await scrape());
    }

    expect(moved.unknown).toMatchObject({
      'his_login_events_total{method="classic",outcome="failure"}': 1,
    });
    expect(moved.wrong).toEqual(moved.unknown);
    expect(moved.disabled).toEqual(moved.unknown);
    expect(moved.passwordless).toEqual(moved.unknown);
    expect((await request(t.app).get('/metrics')).text).not.toContain('reason=');
  });
});

describe('on the public port, with METRICS_TOKEN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ METRICS_TOKEN: TOKEN });
  });
  afterAll(() => t.close());

  it('when /metrics is asked without the token or with a wrong one then 401 and nothing of it', async () => {
    for (const auth of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, TOKEN]) {
      const req = request(t.app).get('/metrics');
      const res = await (auth ? req.set('Authorization', auth) : req);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
      expect(res.text).not.toContain('his_');
    }
  });

  it('when /metrics is asked with the token then the Prometheus text', async () => {
    const res = await request(t.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('his_eid_provider_up 1');
  });

  it('when /readyz is asked without the token then only its status; with it, the details', async () => {
    const plain = await request(t.app).get('/readyz');
    expect(plain.status).toBe(200);
    expect(plain.body).toEqual({ status: 'ok' });
    const detailed = await request(t.app).get('/readyz').set('Authorization', `Bearer ${TOKEN}`);
    expect(detailed.body).toEqual({ status: 'ok', postgres: 'ok', redis: 'ok', eid: 'ok' });
  });

  it('when /healthz is asked then it answers anyone, minimally', async () => {
    const res = await request(t.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});

describe('with INTERNAL_PORT and no token', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ INTERNAL_PORT: '9464' });
  });
  afterAll(() => t.close());

  it('when the public port is asked for /metrics then 404; /readyz gives only its status', async () => {
    expect((await request(t.app).get('/metrics')).status).toBe(404);
    expect((await request(t.app).get('/metrics').set('Authorization', 'Bearer x')).status).toBe(
      404,
    );
    expect((await request(t.app).get('/readyz')).body).toEqual({ status: 'ok' });
  });

  it('when the internal listener is asked then /metrics and the /readyz details, without a token', async () => {
    const metrics = await request(t.internalApp).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('his_login_events_total');
    expect((await request(t.internalApp).get('/readyz')).body).toEqual({
      status: 'ok',
      postgres: 'ok',
      redis: 'ok',
      eid: 'ok',
    });
  });

  it('when the internal listener is asked for a page of the app then 404: it serves only these', async () => {
    expect((await request(t.internalApp).get('/login')).status).toBe(404);
  });
});

describe('the production server process', () => {
  it('when started with METRICS_TOKEN and INTERNAL_PORT then /metrics is closed on the public port and open on loopback', async () => {
    const [port, internalPort] = await freePorts(2);
    const spoolDir = mkdtempSync(path.join(tmpdir(), 'his-observability-spool-'));
    // The app itself (tsx as a loader): the SIGKILL of a failed run leaves nothing behind.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: projectRoot,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(port),
        INTERNAL_PORT: String(internalPort),
        METRICS_TOKEN: TOKEN,
        BASE_URL: 'https://his.example.test',
        SESSION_SECRET: 'production-like-secret-for-this-test-only-0123456789',
        DATABASE_URL: process.env.TEST_DATABASE_URL,
        REDIS_KEY_PREFIX: `${process.env.TEST_REDIS_PREFIX ?? 'test:'}observability:`,
        AUDIT_SPOOL_DIR: spoolDir,
        EID_AUTHORIZE_URL: 'https://127.0.0.1:1/login',
        EID_TOKEN_URL: 'https://127.0.0.1:1/rest/authentication',
        EID_CLIENT_ID: 'his-acceso-test',
        EID_CLIENT_SECRET: 'test-secret-0123456789-abcdefghijklmnop',
        EID_ISSUER: 'sandbox-mitic-test',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 40_000);
        const seen = (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('HIS Acceso listening') && out.includes('internal observability')) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout!.on('data', seen);
        child.stderr!.on('data', seen);
      });
      expect(out).toMatch(/"host":"127\.0\.0\.1".*internal observability listening/);
      const pub = `http://127.0.0.1:${port}`;
      expect((await fetch(`${pub}/metrics`)).status).toBe(401);
      const withToken = await fetch(`${pub}/metrics`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      expect(withToken.status).toBe(200);
      expect(await (await fetch(`${pub}/readyz`)).json()).toEqual({ status: 'ok' });
      expect(await (await fetch(`${pub}/healthz`)).json()).toEqual({ status: 'ok' });
      const internal = await fetch(`http://127.0.0.1:${internalPort}/metrics`);
      expect(internal.status).toBe(200);
      expect(await internal.text()).toContain('his_eid_provider_up');

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(spoolDir, { recursive: true, force: true });
    }
  }, 60_000);
});
