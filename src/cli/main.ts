import { userInfo } from 'node:os';
import type { Sequelize } from 'sequelize';
import { loadConfig, type Config } from '../config';
import { createSequelize } from '../db/sequelize';
import { createMigrator } from '../db/migrator';
import { createRedisClient } from '../redis/client';
import { AppError } from '../shared/errors';
import { systemClock, type Clock } from '../shared/clock';
import { createLogger } from '../shared/logger';
import { createRepositories, type Repositories } from '../storage/repositories';
import { createIdentityCache, type IdentityCache } from '../domain/sessions/identity-cache';
import type { Actor } from '../access/actor';
import { cliActor } from './actor';
import { seedDemo } from './seed-demo';
import { seedNational } from './seed-national';
import { addUser } from './users';
import { importUserFile } from './import-users';
import { addEstablishment, importEstablishmentFile } from './establishments';
import { checkpointAudit, keygenAudit, purgeAuditTrail, verifyAudit } from './audit';
import { accountCommands } from './accounts';
import { addClient, generateProviderKey, rotateClientSecret, toggleClient } from './modules';

interface Context {
  config: Config;
  sequelize: Sequelize;
  repos: Repositories;
  clock: Clock;
  /** Every write is a command run by this actor (`cli:<os user>` in the audit). */
  actor: Actor;
}

type Command = (args: string[], ctx: Context) => Promise<string>;

/**
 * Runs a command that changes people whose identities are cached in Redis, refreshing them once
 * it has committed (their sessions see the change at the next request). Without Redis the
 * command still runs: the cache refreshes itself within the hour.
 */
async function withIdentities<T>(
  ctx: Context,
  run: (identities: Pick<IdentityCache, 'refresh'>) => Promise<T>,
): Promise<T> {
  const logger = createLogger('silent');
  const redis = createRedisClient(ctx.config.redis.url, logger, ctx.config.redis.sentinel);
  await redis.connect().catch(() => undefined);
  const cache = createIdentityCache(redis, ctx.config.redis.keyPrefix, ctx.repos);
  try {
    return await run({
      refresh: (...ids: number[]) =>
        cache.refresh(...ids).catch(() => {
          console.error(
            'Aviso: no se pudo actualizar la caché de identidades (Redis); se actualiza sola en una hora.',
          );
        }),
    });
  } finally {
    if (redis.isOpen) redis.destroy();
  }
}

const commands: Record<string, Command> = {
  async migrate(_args, { sequelize }) {
    const applied = await createMigrator(sequelize).up();
    return applied.length
      ? `Migraciones aplicadas: ${applied.map((m) => m.name).join(', ')}`
      : 'La base de datos ya está al día.';
  },
  async 'seed:demo'(_args, ctx) {
    await seedDemo(ctx, ctx.actor);
    return 'Datos de demostración cargados.';
  },
  async 'seed:national'(_args, ctx) {
    const done = await seedNational(ctx, ctx.actor);
    return done
      ? `Red nacional de demostración cargada en ${done.seconds} s: ${done.establishments} establecimientos, ${done.people} personas, ${done.loginEvents} ingresos y ${done.adminEvents} acciones administrativas.`
      : 'La red nacional de demostración ya estaba cargada.';
  },
  'establishment:add': addEstablishment,
  'establishment:import': (args, ctx) =>
    withIdentities(ctx, (identities) => importEstablishmentFile(args, { ...ctx, identities })),
  'user:add': addUser,
  'user:import': (args, ctx) =>
    withIdentities(ctx, (identities) => importUserFile(args, { ...ctx, identities })),
  ...accountCommands,
  'audit:verify': (args, { sequelize, config }) => verifyAudit(args, sequelize, config),
  'audit:checkpoint': (_args, { sequelize, config }) => checkpointAudit(sequelize, config),
  'audit:keygen': async () => keygenAudit(),
  'audit:purge': (args, { sequelize, config }) => purgeAuditTrail(args, sequelize, config),
  'client:add': addClient,
  'client:disable': toggleClient(false),
  'client:enable': toggleClient(true),
  'client:rotate-secret': rotateClientSecret,
  'keys:generate': async () => generateProviderKey(),
};

/** `npm run cli -- <command>`: exit 0 with a one-line result, or non-zero with a clear message. */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(`Uso: npm run cli -- <comando>\nComandos: ${Object.keys(commands).join(', ')}`);
    return 64;
  }
  let sequelize: Sequelize | undefined;
  try {
    const config = loadConfig();
    // Operator commands (audit:purge over millions of rows) lift statement_timeout themselves;
    // a client-side limit would cut them off regardless.
    sequelize = createSequelize(config.database, {
      applicationName: 'his-acceso-cli',
      queryTimeoutInMs: 0,
    });
    const repos = createRepositories(sequelize);
    const actor = cliActor(userInfo().username);
    console.log(await command(args, { config, sequelize, repos, clock: systemClock, actor }));
    return 0;
  } catch (err) {
    console.error(`Error: ${err instanceof AppError ? err.publicMessage : (err as Error).message}`);
    return err instanceof AppError && err.status === 2 ? 2 : 1;
  } finally {
    await sequelize?.close();
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
