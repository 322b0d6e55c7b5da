import type { Repositories } from '../repositories';
import { addEstablishments } from '../establishments/add-establishment';
import { createUser } from '../users/create-user';
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
    await createUser(repos, {
      username: demo.username,
      document: demo.document,
      name: demo.name,
      role: demo.role,
      scope: demo.scope,
      establishmentCodes: demo.establishments,
      password: DEMO_PASSWORD,
      lastEidLoginAt,
    });
  }
}
