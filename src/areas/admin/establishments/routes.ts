import { Router, type Request, type Response } from 'express';
import type { AdminDeps } from '../deps';
import { isGlobalAdmin, type Actor } from '../../../access/actor';
import { can } from '../../../access/policies';
import { filterEstablishments } from '../../../domain/establishments/search';
import { createEstablishment } from '../../../domain/establishments/commands/create-establishment';
import { updateEstablishment } from '../../../domain/establishments/commands/update-establishment';
import {
  activateEstablishment,
  deactivateEstablishment,
} from '../../../domain/establishments/commands/set-establishment-active';
import { submitForm } from '../../../web/forms';
import { requestMeta } from '../../../web/request-meta';
import { takeFlash } from '../../../web/session/ops';
import { notFound } from '../../../shared/errors';
import { ValidationError } from '../../../shared/validation';
import { destinationRegions, establishmentsInScope, visibleRegions } from '../scope';
import { idParam } from '../../../shared/validation';
import { countText } from '../../../shared/words';
import { establishmentImportRoutes } from './import-routes';

const PAGE_SIZE = 50;
/** Above this many assigned people, the deactivation page does not count their sessions. */
const SESSION_COUNT_LIMIT = 1000;

const text = (value: unknown) => (typeof value === 'string' ? value.trim().slice(0, 100) : '');

/**
 * /admin/establishments: the list (search by code or name, filters by región and state, within
 * the admin's scope), adding one (global admins), editing name and región, and deactivating or
 * reactivating. The CSV import has its own router, mounted here.
 */
export function establishmentAdminRoutes(deps: AdminDeps) {
  const router = Router();
  const commands = {
    create: createEstablishment(deps),
    update: updateEstablishment(deps),
    deactivate: deactivateEstablishment(deps),
    activate: activateEstablishment(deps),
  };
  const { establishments } = deps.repos;
  // Before the `:id` routes, which would otherwise take "import" for an id.
  router.use(establishmentImportRoutes(deps));

  router.get('/', deps.policy('establishments.list'), async (req, res) => {
    const actor: Actor = res.locals.actor;
    const [all, regions] = await Promise.all([
      establishments.listAll(),
      establishments.regions.listAll(),
    ]);
    const mine = establishmentsInScope(actor, all);
    const filters = {
      q: text(req.query.q),
      regionId: idParam(req.query.regionId) ?? undefined,
      state: ['active', 'inactive'].includes(text(req.query.state)) ? text(req.query.state) : '',
    };
    const found = filterEstablishments(mine, {
      q: filters.q,
      regionId: filters.regionId,
      active: filters.state === '' ? undefined : filters.state === 'active',
    });
    const pages = Math.max(1, Math.ceil(found.length / PAGE_SIZE));
    const page = Math.min(idParam(req.query.page) ?? 1, pages);
    const pageLink = (n: number) =>
      '/admin/establishments?' +
      new URLSearchParams({
        ...(filters.q && { q: filters.q }),
        ...(filters.regionId && { regionId: String(filters.regionId) }),
        ...(filters.state && { state: filters.state }),
        page: String(n),
      }).toString();
    res.render('admin/establishments/list', {
      title: 'Establecimientos',
      section: 'establishments',
      pageClass: 'page--wide',
      flash: takeFlash(req),
      filters,
      regions: visibleRegions(actor, regions, mine),
      regionName: new Map(regions.map((r) => [r.id, r.name])),
      rows: found.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
      total: found.length,
      page,
      pages,
      previous: page > 1 ? pageLink(page - 1) : null,
      next: page < pages ? pageLink(page + 1) : null,
      canCreate: isGlobalAdmin(actor),
    });
  });

  const renderNew = async (res: Response, extra: Record<string, unknown> = {}) =>
    res.render('admin/establishments/form', {
      title: 'Nuevo establecimiento',
      section: 'establishments',
      establishment: null,
      regions: await establishments.regions.listAll(),
      values: {},
      errors: {},
      ...extra,
    });

  router.get('/new', deps.policy(commands.create), (_req, res) => renderNew(res));

  router.post('/new', deps.policy(commands.create), async (req, res) => {
    const locals = {
      title: 'Nuevo establecimiento',
      section: 'establishments',
      establishment: null,
      regions: await establishments.regions.listAll(),
    };
    const done = await submitForm(res, 'admin/establishments/form', locals, req.body, () =>
      commands.create(res.locals.actor, req.body, requestMeta(req)),
    );
    if (!done.ok) return;
    req.session.flash = {
      kind: 'info',
      text: `Se agregó el establecimiento ${done.value.code} – ${done.value.name}.`,
    };
    res.redirect(303, `/admin/establishments/${done.value.id}`);
  });

  /** The edit page's data; 404 for an unknown id. */
  async function editLocals(req: Request, res: Response) {
    const id = idParam(req.params.id);
    const current = id ? await establishments.findById(id) : null;
    if (!current) throw notFound();
    const actor: Actor = res.locals.actor;
    const [regions, assigned] = await Promise.all([
      establishments.regions.listAll(),
      deps.repos.users.idsAssignedTo([current.id]),
    ]);
    return {
      title: `Establecimiento ${current.code}`,
      section: 'establishments',
      establishment: current,
      regions: destinationRegions(actor, regions, current.regionId),
      regionName: regions.find((r) => r.id === current.regionId)?.name ?? '',
      assignedUsers: new Set(assigned).size,
    };
  }

  const reaches = (res: Response, place: { id: number; regionId: number }) =>
    can(res.locals.actor, 'establishments.update', { place });

  router.get('/:id', deps.policy(commands.update), async (req, res) => {
    const locals = await editLocals(req, res);
    if (!reaches(res, locals.establishment)) throw notFound(); // outside the scope: like an unknown id
    res.render('admin/establishments/form', {
      ...locals,
      flash: takeFlash(req),
      values: { name: locals.establishment.name, regionId: locals.establishment.regionId },
      errors: {},
    });
  });

  router.post('/:id', deps.policy(commands.update), async (req, res) => {
    const locals = await editLocals(req, res);
    const input = { ...req.body, id: locals.establishment.id };
    if (!reaches(res, locals.establishment)) {
      // Out of the admin's scope: the command records the refusal. A malformed form must not
      // re-render someone else's establishment either.
      await commands.update(res.locals.actor, input, requestMeta(req)).catch((err: unknown) => {
        throw err instanceof ValidationError ? notFound() : err;
      });
    }
    const done = await submitForm(res, 'admin/establishments/form', locals, req.body, () =>
      commands.update(res.locals.actor, input, requestMeta(req)),
    );
    if (!done.ok) return;
    req.session.flash = { kind: 'info', text: 'Se guardaron los cambios.' };
    res.redirect(303, `/admin/establishments/${locals.establishment.id}`);
  });

  /**
   * GET /admin/establishments/:id/confirm/deactivate: what deactivating it will do (who is
   * assigned, who works only there, the sessions that will close), before the form posts it.
   */
  router.get('/:id/confirm/deactivate', deps.policy(commands.deactivate), async (req, res) => {
    const locals = await editLocals(req, res);
    const place = locals.establishment;
    if (!reaches(res, place)) throw notFound();
    const userIds = [...new Set(await deps.repos.users.idsAssignedTo([place.id]))];
    const onlyHere = await deps.repos.users.countOnlyAt(place.id);
    // Counting sessions reads each assigned person's session list: bounded.
    let open: number | null = null;
    if (userIds.length <= SESSION_COUNT_LIMIT) {
      open = 0;
      for (const userId of userIds) open += await deps.sessions.countIn(userId, place.id);
    }
    const consequences = [
      `Dejará de ofrecerse al iniciar sesión y al cambiar de establecimiento. ${userIds.length === 0 ? 'No tiene personas asignadas.' : `${countText(userIds.length, 'persona lo tiene asignado', 'personas lo tienen asignado')}; las asignaciones se conservan y vuelven a valer si lo reactiva.`}`,
      ...(onlyHere
        ? [
            `${countText(onlyHere, 'persona trabaja', 'personas trabajan')} solo allí: no ${onlyHere === 1 ? 'podrá' : 'podrán'} iniciar sesión hasta que se le${onlyHere === 1 ? '' : 's'} asigne otro establecimiento.`,
          ]
        : []),
      open === null
        ? 'Se cerrarán las sesiones abiertas en él; cada persona verá por qué al volver.'
        : open === 0
          ? 'No hay sesiones abiertas en él en este momento.'
          : `Se ${open === 1 ? 'cerrará' : 'cerrarán'} ${countText(open, 'sesión abierta', 'sesiones abiertas')} en él; cada persona verá por qué al volver.`,
    ];
    res.render('admin/confirm', {
      title: `Desactivar ${place.name}`,
      confirmTitle: 'Desactivar el establecimiento',
      section: 'establishments',
      subject: `${place.name} (${place.code}), Región ${locals.regionName}`,
      consequences,
      notes: [],
      action: place.active ? `/admin/establishments/${place.id}/deactivate` : null,
      fields: {},
      button: 'Desactivar el establecimiento',
      back: `/admin/establishments/${place.id}`,
    });
  });

  for (const [path, command, message] of [
    [
      'deactivate',
      commands.deactivate,
      'Se desactivó el establecimiento: ya no se ofrece al iniciar sesión y las sesiones abiertas en él se cerraron.',
    ],
    [
      'activate',
      commands.activate,
      'Se reactivó el establecimiento: vuelve a ofrecerse al iniciar sesión.',
    ],
  ] as const) {
    router.post(`/:id/${path}`, deps.policy(command), async (req, res) => {
      const id = idParam(req.params.id);
      if (!id) throw notFound();
      await command(res.locals.actor, { id }, requestMeta(req));
      req.session.flash = { kind: 'info', text: message };
      res.redirect(303, `/admin/establishments/${id}`);
    });
  }

  return router;
}
