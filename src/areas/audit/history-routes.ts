import { Router, type Request, type Response } from 'express';
import type { Actor } from '../../access/actor';
import type { Policy } from '../../web/policy';
import { requestMeta } from '../../web/request-meta';
import type { Repositories } from '../../storage/repositories';
import type { BadgePolicy } from '../../domain/badges/eid-badge';
import type { Clock } from '../../shared/clock';
import { AppError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import { fileDate, streamCsv, type CsvColumn } from '../../web/csv-export';
import type { ExportPool } from '../../storage/cursor';
import { exportRegionIds, loadHistoryContext, type HistoryContext } from './history-context';
import { historyHref, type CommonFilters, type Parsed } from './history-filters';
import { pageNumberOf } from '../../web/page-number';
import { COUNT_CAP, PAGE_SIZE } from '../../storage/queries/history-types';
import type { ViewContext } from './history-view';
import type { HistoryPage } from '../../storage/queries/login-history';

/** One of the two histories: its URLs, filters, query, rows and export. */
export interface HistorySpec<F extends CommonFilters, Row> {
  /** `/audit/logins`; the export is at the same path + `.csv`. */
  path: string;
  table: 'login_events' | 'admin_events';
  view: string;
  title: string;
  /** `historial-ingresos` → historial-ingresos-20261120.csv */
  fileName: string;
  /** The filters' GET parameter names. */
  names: readonly string[];
  parse(query: Record<string, unknown>): Parsed<F>;
  page(ctx: HistoryContext, filters: F, cursor?: string): Promise<HistoryPage<Row>>;
  /** Matches, counted up to COUNT_CAP (+1 means "more"). */
  count(ctx: HistoryContext, filters: F): Promise<number>;
  sql(ctx: HistoryContext, filters: F): Promise<{ text: string; values: unknown[] }>;
  toRow(raw: never): Row;
  /** The export's columns (the admin history's name the places its details mention). */
  columns(ctx: HistoryContext): CsvColumn<Row>[];
  rowView(row: Row, ctx: ViewContext): unknown;
  /** Options of the screen's own `<select>`s, by field name. */
  options: Record<string, { value: string; label: string; group?: string }[]>;
}

export interface HistoryRouteDeps {
  repos: Repositories;
  clock: Clock;
  logger: Logger;
  policy: Policy;
  badge: BadgePolicy;
  exportPool: ExportPool;
  /** Where the router is mounted (`/audit`): spec paths are full paths, for links. */
  mountedAt: string;
}

/**
 * GET `path` (a page of the history: filters as a GET form whose values stay in the form, the
 * "Siguiente página" link and the CSV link) and GET `path.csv` (every row of the same filters).
 * Bad filters re-render the page with the message beside the field, for both.
 */
export function historyRoutes<F extends CommonFilters, Row>(
  deps: HistoryRouteDeps,
  spec: HistorySpec<F, Row>,
) {
  const router = Router();
  const route = spec.path.slice(deps.mountedAt.length);

  const base = (ctx: HistoryContext, values: Record<string, string>) => ({
    title: spec.title,
    section: spec.table,
    pageClass: 'page--wide',
    values,
    options: spec.options,
    establishmentGroups: ctx.establishmentGroups,
    regionOptions: ctx.regionOptions,
    filtered: spec.names.some((n) => Boolean(values[n])),
    clearHref: spec.path,
    path: spec.path,
  });

  const refuseFilters = (
    res: Response,
    ctx: HistoryContext,
    parsed: Extract<Parsed<F>, { ok: false }>,
  ) =>
    res.status(400).render(spec.view, {
      ...base(ctx, parsed.values),
      errors: parsed.errors,
      rows: null,
      notices: [],
      nextHref: null,
      firstHref: null,
      csvHref: null,
      counts: null,
    });

  router.get(route, deps.policy('audit.read'), async (req, res) => {
    const actor = res.locals.actor;
    const ctx = await loadHistoryContext(deps.repos, actor);
    const parsed = spec.parse(req.query as Record<string, unknown>);
    if (!parsed.ok) return refuseFilters(res, ctx, parsed);
    const notices: string[] = [];
    let restarted = false;
    const [page, total] = await Promise.all([
      spec.page(ctx, parsed.filters, parsed.after).catch((err) => {
        if (!(err instanceof AppError && err.code === 'invalid_cursor')) throw err;
        restarted = true;
        notices.push('El enlace de la página no era válido: se muestra la primera página.');
        return spec.page(ctx, parsed.filters);
      }),
      spec.count(ctx, parsed.filters),
    ]);
    const pageNumber = parsed.after && !restarted ? pageNumberOf(req.query.page) : 1;
    const view: ViewContext = {
      actor,
      now: deps.clock.now(),
      badge: deps.badge,
      path: spec.path,
      places: ctx.placeById,
      names: ctx.names,
    };
    res.render(spec.view, {
      ...base(ctx, parsed.values),
      errors: {},
      rows: page.rows.map((row) => spec.rowView(row, view)),
      notices,
      nextHref: page.nextCursor
        ? historyHref(spec.path, spec.names, parsed.values, page.nextCursor, pageNumber + 1)
        : null,
      counts: {
        total: Math.min(total, COUNT_CAP),
        more: total > COUNT_CAP,
        page: pageNumber,
        pages: total > COUNT_CAP ? null : Math.max(1, Math.ceil(total / PAGE_SIZE)),
      },
      firstHref:
        parsed.after && !restarted ? historyHref(spec.path, spec.names, parsed.values) : null,
      csvHref: historyHref(`${spec.path}.csv`, spec.names, parsed.values),
    });
  });

  router.get(`${route}.csv`, deps.policy('audit.read'), async (req, res) => {
    const actor = res.locals.actor;
    const ctx = await loadHistoryContext(deps.repos, actor);
    const parsed = spec.parse(req.query as Record<string, unknown>);
    if (!parsed.ok) return refuseFilters(res, ctx, parsed);
    const startedAt = deps.clock.now();
    await streamCsv({
      pool: deps.exportPool,
      sql: await spec.sql(ctx, parsed.filters),
      toRow: spec.toRow,
      columns: spec.columns(ctx),
      out: res,
      begin: () =>
        res.set({
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="${spec.fileName}-${fileDate(startedAt)}.csv"`,
        }),
      end: (result) =>
        recordExport(deps, req, actor, {
          at: startedAt,
          table: spec.table,
          filters: parsed.values,
          ...result,
          regionIds: exportRegionIds(ctx, parsed.filters),
        }),
    });
  });

  return router;
}

/**
 * The export's own admin_events row (action `audit.export`): who, which table, which filters
 * (as typed), how many rows were handed to the connection, and whether it finished. Written when
 * the stream has ended, also when the browser went away midway; a failure to write it is logged
 * (the download has already happened, there is nobody left to tell).
 */
async function recordExport(
  deps: HistoryRouteDeps,
  req: Request,
  actor: Actor,
  e: {
    at: Date;
    table: string;
    filters: Record<string, string>;
    rows: number;
    complete: boolean;
    regionIds: number[];
  },
): Promise<void> {
  const meta = requestMeta(req);
  try {
    await deps.repos.transaction((tx) =>
      deps.repos.adminEvents.append(
        {
          occurredAt: e.at,
          actorUserId: actor.userId,
          actorUsername: actor.username,
          action: 'audit.export',
          outcome: 'success',
          targetType: 'audit',
          targetId: e.table,
          targetUserId: null,
          details: { table: e.table, filters: e.filters, rows: e.rows, complete: e.complete },
          establishmentId: actor.establishmentId,
          regionIds: e.regionIds,
          ip: meta.ip,
          userAgent: meta.userAgent,
        },
        tx,
      ),
    );
  } catch (err) {
    deps.logger.error({ err, table: e.table, rows: e.rows }, 'audit export not recorded');
  }
}
