import type { Repositories } from '../storage/repositories';
import type { Clock } from '../shared/clock';
import type { Actor } from '../access/actor';
import { createEstablishment } from '../domain/establishments/commands/create-establishment';
import { createUserCommand } from '../domain/users/commands/create-user';
import { DEMO_ESTABLISHMENTS, DEMO_PASSWORD, DEMO_USERS } from './demo-data';
import { CLI_META } from './actor';
import { scopeValue } from './users';

/**
 * Loads the demo data; safe to run again. Establishments and accounts are created through the
 * same commands as the screens (their admin_events rows name the CLI's actor). What no command
 * writes is fabricated here, as demo fixtures only: each account's e-ID history, refreshed at
 * every run so that each demo account keeps showing its badge state relative to today.
 */
export async function seedDemo(deps: { repos: Repositories; clock: Clock }, actor: Actor) {
  const { repos } = deps;
  const existing = new Set((await repos.establishments.listAll()).map((e) => e.code));
  const addPlace = createEstablishment(deps);
  for (const e of DEMO_ESTABLISHMENTS.filter((d) => !existing.has(d.code)))
    await addPlace(actor, { code: e.code, name: e.name, regionName: e.region }, CLI_META);

  const create = createUserCommand({ ...deps, initialPassword: DEMO_PASSWORD });
  const now = deps.clock.now().getTime();
  for (const demo of DEMO_USERS) {
    const lastEidLoginAt =
      demo.lastEidDaysAgo === null ? null : new Date(now - demo.lastEidDaysAgo * 86_400_000);
    const user = await repos.users.findByUsername(demo.username);
    if (user) {
      await repos.users.recordActivity(user.id, { lastEidLoginAt });
      continue;
    }
    const places = await repos.establishments.findByCodes(demo.establishments);
    const { user: created } = await create(
      actor,
      {
        username: demo.username,
        documentNumber: demo.document,
        fullName: demo.name,
        role: demo.role,
        roleScope: demo.role === 'staff' ? undefined : await scopeValue(repos, demo.scope),
        establishmentIds: places.map((p) => p.id),
        accountKind: 'password',
      },
      CLI_META,
    );
    await repos.users.recordActivity(created.id, { lastEidLoginAt });
    await addEidHistory(repos, created, demo.eidLoginsDaysAgo ?? [], now);
  }
}

/**
 * Past e-ID logins of a new demo account, so the adoption dashboard's monthly trend has a
 * history to show (the real one comes from login_events as people log in).
 */
async function addEidHistory(
  repos: Repositories,
  user: { id: number; username: string },
  daysAgo: number[],
  now: number,
): Promise<void> {
  for (const days of [...daysAgo].sort((a, b) => b - a)) {
    await repos.loginEvents.append({
      occurredAt: new Date(now - days * 86_400_000),
      userId: user.id,
      username: user.username,
      method: 'eid',
      outcome: 'info',
      reason: 'eid_verified',
      establishmentId: null,
      ip: '10.20.0.15',
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 (datos de demostración)',
    });
  }
}
