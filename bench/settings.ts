/** What both sides of the bench share: where the scratch world lives, passwords, sizes, names. */

export const PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = 'redis://127.0.0.1:6379';

/** The URL of database `dbName` on the server of `adminUrl` (a run's own scratch database). */
export function databaseUrl(dbName: string, adminUrl = PG_ADMIN_URL): string {
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  return url.toString();
}
export const PASSWORD = 'bench-password-0123';
export const WRONG_PASSWORD = 'wrong-password-0123';

/** Warm-up requests per connection before the timed run (a form fetch counts as one). */
export const WARMUP = 20;
/** The refused logins come after the accepted one has warmed argon2 and the app up: less. */
export const FAILURE_WARMUP = 8;
/**
 * Logins per second that argon2id at the production parameters does not reach on the default
 * libuv pool (4 threads, each verify ≥ 10 ms): it sizes the account pools so that no account of
 * the wrong-password and disabled scenarios reaches the lockout. The audit check would say so.
 */
export const LOGIN_RATE_CEILING = 500;

/**
 * Accounts of the refused-login scenarios are `<prefix><n>`, and the prefix tells their audit rows
 * apart. `nobody…` never exists; the others are created with the seed, each pool its own.
 */
export const PREFIX = {
  unknown: 'nobody',
  wrong: 'wrongpw',
  locked: 'locked',
  disabled: 'disabled',
};

export function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name}=${raw}: use a whole number ≥ 1`);
  }
  return value;
}
