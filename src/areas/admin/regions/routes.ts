import { Router, type Request, type Response } from 'express';
import type { AdminDeps } from '../deps';
import { isGlobalAdmin, type Actor } from '../../../access/actor';
import { addRegion } from '../../../domain/establishments/commands/add-region';
import { renameRegion } from '../../../domain/establishments/commands/rename-region';
import { submitForm } from '../../../web/forms';
import { requestMeta } from '../../../web/request-meta';
import { takeFlash } from '../../../web/session/ops';
import { notFound } from '../../../shared/errors';
import { formatIsoDate } from '../../../shared/time';
import { visibleRegions } from '../scope';
import { idParam } from '../../../shared/validation';
import { regionRolloutRoutes } from './rollout-routes';

/**
 * /admin/regions: the regiones sanitarias with their establishments, users, users who never used
 * the e-ID and e-ID rollout date; adding and renaming (global admins). The rollout screens have
 * their own router, mounted here.
 */
export function regionAdminRoutes(deps: AdminDeps) {
  const router = Router();
  const add = addRegion(deps);
  const rename = renameRegion(deps);
  const { establishments, users } = deps.repos;
  // Before `/admin/regions/:id`, which would otherwise take "rollout" for an id.
  router.use(regionRolloutRoutes(deps));

  async function listLocals(res: Response) {
    const actor: Actor = res.locals.actor;
    const [regions, all, counts] = await Promise.all([
      establishments.regions.listAll(),
      establishments.listAll(),
      users.countsByRegion(),
    ]);
    const networkDate = deps.config.eid.requiredSince;
    return {
      title: 'Regiones sanitarias',
      section: 'regions',
      pageClass: 'page--wide',
      canManage: isGlobalAdmin(actor),
      networkDate: networkDate ? formatIsoDate(networkDate) : null,
      rows: visibleRegions(actor, regions, all).map((r) => {
        const inRegion = all.filter((e) => e.regionId === r.id);
        return {
          ...r,
          rollout: r.eidRequiredSince ? formatIsoDate(r.eidRequiredSince) : null,
          establishments: inRegion.length,
          activeEstablishments: inRegion.filter((e) => e.active).length,
          users: counts.get(r.id)?.users ?? 0,
          neverUsedEid: counts.get(r.id)?.neverUsedEid ?? 0,
        };
      }),
    };
  }

  router.get('/', deps.policy('regions.list'), async (req, res) => {
    res.render('admin/regions/list', {
      ...(await listLocals(res)),
      flash: takeFlash(req),
      values: {},
      errors: {},
    });
  });

  router.post('/', deps.policy(add), async (req, res) => {
    const done = await submitForm(res, 'admin/regions/list', await listLocals(res), req.body, () =>
      add(res.locals.actor, req.body, requestMeta(req)),
    );
    if (!done.ok) return;
    req.session.flash = { kind: 'info', text: `Se agregó la región ${done.value.name}.` };
    res.redirect(303, '/admin/regions');
  });

  async function regionOf(req: Request) {
    const id = idParam(req.params.id);
    const region = id ? await establishments.regions.findById(id) : null;
    if (!region) throw notFound();
    return region;
  }

  router.get('/:id', deps.policy(rename), async (req, res) => {
    const region = await regionOf(req);
    res.render('admin/regions/rename', {
      title: `Región ${region.name}`,
      section: 'regions',
      region,
      values: { name: region.name },
      errors: {},
    });
  });

  router.post('/:id', deps.policy(rename), async (req, res) => {
    const region = await regionOf(req);
    const locals = { title: `Región ${region.name}`, section: 'regions', region };
    const done = await submitForm(res, 'admin/regions/rename', locals, req.body, () =>
      rename(res.locals.actor, { ...req.body, id: region.id }, requestMeta(req)),
    );
    if (!done.ok) return;
    req.session.flash = {
      kind: 'info',
      text: `La región ${region.name} ahora se llama ${done.value.name}.`,
    };
    res.redirect(303, '/admin/regions');
  });

  return router;
}
