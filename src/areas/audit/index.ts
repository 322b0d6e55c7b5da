import { Router } from 'express';
import type { Config } from '../../config';
import type { Policy } from '../../web/policy';
import type { Repositories } from '../../storage/repositories';
import type { Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import { toAdminRow, type AdminHistory } from '../../storage/queries/admin-history';
import { adminColumns, LOGIN_COLUMNS } from './csv-columns';
import type { ExportPool } from '../../storage/cursor';
import {
  ADMIN_FILTER_NAMES,
  LOGIN_FILTER_NAMES,
  parseAdminFilters,
  parseLoginFilters,
} from './history-filters';
import { historyRoutes } from './history-routes';
import { adminRowView, loginRowView } from './history-view';
import { toLoginRow, type LoginHistory } from '../../storage/queries/login-history';
import {
  ACTION_LABELS,
  ADMIN_OUTCOME_LABELS,
  METHOD_LABELS,
  optionsOf,
  OUTCOME_LABELS,
  REASON_FILTERS,
} from '../../domain/audit/labels';

export interface AuditDeps {
  config: Config;
  repos: Repositories;
  clock: Clock;
  logger: Logger;
  policy: Policy;
  /** The histories' queries (on the read replica when DATABASE_READ_URL is set). */
  queries: { loginHistory: LoginHistory; adminHistory: AdminHistory };
  /** Where the exports' cursors read (the replica when set). */
  exportPool: ExportPool;
}

const inOrder = (labels: Readonly<Record<string, string>>) =>
  Object.entries(labels).map(([value, label]) => ({ value, label }));

/**
 * /audit (mounted there): the auditors' login history and administrative actions, each with a CSV export of the
 * same filters. Every route is `audit.read` (auditors, any scope), GET only: auditors change
 * nothing. The auditor's scope applies to every page and export, whatever the URL asks for.
 */
export function auditArea(deps: AuditDeps) {
  const router = Router();
  const { loginHistory: logins, adminHistory: admin } = deps.queries;
  const common = {
    mountedAt: '/audit',
    repos: deps.repos,
    clock: deps.clock,
    logger: deps.logger,
    policy: deps.policy,
    badge: { staleAfterMonths: deps.config.eid.staleAfterMonths },
    exportPool: deps.exportPool,
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
      count: (ctx, filters) => logins.count({ filters, scope: ctx.scope, places: ctx.places }),
      sql: (ctx, filters) => logins.sql({ filters, scope: ctx.scope, places: ctx.places }),
      toRow: toLoginRow,
      columns: () => LOGIN_COLUMNS,
      rowView: loginRowView,
      options: {
        method: optionsOf(METHOD_LABELS),
        outcome: inOrder(OUTCOME_LABELS),
        reason: REASON_FILTERS.flatMap(({ group, choices }) =>
          choices.map(({ value, label }) => ({ value, label, group })),
        ),
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
      count: (ctx, filters) => admin.count({ filters, scope: ctx.scope }),
      sql: (ctx, filters) => admin.sql({ filters, scope: ctx.scope }),
      toRow: toAdminRow,
      columns: (ctx) => adminColumns(ctx.names),
      rowView: adminRowView,
      options: {
        action: optionsOf(ACTION_LABELS),
        outcome: inOrder(ADMIN_OUTCOME_LABELS),
      },
    }),
  );
  return router;
}
