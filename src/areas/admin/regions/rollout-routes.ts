import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AdminDeps } from '../deps';
import { setRollout } from '../../../domain/establishments/commands/set-rollout';
import type { RegionRecord } from '../../../storage/establishments';
import { rolloutDate } from '../../../domain/establishments/commands/schema';
import { requestMeta } from '../../../web/request-meta';
import { notFound } from '../../../shared/errors';
import { formatIsoDate, startOfDayInZone } from '../../../shared/time';
import { ValidationError, validate } from '../../../shared/validation';
import { idParam } from '../../../shared/validation';

const dateForm = z.object({ eidRequiredSince: rolloutDate });

/**
 * The date from which the e-ID is mandatory for users who never used it, per región
 * (/admin/regions/:id/rollout) or for every región at once (/admin/regions/rollout). Two steps:
 * the date is checked and the screen says how many users it concerns, then it is saved.
 */
export function regionRolloutRoutes(deps: AdminDeps) {
  const router = Router();
  const save = setRollout(deps);
  const policy = deps.policy(save);
  const { regions } = deps.repos.establishments;
  const networkDate = deps.config.eid.requiredSince;

  /** The región of the path, or null for "toda la red" (404 for an unknown id). */
  async function targetOf(req: Request): Promise<RegionRecord | null> {
    if (req.params.id === undefined) return null;
    const id = idParam(req.params.id);
    const region = id ? await regions.findById(id) : null;
    if (!region) throw notFound();
    return region;
  }

  const base = (region: RegionRecord | null) =>
    region ? `/admin/regions/${region.id}/rollout` : '/admin/regions/rollout';

  async function locals(region: RegionRecord | null) {
    return {
      title: region
        ? `Identidad Electrónica en la Región ${region.name}`
        : 'Identidad Electrónica en toda la red',
      section: 'regions',
      region,
      action: base(region),
      current: region?.eidRequiredSince ? formatIsoDate(region.eidRequiredSince) : null,
      networkDate: networkDate ? formatIsoDate(networkDate) : null,
      neverUsedEid: await deps.repos.users.countNeverUsedEid(region?.id ?? null),
    };
  }

  const show = async (req: Request, res: Response) => {
    const region = await targetOf(req);
    res.render('admin/regions/rollout', {
      ...(await locals(region)),
      values: { eidRequiredSince: region?.eidRequiredSince ?? '' },
      errors: {},
    });
  };

  const preview = async (req: Request, res: Response) => {
    const region = await targetOf(req);
    const view = await locals(region);
    let date: string | null;
    try {
      date = validate(dateForm, req.body).eidRequiredSince;
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return res
        .status(400)
        .render('admin/regions/rollout', { ...view, values: req.body, errors: err.fields });
    }
    res.render('admin/regions/rollout-confirm', {
      ...view,
      date,
      dateText: date ? formatIsoDate(date) : null,
      alreadyInForce: date !== null && startOfDayInZone(date) <= deps.clock.now(),
    });
  };

  const apply = async (req: Request, res: Response) => {
    const region = await targetOf(req);
    const input = { ...req.body, regionId: region?.id };
    let saved;
    try {
      saved = await save(res.locals.actor, input, requestMeta(req));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return res.status(400).render('admin/regions/rollout', {
        ...(await locals(region)),
        values: req.body,
        errors: err.fields,
      });
    }
    const date = saved.eidRequiredSince ? formatIsoDate(saved.eidRequiredSince) : null;
    const where = region ? `la Región ${region.name}` : 'todas las regiones';
    req.session.flash = {
      kind: 'info',
      text: date
        ? `Se guardó: en ${where} la Identidad Electrónica es obligatoria desde el ${date} para quienes nunca la usaron.`
        : `Se guardó: ${where} ${region ? 'usa' : 'usan'} el valor de la red.`,
    };
    res.redirect(303, '/admin/regions');
  };

  router.get('/rollout', policy, show);
  router.post('/rollout/preview', policy, preview);
  router.post('/rollout', policy, apply);
  router.get('/:id/rollout', policy, show);
  router.post('/:id/rollout/preview', policy, preview);
  router.post('/:id/rollout', policy, apply);
  return router;
}
