import type { Config } from '../config';
import { AppError } from '../shared/errors';
import { createLogger } from '../shared/logger';
import type { Clock } from '../shared/clock';
import type { Repositories } from '../storage/repositories';
import type { Actor } from '../access/actor';
import { createRedisClient } from '../redis/client';
import { createSessionEnds } from '../domain/sessions/session-ends';
import { createSessionIndex } from '../domain/sessions/session-index';
import { createSsoRegistry } from '../domain/sessions/sso';
import { createIdentityCache } from '../domain/sessions/identity-cache';
import { createLockout } from '../domain/passwords/lockout';
import type { UserCommandDeps } from '../domain/users/user-command';
import { disableUser } from '../domain/users/commands/disable';
import { enableUser } from '../domain/users/commands/enable';
import { unlockUser } from '../domain/users/commands/unlock';
import { resetPassword } from '../domain/users/commands/reset-password';
import { createSessionMiddleware } from '../web/session/middleware';
import { disableInactiveAccounts } from '../domain/users/inactivity';
import { formatDateTime } from '../shared/time';
import { required, strict } from './args';
import { CLI_META } from './actor';

interface Ctx {
  config: Config;
  repos: Repositories;
  clock: Clock;
  actor: Actor;
}

/** The Redis-backed parts a user command needs (sessions, identities, locks), for `work`. */
export async function withUserCommandDeps<T>(
  ctx: Ctx,
  work: (deps: UserCommandDeps) => Promise<T>,
): Promise<T> {
  const { config } = ctx;
  const redis = createRedisClient(config.redis.url, createLogger('silent'), config.redis.sentinel);
  await redis.connect();
  try {
    const ends = createSessionEnds(redis, config.redis.keyPrefix, ctx.clock, config.session);
    const { store } = createSessionMiddleware(config, redis, ends);
    return await work({
      repos: ctx.repos,
      clock: ctx.clock,
      identities: createIdentityCache(redis, config.redis.keyPrefix, ctx.repos),
      sessions: createSessionIndex(
        redis,
        config.redis.keyPrefix,
        store,
        config.session.absoluteTimeoutInHours * 3600,
        // The modules the ended sessions signed into lose their tokens here; their back-channel
        // logouts are queued in Redis and sent by the app (the provider runs there).
        createSsoRegistry(
          redis,
          config.redis.keyPrefix,
          config.session.absoluteTimeoutInHours * 3600,
        ),
      ),
      lockout: createLockout(redis, config.redis.keyPrefix, config.lockout),
    });
  } finally {
    await redis.quit();
  }
}

/**
 * The account commands of the screen with the CLI's actor, who outranks everyone: what changes
 * the account of a network-wide administrator, whom no one outranks on the screens. They end
 * sessions and clear locks in Redis, so they connect to it.
 */
async function onAccount<T>(
  args: string[],
  ctx: Ctx,
  work: (deps: UserCommandDeps, userId: number) => Promise<T>,
): Promise<T> {
  const { values } = strict(args, { username: { type: 'string' } });
  const username = required(values, 'username');
  const user = await ctx.repos.users.findByUsername(username);
  if (!user) throw new AppError('invalid_input', 400, `Usuario desconocido: ${username}.`);
  return withUserCommandDeps(ctx, (deps) => work(deps, user.id));
}

/**
 * `users:disable-inactive [--dry-run]`: the daily job, for cron or by hand — disables the
 * accounts without a login for ACCOUNT_INACTIVE_DISABLE_AFTER_DAYS (each audited, actor
 * `sistema`), or with `--dry-run` only lists them.
 */
async function disableInactive(args: string[], ctx: Ctx): Promise<string> {
  const { values } = strict(args, { 'dry-run': { type: 'boolean' } });
  const days = ctx.config.inactivity.accountDisableAfterDays;
  if (days <= 0)
    return 'ACCOUNT_INACTIVE_DISABLE_AFTER_DAYS=0: la regla de inactividad está apagada.';
  const dryRun = values['dry-run'] === true;
  const done = await withUserCommandDeps(ctx, (deps) =>
    disableInactiveAccounts({ ...deps, days }, { dryRun }),
  );
  const lines = done.map(
    (u) =>
      `  ${u.username.padEnd(20)} ${u.fullName} (última actividad ${formatDateTime(new Date(u.lastActivity))})`,
  );
  const head = dryRun
    ? `${done.length} ${done.length === 1 ? 'cuenta se deshabilitaría' : 'cuentas se deshabilitarían'} (sin inicio de sesión en ${days} días):`
    : `${done.length} ${done.length === 1 ? 'cuenta deshabilitada' : 'cuentas deshabilitadas'} por inactividad (${days} días):`;
  return [head, ...lines].join('\n');
}

export const accountCommands = {
  'users:disable-inactive': disableInactive,
  'user:disable': (args: string[], ctx: Ctx) =>
    onAccount(args, ctx, async (deps, userId) => {
      await disableUser(deps)(ctx.actor, { userId }, CLI_META);
      return 'Cuenta deshabilitada; sus sesiones se cerraron.';
    }),
  'user:enable': (args: string[], ctx: Ctx) =>
    onAccount(args, ctx, async (deps, userId) => {
      await enableUser(deps)(ctx.actor, { userId }, CLI_META);
      return 'Cuenta habilitada.';
    }),
  'user:unlock': (args: string[], ctx: Ctx) =>
    onAccount(args, ctx, async (deps, userId) => {
      await unlockUser(deps)(ctx.actor, { userId }, CLI_META);
      return 'Cuenta desbloqueada.';
    }),
  'user:reset-password': (args: string[], ctx: Ctx) =>
    onAccount(args, ctx, async (deps, userId) => {
      const done = await resetPassword(deps)(ctx.actor, { userId }, CLI_META);
      return `Contraseña de un solo uso (se muestra solo esta vez; se cambia al primer ingreso): ${done.password}\nSus sesiones se cerraron.`;
    }),
};
