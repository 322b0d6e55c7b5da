import { QueryTypes, type Sequelize } from 'sequelize';
import { createUserSearch } from './user-search';
import { createLoginHistory } from './login-history';
import { createAdminHistory } from './admin-history';
import { createAdoptionQuery } from './adoption';

/**
 * The screens' own queries, one module each, built once in the composition root. `read` is the
 * DATABASE_READ_URL replica when set (the audit screens accept its lag); the users list reads the
 * primary, where an administrator's change is visible at once.
 */
export function createQueries(primary: Sequelize, read: Sequelize) {
  return {
    userSearch: createUserSearch(primary),
    loginHistory: createLoginHistory(read),
    adminHistory: createAdminHistory(read),
    adoption: createAdoptionQuery(read),
    /** Whether each database answers `SELECT 1` (the readiness probe). */
    ping: async () => {
      await primary.query('SELECT 1', { type: QueryTypes.SELECT });
    },
  };
}

export type Queries = ReturnType<typeof createQueries>;
