import { Router } from 'express';
import { gate } from '../../../access/policies';
import type { AdminDeps } from '../deps';
import { establishmentsInScope, groupByRegion, regionsInScope } from '../scope';
import { isFiltered, listHref, parseListFilters } from './list-filters';
import { pageNumberOf } from '../../../web/page-number';
import { loadUsersPage, usersPageDeps } from './users-page';

/**
 * GET /admin/users: the administrators' users list. A GET form of filters whose values stay in
 * the form and in the "Siguiente página" link; only establishments and regiones of the admin's
 * scope are offered, and the scope applies to every page whatever the URL asks for.
 */
const USERS_COUNT_CAP = 10_000;

export function userListRoutes(deps: AdminDeps) {
  const router = Router();
  const badge = { staleAfterMonths: deps.config.eid.staleAfterMonths };

  router.get('/', deps.policy('users.list'), async (req, res) => {
    const actor = res.locals.actor;
    const [regions, establishments] = await Promise.all([
      deps.repos.establishments.regions.listAll(),
      deps.repos.establishments.listAll(),
    ]);
    const parsed = parseListFilters(req.query as Record<string, unknown>);
    const view = {
      title: 'Usuarios',
      section: 'users',
      pageClass: 'page--wide',
      values: parsed.values,
      errors: parsed.ok ? {} : parsed.errors,
      regionOptions: regionsInScope(actor, regions),
      establishmentGroups: groupByRegion(establishmentsInScope(actor, establishments), regions),
      staleAfterMonths: badge.staleAfterMonths,
      filtered: isFiltered(parsed.values),
      canCreate: gate(actor, 'users.create'),
      clearHref: '/admin/users',
    };
    if (!parsed.ok)
      return res.status(400).render('admin/users', {
        ...view,
        rows: null,
        notices: [],
        nextHref: null,
        firstHref: null,
      });

    const regionName = new Map(regions.map((r) => [r.id, r.name]));
    const establishmentName = new Map(establishments.map((e) => [e.id, e.name]));
    const page = await loadUsersPage(usersPageDeps(deps), actor, parsed.filters, {
      region: (id) => regionName.get(id) ?? `#${id}`,
      establishment: (id) => establishmentName.get(id) ?? `#${id}`,
    });
    const pageNumber = parsed.filters.after && !page.restarted ? pageNumberOf(req.query.page) : 1;
    const sortHref = (sort: string) =>
      listHref({ ...parsed.values, sort: sort === 'name' ? '' : sort });
    res.render('admin/users', {
      ...view,
      rows: page.rows,
      notices: page.notices,
      nextHref: page.nextCursor ? listHref(parsed.values, page.nextCursor, pageNumber + 1) : null,
      firstHref: parsed.filters.after && !page.restarted ? listHref(parsed.values) : null,
      sort: parsed.filters.sort ?? 'name',
      sortHrefs: { name: sortHref('name'), lastLogin: sortHref('lastLogin'), eid: sortHref('eid') },
      counts: {
        total: Math.min(page.total, USERS_COUNT_CAP),
        more: page.total > USERS_COUNT_CAP,
        page: pageNumber,
        pages: page.total > USERS_COUNT_CAP ? null : Math.max(1, Math.ceil(page.total / 50)),
      },
    });
  });

  return router;
}
