import { readdir, readFile, rm } from 'node:fs/promises';
import type { Client } from 'pg';
import type request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { startOwnPostgres, type OwnPostgres } from '../support/own-postgres';
import { makeUser, TEST_PASSWORD } from '../support/factories';
import { signedIn, type SignedInUser } from '../support/sign-in';
import {
  agentFor,
  csrfOf,
  loginAndChoose,
  postLogin,
  STACK_TRACE,
  timed,
  UNAVAILABLE,
} from '../support/http';
import { verifyChain } from '../../src/domain/audit/verify';

/**
 * PostgreSQL down (stopped as a crash would), hung (SIGSTOP, a held lock, a statement that
 * sleeps) and back, on a server of this file only; Redis is the shared one under the run's prefix.
 * Every answer within 5 s with the Spanish page, nobody let in, recovery without a restart, and
 * the audit rows of what went on meanwhile spooled and then stored: generated = stored.
 */
let pg: OwnPostgres;
let t: TestApp;

beforeAll(async () => {
  pg = await startOwnPostgres();
  t = await buildTestApp({ DATABASE_URL: pg.url });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await pg?.close();
  if (t) await rm(t.config.audit.spoolDir, { recursive: true, force: true });
});

/** The login form posted with the right password (the form itself fetched first), timed. */
async function timedLogin(agent: request.Agent, username: string) {
  const csrf = await csrfOf(agent, '/login');
  return timed(() =>
    agent.post('/login').type('form').send({ username, password: TEST_PASSWORD, _csrf: csrf }),
  );
}

/** The Spanish 503 page, without a trace, within the 5 s PostgreSQL budget. */
function expectUnavailable({ res, ms }: { res: request.Response; ms: number }) {
  expect(res.status).toBe(503);
  expect(res.text).toContain(UNAVAILABLE);
  expect(res.text).not.toMatch(STACK_TRACE);
  expect(ms).toBeLessThan(5000);
}

/** Whether the agent's cookie opens the home page (a session was made). */
async function isSignedIn(agent: request.Agent): Promise<boolean> {
  return (await agent.get('/')).status === 200;
}

/** The login form submitted up to the establishment step. */
async function loginReachesEstablishment(agent: request.Agent, username: string) {
  const res = await postLogin(agent, username, TEST_PASSWORD);
  return res.headers.location === '/login/establishment';
}

const count = async (sql: string): Promise<number> => {
  const client = await pg.connect();
  try {
    return Number((await client.query<{ n: string }>(sql)).rows[0]!.n);
  } finally {
    await client.end();
  }
};
const rows = (table: 'login_events' | 'admin_events') =>
  count(`SELECT count(*) AS n FROM ${table}`);

/** The events waiting in the app's spool, as written (one JSON line each). */
async function spooled(): Promise<{ table: string; event: Record<string, unknown> }[]> {
  const dir = t.config.audit.spoolDir;
  const names = await readdir(dir).catch(() => [] as string[]);
  const lines: { table: string; event: Record<string, unknown> }[] = [];
  for (const name of names.filter((n) => n.includes('.jsonl'))) {
    // A file the drain removed between the listing and the read holds nothing any more.
    const text = await readFile(`${dir}/${name}`, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    for (const line of text.split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  }
  return lines;
}

async function expectChainsIntact() {
  for (const table of ['login_events', 'admin_events'] as const)
    expect((await verifyChain(t.sequelize, table)).brokenAt).toBeNull();
}

describe('when PostgreSQL is down', () => {
  it('when it is stopped then every login attempt answers the Spanish 503 page within 5 s and opens no session; when it starts again the person logs in, not locked out by the retries, without restarting the app', async () => {
    const { user } = await makeUser(t.sequelize);
    await pg.stop();
    try {
      const agent = agentFor(t.app);
      // The person tries again and again, more often than the lockout allows wrong passwords.
      for (let i = 0; i <= t.config.lockout.maxFailures; i++) {
        expectUnavailable(await timedLogin(agent, user.username));
      }
      expect(await isSignedIn(agent)).toBe(false);
    } finally {
      await pg.start();
    }
    // Attempts that never reached the password do not count toward a lock.
    expect(await loginReachesEstablishment(agentFor(t.app), user.username)).toBe(true);
  });

  it('when signed-in people log out, are refused and expire while it is down then each goes on, every audit row is spooled, and once it is back the rows stored equal the rows generated and both chains verify', async () => {
    const staff = await Promise.all([signedIn(t), signedIn(t), signedIn(t), signedIn(t)]);
    // Everyone has been working: their identity is cached in Redis, pages need no PostgreSQL.
    for (const person of staff) expect((await person.agent.get('/')).status).toBe(200);
    const before = { login: await rows('login_events'), admin: await rows('admin_events') };
    const [first, second, third, fourth] = staff as [
      SignedInUser,
      SignedInUser,
      SignedInUser,
      SignedInUser,
    ];
    await pg.stop();
    try {
      // Two log out: the session ends (Redis) although the row cannot be written yet.
      for (const person of [first, second]) {
        const csrf = await csrfOf(person.agent, '/');
        const out = await timed(() =>
          person.agent.post('/logout').type('form').send({ _csrf: csrf }),
        );
        expect(out.res.status).toBe(303);
        expect(out.res.headers.location).toBe('/login?bye=1');
        expect(out.ms).toBeLessThan(5000);
        expect(await isSignedIn(person.agent)).toBe(false);
      }
      // The third is refused an administrator's action: 403, not an error page.
      const csrf = await csrfOf(third.agent, '/');
      const refused = await timed(() =>
        third.agent.post('/admin/regions').type('form').send({ name: 'Nueva', _csrf: csrf }),
      );
      expect(refused.res.status).toBe(403);
      expect(refused.ms).toBeLessThan(5000);
      // The fourth leaves the PC for longer than the idle timeout: the session ends on return.
      t.clock.advanceMinutes(t.config.session.idleTimeoutInMinutes + 1);
      const expired = await timed(() => fourth.agent.get('/'));
      expect(expired.res.headers.location).toBe('/login?expired=idle');
      expect(expired.ms).toBeLessThan(5000);
      expect(await isSignedIn(fourth.agent)).toBe(false);
    } finally {
      await pg.start();
    }

    const waiting = await spooled();
    expect(waiting.map((l) => [l.table, l.event.reason ?? l.event.action])).toEqual([
      ['login_events', 'logout'],
      ['login_events', 'logout'],
      ['admin_events', 'regions.create'],
      ['login_events', 'idle_timeout'],
    ]);
    expect(waiting.map((l) => l.event.userId ?? l.event.actorUserId)).toEqual(
      staff.map((s) => s.user.id),
    );
    const loggedOutAt = waiting[0]!.event.occurredAt as string;

    expect(await t.auditSpool.drain()).toBe(waiting.length);
    expect(await rows('login_events')).toBe(before.login + 3);
    expect(await rows('admin_events')).toBe(before.admin + 1);
    expect(await spooled()).toEqual([]);
    expect(await count('SELECT count(*) AS n FROM audit_spool_batches')).toBe(0);
    // Stored as they happened (the app's clock at the logout), not at the time of the drain.
    expect(
      await count(
        `SELECT count(*) AS n FROM login_events WHERE method = 'logout'
           AND occurred_at = '${loggedOutAt}' AND user_id IN (${first.user.id}, ${second.user.id})`,
      ),
    ).toBe(2);
    await expectChainsIntact();
  });
});

describe('when PostgreSQL hangs', () => {
  it('when the server is frozen (SIGSTOP) then a login answers 503 within 5 s and a logout goes on spooled; after SIGCONT logins work and the spooled row is stored', async () => {
    const { user, establishments } = await makeUser(t.sequelize);
    const leaving = await signedIn(t);
    const logoutCsrf = await csrfOf(leaving.agent, '/');
    const before = await rows('login_events');
    pg.freeze();
    try {
      const agent = agentFor(t.app);
      expectUnavailable(await timedLogin(agent, user.username));
      expect(await isSignedIn(agent)).toBe(false);

      const out = await timed(() =>
        leaving.agent.post('/logout').type('form').send({ _csrf: logoutCsrf }),
      );
      expect(out.res.headers.location).toBe('/login?bye=1');
      expect(out.ms).toBeLessThan(5000);
      expect(await isSignedIn(leaving.agent)).toBe(false);
    } finally {
      await pg.thaw();
    }
    expect((await spooled()).map((l) => l.event.userId)).toEqual([leaving.user.id]);
    const back = await loginAndChoose(
      agentFor(t.app),
      user.username,
      TEST_PASSWORD,
      establishments[0]!.id,
    );
    expect(back.headers.location).toBe('/');
    // That login's own row was a successful write: it drained the spool as well (bounded wait).
    for (let i = 0; i < 50 && (await spooled()).length > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await spooled()).toEqual([]);
    expect(await rows('login_events')).toBe(before + 2); // the logout and the new login
    await expectChainsIntact();
  });

  it('when the server is frozen and more logins arrive at once than the pool has connections then every one answers 503 within 5 s', async () => {
    const { user } = await makeUser(t.sequelize);
    const burst = 3 * t.config.database.poolMax;
    const forms = await Promise.all(
      Array.from({ length: burst }, async () => {
        const agent = agentFor(t.app);
        return { agent, csrf: await csrfOf(agent, '/login') };
      }),
    );
    pg.freeze();
    try {
      const answers = await Promise.all(
        forms.map(({ agent, csrf }, i) =>
          timed(() =>
            agent
              .post('/login')
              .type('form')
              .send({ username: `${user.username}-${i}`, password: TEST_PASSWORD, _csrf: csrf }),
          ),
        ),
      );
      for (const answer of answers) expectUnavailable(answer);
    } finally {
      await pg.thaw();
    }
    expect(await loginReachesEstablishment(agentFor(t.app), user.username)).toBe(true);
  });

  it('when another connection holds an exclusive lock on users then a login answers 503 within 5 s; once released it works', async () => {
    const { user } = await makeUser(t.sequelize);
    const locker = await pg.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const agent = agentFor(t.app);
      expectUnavailable(await timedLogin(agent, user.username));
      expect(await isSignedIn(agent)).toBe(false);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    expect(await loginReachesEstablishment(agentFor(t.app), user.username)).toBe(true);
  });

  it('when the user row is locked by another transaction then choosing the establishment answers 503 within 5 s and opens no session', async () => {
    const { user, establishments } = await makeUser(t.sequelize);
    const agent = agentFor(t.app);
    expect(await loginReachesEstablishment(agent, user.username)).toBe(true);
    const csrf = await csrfOf(agent, '/login/establishment');
    const locker = await pg.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [user.id]);
      expectUnavailable(
        await timed(() =>
          agent
            .post('/login/establishment')
            .type('form')
            .send({ establishmentId: establishments[0]!.id, _csrf: csrf }),
        ),
      );
      expect(await isSignedIn(agent)).toBe(false);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
  });

  it('when writing a login row sleeps (pg_sleep) then a login answers 503 within 5 s and opens no session, and a logout goes on spooled until the statement returns to normal', async () => {
    const { user, establishments } = await makeUser(t.sequelize);
    const leaving = await signedIn(t);
    const admin: Client = await pg.connect();
    const before = await rows('login_events');
    await admin.query(`
      CREATE FUNCTION sleepy() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN PERFORM pg_sleep(30); RETURN NEW; END $$;
      CREATE TRIGGER sleepy BEFORE INSERT ON login_events FOR EACH ROW EXECUTE FUNCTION sleepy();`);
    try {
      const agent = agentFor(t.app);
      expect(await loginReachesEstablishment(agent, user.username)).toBe(true);
      const csrf = await csrfOf(agent, '/login/establishment');
      expectUnavailable(
        await timed(() =>
          agent
            .post('/login/establishment')
            .type('form')
            .send({ establishmentId: establishments[0]!.id, _csrf: csrf }),
        ),
      );
      expect(await isSignedIn(agent)).toBe(false);

      const logoutCsrf = await csrfOf(leaving.agent, '/');
      const out = await timed(() =>
        leaving.agent.post('/logout').type('form').send({ _csrf: logoutCsrf }),
      );
      expect(out.res.headers.location).toBe('/login?bye=1');
      expect(out.ms).toBeLessThan(5000);
    } finally {
      await admin.query('DROP TRIGGER sleepy ON login_events; DROP FUNCTION sleepy();');
      await admin.end();
    }
    expect((await spooled()).map((l) => l.event.reason)).toEqual(['logout']);
    expect(await t.auditSpool.drain()).toBe(1);
    // The refused login's row rolled back with it; the earlier attempt's "ok" row never existed:
    // only the spooled logout is new.
    expect(await rows('login_events')).toBe(before + 1);
    await expectChainsIntact();
  });
});
