import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync, deflateSync } from 'node:zlib';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeUser } from '../support/factories';
import { agentFor, csrfOf, postLogin } from '../support/http';
import { signedIn } from '../support/sign-in';
import { startServer, type RunningServer } from '../support/browser';
import { freePort, NGINX_PATH, startNginx, type RunningNginx } from '../support/nginx';
import { createLogger } from '../../src/shared/logger';

/**
 * Bodies the app must refuse (413/415/400) with its Spanish page and one `warn` line that holds
 * neither the body nor the password; the notice codes of the login page; the client address the
 * audit stores (X-Forwarded-For only as an IP, only from TRUST_PROXY).
 */
let t: TestApp;
const logLines: string[] = [];
beforeAll(async () => {
  const logger = createLogger('info', { write: (line: string) => void logLines.push(line) });
  t = await buildTestApp({}, { logger });
});
afterAll(() => t.close());

const PASSWORD = 'Clave-Que-No-Debe-Verse-91';
const FILLER = 'relleno';
const FORM = 'application/x-www-form-urlencoded';
/** A login form with the password first, then `extra` (bytes or fields). */
const loginBody = (extra: string) =>
  `username=ana&password=${encodeURIComponent(PASSWORD)}&_csrf=abc&${extra}`;
/** Bytes sent as they are (superagent would otherwise form-encode a Buffer: 0=31&1=139…). */
const asIs = (body: unknown) => body as string;
const filler = (bytes: number) => `note=${FILLER.repeat(Math.ceil(bytes / FILLER.length))}`;

interface Refusal {
  status: number;
  errorCode: string;
  message: string;
}

/**
 * Sends one POST /login, then checks the page and the log lines it produced: the Spanish page with
 * the expected message and a support id, no stack or error class; exactly one `warn` line about
 * the request ("request refused" with status, errorCode, path, method, supportId) and none at error
 * level; the password and the filler in no line at all.
 */
async function expectRefused(
  send: (req: request.Test) => request.Test,
  expected: Refusal,
): Promise<void> {
  logLines.length = 0;
  const res = await send(request(t.app).post('/login'));
  expect(res.status).toBe(expected.status);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.text).toContain('<html lang="es">');
  expect(res.text).toContain('<h1 id="error-title">No se pudo procesar el formulario</h1>');
  expect(res.text).toContain(expected.message);
  expect(res.text).toMatch(/Código de soporte: <code>[0-9a-f]{8}<\/code>/);
  expect(res.text).not.toMatch(/\bat .+:\d+:\d+|Error:|node_modules|PayloadTooLarge|\bstack\b/);
  expect(res.text).not.toContain(PASSWORD);

  // This request's lines (they name its path); the Redis watchdog may log on a loaded machine.
  const lines = logLines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => 'path' in line || 'err' in line);
  expect(lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
  expect(lines).toEqual([
    expect.objectContaining({
      level: 40,
      msg: 'request refused',
      status: expected.status,
      errorCode: expected.errorCode,
      path: '/login',
      method: 'POST',
      supportId: /Código de soporte: <code>([0-9a-f]{8})/.exec(res.text)![1],
    }),
  ]);
  const logged = logLines.join('');
  expect(logged).not.toContain(PASSWORD);
  expect(logged).not.toContain(encodeURIComponent(PASSWORD));
  expect(logged).not.toContain(FILLER);
  expect(logged).not.toContain('"body"');
}

const TOO_LARGE = 'El formulario enviado es demasiado grande.';
const UNREADABLE = 'No se pudo leer el formulario enviado.';
const UNSUPPORTED = 'El formulario se envió en un formato que esta aplicación no acepta.';

describe('bodies the app refuses', () => {
  it('when the form is 17 KB then 413 with the Spanish page and a warn line without the body', () =>
    expectRefused((req) => req.type('form').send(loginBody(filler(17 * 1024))), {
      status: 413,
      errorCode: 'body_too_large',
      message: TOO_LARGE,
    }));

  it('when the form is 2 MB then 413 the same way', () =>
    expectRefused((req) => req.type('form').send(loginBody(filler(2 * 1024 * 1024))), {
      status: 413,
      errorCode: 'body_too_large',
      message: TOO_LARGE,
    }));

  it('when the form has 1,001 fields then 413 (too many fields)', () => {
    const fields = Array.from({ length: 1001 - 3 }, (_, i) => `f${i}=${FILLER}`).join('&');
    return expectRefused((req) => req.type('form').send(loginBody(fields)), {
      status: 413,
      errorCode: 'too_many_fields',
      message: 'El formulario enviado tiene demasiados campos.',
    });
  });

  it('when the charset is unknown then 415', () =>
    expectRefused(
      (req) => req.set('Content-Type', `${FORM}; charset=klingon`).send(loginBody(filler(10))),
      {
        status: 415,
        errorCode: 'unsupported_charset',
        message: 'El formulario se envió con una codificación de caracteres',
      },
    ));

  it.each([
    ['application/json', JSON.stringify({ username: 'ana', password: PASSWORD, note: FILLER })],
    ['text/xml', `<login><password>${PASSWORD}</password><note>${FILLER}</note></login>`],
    ['text/plain', loginBody(filler(10))],
    ['multipart/form-data; boundary=x', `--x\r\n${loginBody(filler(10))}\r\n--x--\r\n`],
  ])('when the body is %s (not a form) then 415 before the session or CSRF check', (type, body) =>
    expectRefused((req) => req.set('Content-Type', type).send(body), {
      status: 415,
      errorCode: 'unsupported_media_type',
      message: UNSUPPORTED,
    }),
  );

  it('when the gzip body is garbage then 400', () =>
    expectRefused(
      (req) =>
        req
          .type('form')
          .set('Content-Encoding', 'gzip')
          .serialize(asIs)
          .send(Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from(loginBody(FILLER))])),
      { status: 400, errorCode: 'malformed_body', message: UNREADABLE },
    ));

  it('when a small deflate body inflates past the limit (a zip bomb) then 413', () => {
    const bomb = deflateSync(Buffer.from(loginBody(filler(20 * 1024 * 1024))));
    expect(bomb.length).toBeLessThan(64 * 1024);
    return expectRefused(
      (req) => req.type('form').set('Content-Encoding', 'deflate').serialize(asIs).send(bomb),
      { status: 413, errorCode: 'body_too_large', message: TOO_LARGE },
    );
  });

  it('when the content encoding is unknown then 415', () =>
    expectRefused(
      (req) => req.type('form').set('Content-Encoding', 'compress').send(loginBody(FILLER)),
      {
        status: 415,
        errorCode: 'unsupported_content_encoding',
        message: 'El formulario se envió comprimido en un formato',
      },
    ));

  it('when a well-formed gzip form is sent then it is read like any form (CSRF refuses it, 403)', async () => {
    const res = await request(t.app)
      .post('/login')
      .type('form')
      .set('Content-Encoding', 'gzip')
      .serialize(asIs)
      .send(gzipSync(Buffer.from(loginBody(FILLER))));
    expect(res.status).toBe(403);
  });

  it('when a form says charset=utf-8 or has no body then it is not refused as a type', async () => {
    const agent = agentFor(t.app);
    const { user } = await makeUser(t.sequelize);
    const login = await postLogin(agent, user.username, 'wrong-password');
    expect(login.status).toBe(401);
    const empty = await request(t.app).post('/login').set('Content-Length', '0');
    expect(empty.status).toBe(403);
  });
});

describe('notice codes on the login page', () => {
  it('when the code is one the app sends then its notice is shown', async () => {
    const idle = await request(t.app).get('/login?expired=idle');
    expect(idle.text).toContain('Su sesión se cerró por inactividad.');
    const bye = await request(t.app).get('/login?bye=1');
    expect(bye.text).toContain('Cerró su sesión correctamente.');
  });

  it.each([
    'expired=constructor',
    'expired=__proto__',
    'expired=toString',
    'expired=whatever',
    'expired=%3Cb%3Einyectado%3C%2Fb%3E',
    'bye=inyectado',
    'bye=',
    'expired[]=idle',
  ])('when the query is ?%s then no notice at all and nothing of it in the page', async (query) => {
    const res = await request(t.app).get(`/login?${query}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('alert--info');
    expect(res.text).not.toMatch(/native code|function|\[object|inyectado|whatever/);
  });
});

const ipsOf = async (username: string) =>
  (
    await t.sequelize.query<{ ip: string | null }>(
      'SELECT ip FROM login_events WHERE username = :username ORDER BY id',
      { replacements: { username }, type: QueryTypes.SELECT },
    )
  ).map((r) => r.ip);

describe('the client address the audit stores (TRUST_PROXY: loopback, the default)', () => {
  it.each([
    '<script>alert(1)</script>',
    'unknown',
    'ana.example.org',
    '203.0.113.7:8080',
    "1.2.3.4' OR '1'='1",
  ])(
    'when a trusted proxy forwards "%s" then the proxy address is stored, never the string',
    async (forwarded) => {
      const { user } = await makeUser(t.sequelize);
      const res = await postLogin(
        agentFor(t.app).set('X-Forwarded-For', forwarded),
        user.username,
        'wrong-password',
      );
      expect(res.status).toBe(401);
      const ips = await ipsOf(user.username);
      expect(ips).toHaveLength(1);
      expect(ips[0]).toMatch(/^(127\.0\.0\.1|::1)$/);
      const keys = await t.redis.keys(`${t.config.redis.keyPrefix}*`);
      expect(keys.filter((k) => k.includes(forwarded))).toEqual([]);
    },
  );

  it('when a trusted proxy forwards a real address then that address is stored (IPv4-mapped too)', async () => {
    for (const [forwarded, stored] of [
      ['203.0.113.7', '203.0.113.7'],
      ['::ffff:198.51.100.4', '198.51.100.4'],
      ['2001:db8::5', '2001:db8::5'],
    ] as const) {
      const { user } = await makeUser(t.sequelize);
      await postLogin(
        agentFor(t.app).set('X-Forwarded-For', forwarded),
        user.username,
        'wrong-password',
      );
      expect(await ipsOf(user.username)).toEqual([stored]);
    }
  });

  it('when a signed-in user is refused a change with a forged non-IP address then admin_events has the real one', async () => {
    const { user, agent } = await signedIn(t);
    const csrf = await csrfOf(agent, '/');
    const res = await agent
      .post('/admin/establishments/new')
      .set('X-Forwarded-For', 'estacion-12')
      .type('form')
      .send({ _csrf: csrf, code: 'X-1', name: 'Intento', region: 'Central' });
    expect(res.status).toBe(403);
    const rows = await t.sequelize.query<{ ip: string | null }>(
      "SELECT ip FROM admin_events WHERE actor_user_id = :id AND outcome = 'denied'",
      { replacements: { id: user.id }, type: QueryTypes.SELECT },
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.ip).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});

describe('X-Forwarded-For from a peer that is not a configured proxy', () => {
  it.each(['10.0.0.1', 'none'])(
    'when TRUST_PROXY=%s and the loopback peer forges an address then the peer is stored',
    async (trustProxy) => {
      const other = await buildTestApp({ TRUST_PROXY: trustProxy });
      try {
        const { user } = await makeUser(other.sequelize);
        const agent = request.agent(other.app).set('X-Forwarded-For', '203.0.113.7');
        await postLogin(agent, user.username, 'wrong-password');
        const [row] = await other.sequelize.query<{ ip: string | null }>(
          'SELECT ip FROM login_events WHERE username = :username',
          { replacements: { username: user.username }, type: QueryTypes.SELECT },
        );
        expect(row?.ip).toMatch(/^(127\.0\.0\.1|::1)$/);
      } finally {
        await other.close();
      }
    },
  );
});

const haveNginx = existsSync(NGINX_PATH);
if (!haveNginx) console.warn(`nginx X-Forwarded-For test skipped: ${NGINX_PATH} is absent.`);

describe(
  haveNginx ? 'behind the real nginx with deploy/nginx/his-proxy-headers.conf' : 'skipped',
  () => {
    let app: RunningServer;
    let nginx: RunningNginx;
    beforeAll(async () => {
      if (!haveNginx) return;
      app = await startServer(t.app);
      const port = await freePort();
      nginx = await startNginx({
        port,
        httpConf: `server {
  listen 127.0.0.1:${port};
  location / {
    proxy_pass http://127.0.0.1:${new URL(app.baseUrl).port};
    include snippets/his-proxy-headers.conf;
  }
}`,
        files: {
          'snippets/his-proxy-headers.conf': readFileSync(
            path.join(__dirname, '..', '..', 'deploy', 'nginx', 'his-proxy-headers.conf'),
            'utf8',
          ),
        },
      });
    });
    afterAll(async () => {
      await nginx?.stop();
      await app?.close();
    });

    (haveNginx ? it : it.skip)(
      'when the browser sends its own X-Forwarded-For then nginx replaces it and the real address is stored',
      async () => {
        for (const forged of ['203.0.113.9', 'ninguna', '198.51.100.1, 203.0.113.9']) {
          const { user } = await makeUser(t.sequelize);
          const agent = request.agent(nginx.baseUrl).set('X-Forwarded-For', forged);
          const res = await postLogin(agent, user.username, 'wrong-password');
          expect(res.status).toBe(401);
          expect(await ipsOf(user.username)).toEqual(['127.0.0.1']);
        }
      },
    );
  },
);
