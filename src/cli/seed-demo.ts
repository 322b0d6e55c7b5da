import type { Repositories } from '../storage/repositories';
import { addEstablishments } from '../domain/establishments/add-establishment';
import { createUser } from '../domain/users/create-account';
import { DEMO_ESTABLISHMENTS, DEMO_PASSWORD, DEMO_USERS } from './demo-data';
import type { Clock } from '../shared/clock';

/**
 * Loads the demo data; safe to run again (existing rows are kept, e-ID dates are refreshed so
 * each demo account keeps showing its badge state relative to today).
 */
export async function seedDemo(repos: Repositories, clock: Clock): Promise<void> {
  const existing = new Set((await repos.establishments.listAll()).map((e) => e.code));
  await addEstablishments(
    repos,
    DEMO_ESTABLISHMENTS.filter((e) => !existing.has(e.code)),
  );
  const now = clock.now().getTime();
  for (const demo of DEMO_USERS) {
    const lastEidLoginAt =
      demo.lastEidDaysAgo === null ? null : new Date(now - demo.lastEidDaysAgo * 86_400_000);
    const user = await repos.users.findByUsername(demo.username);
    if (user) {
      await repos.users.update(user.id, { lastEidLoginAt, status: 'active' });
      continue;
    }
    const created = await createUser(repos, {
      username: demo.username,
      document: demo.document,
      name: demo.name,
      role: demo.role,
      scope: demo.scope,
      establishmentCodes: demo.establishments,
      password: DEMO_PASSWORD,
      lastEidLoginAt,
    });
    await addEidHistory(repos, created, demo.eidLoginsDaysAgo ?? []);
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
): Promise<void> {
  const now = Date.now();
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
