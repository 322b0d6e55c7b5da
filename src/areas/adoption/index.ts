import { Router, type Request, type Response } from 'express';
import type { Policy } from '../../web/policy';
import { requestMeta } from '../../web/request-meta';
import type { Repositories } from '../../storage/repositories';
import type { Config } from '../../config';
import type { Clock } from '../../shared/clock';
import type { BadgePolicy } from '../../domain/badges/eid-badge';
import { formatDateTime } from '../../shared/time';
import { auditScopeOf, type AuditScope } from '../../domain/audit/audit-scope';
import type { AdoptionQuery } from '../../storage/queries/adoption';
import { loadAdoption, type AdoptionDashboard } from './dashboard';
import { stackChart, trendChart, formatCount, formatPercent } from './chart';
import { adoptionStateRows, adoptionTrendRows } from './csv';
import { stringify } from 'csv-stringify/sync';
import { CSV_OPTIONS, csvCell, fileDate } from '../../web/csv-export';

export interface AdoptionAreaDeps {
  config: Config;
  policy: Policy;
  clock: Clock;
  /** On the read replica when DATABASE_READ_URL is set (docs: the lag it implies). */
  queries: { adoption: AdoptionQuery };
  repos: Repositories;
}

/** Establishments listed without a región chosen: the furthest behind; the CSV has them all. */
const FIRST_ESTABLISHMENTS = 50;

/**
 * Mounted at /audit: GET /audit/eid-adoption (the dashboard) and GET /audit/eid-adoption.csv (its tables): e-ID
 * adoption by región and establishment, and its 12-month trend, within the auditor's scope.
 */
export function adoptionArea(deps: AdoptionAreaDeps) {
  const router = Router();
  const badge: BadgePolicy = { staleAfterMonths: deps.config.eid.staleAfterMonths };
  const read = deps.policy('audit.read');

  const figures = async (res: Response): Promise<{ d: AdoptionDashboard; scope: AuditScope }> => {
    const scope = auditScopeOf(res.locals.actor, await deps.repos.establishments.listAll());
    return { d: await loadAdoption(deps.queries.adoption, scope, deps.clock.now(), badge), scope };
  };

  router.get('/eid-adoption', read, async (req: Request, res: Response) => {
    const { d, scope } = await figures(res);
    const raw = typeof req.query.region === 'string' ? req.query.region : '';
    const region = raw ? d.regions.find((r) => String(r.unit.id) === raw) : undefined;
    const regionError = raw && !region ? 'Elija una región sanitaria de la lista.' : null;
    const establishments = region
      ? d.establishments.filter((e) => e.unit.regionId === region.unit.id)
      : d.establishments.slice(0, FIRST_ESTABLISHMENTS);
    res.status(regionError ? 400 : 200).render('audit/eid-adoption', {
      title: 'Adopción de la Identidad Electrónica',
      pageClass: 'page--wide',
      section: 'eid_adoption',
      d,
      limited: scope.kind === 'limited',
      asOf: formatDateTime(d.at),
      staleAfterMonths: badge.staleAfterMonths,
      trendChart: trendChart(d.trend),
      regionChart: stackChart(d.regions),
      establishments,
      establishmentsTotal: region ? establishments.length : d.establishments.length,
      region: region ?? null,
      regionValue: raw,
      regionError,
      formatCount,
      formatPercent,
    });
  });

  router.get('/eid-adoption.csv', read, async (req: Request, res: Response) => {
    const { d, scope } = await figures(res);
    const trend = req.query.vista === 'tendencia';
    const rows = trend
      ? adoptionTrendRows(d, badge.staleAfterMonths)
      : adoptionStateRows(d, badge.staleAfterMonths);
    const actor = res.locals.actor;
    // Exports are audited like every other audit export: who, what, how many rows.
    await deps.repos.transaction((tx) =>
      deps.repos.adminEvents.append(
        {
          occurredAt: deps.clock.now(),
          actorUserId: actor.userId,
          actorUsername: actor.username,
          action: 'audit.export',
          outcome: 'success',
          targetType: 'eid_adoption',
          targetId: trend ? 'tendencia' : 'estados',
          targetUserId: null,
          details: { view: trend ? 'tendencia' : 'estados', rows: rows.length - 1 },
          establishmentId: actor.establishmentId,
          regionIds: scope.kind === 'limited' ? scope.regionIds : [],
          ...requestMeta(req),
        },
        tx,
      ),
    );
    // A few hundred rows of aggregates: built in memory, with the same options (BOM, ";", CRLF,
    // formulas neutralised) as the streamed history exports.
    const name = `adopcion-identidad-electronica-${trend ? 'tendencia-' : ''}${fileDate(d.at)}.csv`;
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.attachment(name).send(
      stringify(
        rows.map((r) => r.map(csvCell)),
        CSV_OPTIONS,
      ),
    );
  });

  return router;
}
