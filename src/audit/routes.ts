import { Router } from 'express';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import type { Policy } from '../http/policy';
import type { Repositories } from '../repositories';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { createAdminHistory, toAdminRow } from './admin-history';
import { ADMIN_COLUMNS, LOGIN_COLUMNS } from './csv-columns';
import { createExportPool } from './csv-export';
import {
  ADMIN_FILTER_NAMES,
  LOGIN_FILTER_NAMES,
  parseAdminFilters,
  parseLoginFilters,
} from './history-filters';
import { historyRoutes } from './history-routes';
import { adminRowView, loginRowView } from './history-view';
import { createLoginHistory, toLoginRow } from './login-history';
import {
  ACTION_LABELS,
  ADMIN_OUTCOME_LABELS,
  METHOD_LABELS,
  optionsOf,
  OUTCOME_LABELS,
  REASON_LABELS,
} from './reason-labels';

export interface AuditDeps {
  config: Config;
  repos: Repositories;
  clock: Clock;
  logger: Logger;
  policy: Policy;
  /** Where the audit pages read. */
  sequelize: Sequelize;
  /** Where the exports' cursors read (a PostgreSQL URL); `config.database.url` by default. */
  exportDatabaseUrl?: string;
}

const inOrder = (labels: Readonly<Record<string, string>>) =>
  Object.entries(labels).map(([value, label]) => ({ value, label }));

/**
 * /audit: the auditors' login history and administrative actions, each with a CSV export of the
 * same filters. Every route is `audit.read` (auditors, any scope), GET only: auditors change
 * nothing. The auditor's scope applies to every page and export, whatever the URL asks for.
 */
export function auditRoutes(deps: AuditDeps) {
  const router = Router();
  const logins = createLoginHistory(deps.sequelize);
  const admin = createAdminHistory(deps.sequelize);
  let pool: ReturnType<typeof createExportPool> | undefined;
  const common = {
    repos: deps.repos,
    clock: deps.clock,
    logger: deps.logger,
    policy: deps.policy,
    badge: { staleAfterMonths: deps.config.eid.staleAfterMonths },
    // Opened at the first export, not at boot: most instances never serve one.
    exportPool: () =>
      (pool ??= createExportPool(deps.exportDatabaseUrl ?? deps.config.database.url, (err) =>
        deps.logger.warn({ err }, 'idle export connection lost'),
      )),
  };

  router.use(
    historyRoutes(common, {
      path: '/audit/logins',
      table: 'login_events',
      view: 'audit/logins',
      title: 'Historial de ingresos',
      fileName: 'historial-ingresos',
      names: LOGIN_FILTER_NAMES,
      parse: parseLoginFilters,
      page: (ctx, filters, cursor) =>
        logins.page({ filters, scope: ctx.scope, places: ctx.places }, cursor),
      sql: (ctx, filters) => logins.sql({ filters, scope: ctx.scope, places: ctx.places }),
      toRow: toLoginRow,
      columns: LOGIN_COLUMNS,
      rowView: loginRowView,
      options: {
        method: optionsOf(METHOD_LABELS),
        outcome: inOrder(OUTCOME_LABELS),
        reason: optionsOf(REASON_LABELS),
      },
    }),
  );
  router.use(
    historyRoutes(common, {
      path: '/audit/admin-events',
      table: 'admin_events',
      view: 'audit/admin-events',
      title: 'Acciones administrativas',
      fileName: 'acciones-administrativas',
      names: ADMIN_FILTER_NAMES,
      parse: parseAdminFilters,
      page: (ctx, filters, cursor) => admin.page({ filters, scope: ctx.scope }, cursor),
      sql: (ctx, filters) => admin.sql({ filters, scope: ctx.scope }),
      toRow: toAdminRow,
      columns: ADMIN_COLUMNS,
      rowView: adminRowView,
      options: {
        action: optionsOf(ACTION_LABELS),
        outcome: inOrder(ADMIN_OUTCOME_LABELS),
      },
    }),
  );
  return router;
}
