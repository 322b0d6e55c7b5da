import path from 'node:path';
import { Umzug, SequelizeStorage } from 'umzug';
import type { QueryInterface, Sequelize } from 'sequelize';
import { projectRoot } from '../shared/paths';

export type MigrationContext = { queryInterface: QueryInterface; sequelize: Sequelize };

/**
 * Migrations live in migrations/ as TypeScript (run through tsx or ts-jest) and as compiled
 * JavaScript under dist/; whichever set sits beside the running code is used.
 */
export function createMigrator(sequelize: Sequelize) {
  const compiled = __filename.endsWith('.js');
  const dir = compiled
    ? path.join(projectRoot, 'dist', 'migrations')
    : path.join(projectRoot, 'migrations');
  return new Umzug<MigrationContext>({
    migrations: {
      glob: ['*.{js,ts}', { cwd: dir, ignore: ['*.d.ts', '*.map'] }],
      resolve: ({ name, path: file, context }) => ({
        name: name.replace(/\.(js|ts)$/, ''),
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        up: async () => require(file!).up(context),
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        down: async () => require(file!).down(context),
      }),
    },
    context: { queryInterface: sequelize.getQueryInterface(), sequelize },
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: undefined,
  });
}
