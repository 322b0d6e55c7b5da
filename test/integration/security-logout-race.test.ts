import type { Sequelize } from 'sequelize';
import { createHmac } from 'node:crypto';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/test-app';
import { csrfFrom } from '../support/http';
import { signedIn, type SignedInUser } from '../support/sign-in';
import { createRepositories, type Repositories } from '../../src/storage/repositories';

/**
 * A request that began with a session and ends after the session was ended elsewhere (logout in
 * another tab, an administrator ending the user's sessions) must not write the session back:
 * express-session saves a session that the request modified (here: the once-a-minute
 * `lastSeenAt`), and a plain SET would bring the ended session back to life in Redis.
 *
 * The slow request is a real page ("Mis accesos") whose login-history read waits at a gate the
 * test opens, so the interleaving is exact, without sleeps.
 */

interface Gate {
  entered: Promise<void>;
  open(): void;
}
let armed: { enter(): void; wait: Promise<void> } | null = null;

/** The next call of the history read stops until the returned gate is opened. */
function armGate(): Gate {
  let enter!: () => void;
  let open!: () => void;
  const entered = new Promise<void>((resolve) => (enter = resolve));
  const wait = new Promise<void>((resolve) => (open = resolve));
  armed = { enter, wait };
  return { entered, open };
}

function gatedRepositories(sequelize: Sequelize): Repositories {
  const repos = createRepositories(sequelize);
  const ownHistory = repos.loginEvents.ownHistory;
  return {
    ...repos,
    loginEvents: {
      ...repos.loginEvents,
      async ownHistory(...args: Parameters<typeof ownHistory>) {
        const gate = armed;
        armed = null;
        if (gate) {
          gate.enter();
          await gate.wait;
        }
        return ownHistory(...args);
      },
    },
  };
}

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({}, { repos: gatedRepositories });
});
afterAll(() => t.close());

const sessionKey = (sid: string) => `${t.config.redis.keyPrefix}sess:${sid}`;

/** The his.sid cookie of `sid` as express-session signs it (kept by an attacker or a stale tab). */
const cookieOf = (sid: string) => {
  const mac = createHmac('sha256', t.config.session.secret).update(sid).digest('base64');
  return `his.sid=${encodeURIComponent(`s:${sid}.${mac.replace(/=+$/, '')}`)}`;
};
/** Where GET / sends the old cookie: the home page (200) or the login. */
const homeWith = async (sid: string) => {
  const res = await request(t.app).get('/').set('Cookie', cookieOf(sid)).redirects(0);
  return res.status === 200 ? 'home' : res.headers.location;
};

/** Signs a user in; returns their one session id and the logout token from the home page. */
async function openSession(): Promise<{ who: SignedInUser; sid: string; token: string }> {
  const who = await signedIn(t);
  const home = await who.agent.get('/');
  expect(home.status).toBe(200);
  const sids = await t.sessionIndex.list(who.user.id);
  expect(sids).toHaveLength(1);
  return { who, sid: sids[0]!, token: csrfFrom(home.text) };
}

/** Starts GET /me/access and waits until it is inside the slow read (session already loaded). */
async function startSlowPage(
  agent: request.Agent,
): Promise<{ done: Promise<request.Response>; gate: Gate }> {
  const gate = armGate();
  const done = agent
    .get('/me/access')
    .redirects(0)
    .then((res) => res);
  await gate.entered;
  return { done, gate };
}

describe('a slow request racing the end of its session', () => {
  it('when nothing ends the session then the slow page saves its lastSeenAt (the write the race is about)', async () => {
    const { who, sid } = await openSession();
    t.clock.advanceMinutes(2);
    const { done, gate } = await startSlowPage(who.agent);
    gate.open();
    expect((await done).status).toBe(200);
    const stored = JSON.parse((await t.redis.get(sessionKey(sid)))!) as {
      auth: { lastSeenAt: number };
    };
    expect(stored.auth.lastSeenAt).toBe(t.clock.now().getTime());
    expect(await homeWith(sid)).toBe('home');
  });

  it('when the user logs out during the slow request then the session does not come back', async () => {
    const { who, sid, token } = await openSession();
    t.clock.advanceMinutes(2);
    const { done, gate } = await startSlowPage(who.agent);
    const bye = await who.agent.post('/logout').type('form').send({ _csrf: token }).redirects(0);
    expect(bye.headers.location).toBe('/login?bye=1');
    expect(await t.redis.exists(sessionKey(sid))).toBe(0);
    gate.open();
    await done;
    expect(await t.redis.exists(sessionKey(sid))).toBe(0);
    // The old cookie opens nothing, nor does the session index list it.
    expect(await homeWith(sid)).toBe('/login');
    expect(await t.sessionIndex.list(who.user.id)).toEqual([]);
  });

  it('when an administrator ends the user’s sessions during the slow request then none comes back', async () => {
    const { who, sid } = await openSession();
    t.clock.advanceMinutes(2);
    const { done, gate } = await startSlowPage(who.agent);
    expect(await t.sessionIndex.endAll(who.user.id, { reason: 'admin_ended' })).toBe(1);
    gate.open();
    await done;
    expect(await t.redis.exists(sessionKey(sid))).toBe(0);
    expect(await homeWith(sid)).toBe('/login');
  });
});
