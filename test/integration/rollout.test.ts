import { randomBytes } from 'node:crypto';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import { agentFor, postLogin } from '../support/http';

/**
 * The e-ID rollout date per región (Res. MITIC 553/2024): at a classic login, a user who never
 * used the e-ID is sent to it once the earliest date among their regiones has passed.
 * The clock stands at 2026-11-20; EID_REQUIRED_SINCE (the network default) is unset here.
 */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const regionName = () => `Región Despliegue ${randomBytes(4).toString('hex')}`;

async function regionWithDate(date: string | null) {
  const establishment = await makeEstablishment(t.sequelize, regionName());
  await t.repos.transaction((tx) =>
    t.repos.establishments.regions.update(establishment.regionId, { eidRequiredSince: date }, tx),
  );
  return establishment;
}

describe('classic login with a rollout date per región', () => {
  it('when the user never used the e-ID and their región date has passed then the e-ID is required', async () => {
    const establishment = await regionWithDate('2026-01-01');
    const { user } = await makeUser(t.sequelize, { establishments: [establishment] });
    const agent = agentFor(t.app);
    const login = await postLogin(agent, user.username, TEST_PASSWORD);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/login/eid-required');
    const notice = await agent.get('/login/eid-required');
    expect(notice.text).toContain('Desde el 01/01/2026');
  });

  it('when the user belongs to another región without a date then the login goes on', async () => {
    await regionWithDate('2026-01-01');
    const elsewhere = await regionWithDate(null);
    const { user } = await makeUser(t.sequelize, { establishments: [elsewhere] });
    const login = await postLogin(agentFor(t.app), user.username, TEST_PASSWORD);
    expect(login.headers.location).toBe('/login/establishment');
  });

  it('when the región date is still in the future then the login goes on', async () => {
    const establishment = await regionWithDate('2027-03-01');
    const { user } = await makeUser(t.sequelize, { establishments: [establishment] });
    const login = await postLogin(agentFor(t.app), user.username, TEST_PASSWORD);
    expect(login.headers.location).toBe('/login/establishment');
  });

  it('when the user works in two regiones then the earliest date decides', async () => {
    const later = await regionWithDate('2027-03-01');
    const earlier = await regionWithDate('2026-06-01');
    const { user } = await makeUser(t.sequelize, { establishments: [later, earlier] });
    const agent = agentFor(t.app);
    const login = await postLogin(agent, user.username, TEST_PASSWORD);
    expect(login.headers.location).toBe('/login/eid-required');
    expect((await agent.get('/login/eid-required')).text).toContain('Desde el 01/06/2026');
  });

  it('when the user already used the e-ID recently then the región date does not stop them', async () => {
    const establishment = await regionWithDate('2026-01-01');
    const { user } = await makeUser(t.sequelize, {
      establishments: [establishment],
      lastEidLoginAt: new Date('2026-11-01T12:00:00Z'),
    });
    const login = await postLogin(agentFor(t.app), user.username, TEST_PASSWORD);
    expect(login.headers.location).toBe('/login/establishment');
  });
});

describe('the network default (EID_REQUIRED_SINCE)', () => {
  let net: TestApp;
  beforeAll(async () => {
    net = await buildTestApp({ EID_REQUIRED_SINCE: '2026-02-01' });
  });
  afterAll(() => net.close());

  it('when the región has no date of its own then the network date applies', async () => {
    const establishment = await makeEstablishment(net.sequelize, regionName());
    const { user } = await makeUser(net.sequelize, { establishments: [establishment] });
    const agent = agentFor(net.app);
    const login = await postLogin(agent, user.username, TEST_PASSWORD);
    expect(login.headers.location).toBe('/login/eid-required');
    expect((await agent.get('/login/eid-required')).text).toContain('Desde el 01/02/2026');
  });

  it('when the región postponed its date then its users may still log in classically', async () => {
    const establishment = await makeEstablishment(net.sequelize, regionName());
    await net.repos.transaction((tx) =>
      net.repos.establishments.regions.update(
        establishment.regionId,
        { eidRequiredSince: '2027-06-01' },
        tx,
      ),
    );
    const { user } = await makeUser(net.sequelize, { establishments: [establishment] });
    const login = await postLogin(agentFor(net.app), user.username, TEST_PASSWORD);
    expect(login.headers.location).toBe('/login/establishment');
  });
});
