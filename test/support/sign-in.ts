import type request from 'supertest';
import { makeUser, TEST_PASSWORD } from './factories';
import { agentFor, loginAndChoose } from './http';
import type { TestApp } from './test-app';

/** What {@link makeUser} accepts: establishments, role, scope, name, document… */
export type NewUserOptions = Parameters<typeof makeUser>[1];

/** A new user, the establishments they work in, their password and their signed-in agent. */
export interface SignedInUser {
  user: Awaited<ReturnType<typeof makeUser>>['user'];
  establishments: Awaited<ReturnType<typeof makeUser>>['establishments'];
  password: string;
  /** An {@link agentFor} agent holding the user's session (cookies kept). */
  agent: request.Agent;
}

/**
 * Makes a new user with {@link makeUser} in `t`'s database and signs them in through the classic
 * login with {@link TEST_PASSWORD}, choosing their first establishment; expects the login to end
 * on `/` (the home page itself is not fetched).
 */
export async function signedIn(
  t: Pick<TestApp, 'app' | 'sequelize'>,
  opts: NewUserOptions = {},
): Promise<SignedInUser> {
  const made = await makeUser(t.sequelize, opts);
  const agent = agentFor(t.app);
  const done = await loginAndChoose(
    agent,
    made.user.username,
    TEST_PASSWORD,
    made.establishments[0]!.id,
  );
  expect(done.headers.location).toBe('/');
  return { ...made, agent };
}
