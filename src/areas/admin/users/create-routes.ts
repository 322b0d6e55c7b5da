import { addMonthsInZone, endOfDayInZone, isoDateInZone } from '../../../shared/time';
import { MAX_VALIDITY_MONTHS } from '../../../domain/users/validity';
import { Router } from 'express';
import type { Actor } from '../../../access/actor';
import { describeScope } from '../../../access/scope';
import { submitForm } from '../../../web/forms';
import { requestMeta } from '../../../web/request-meta';
import { formatCedula } from '../../../shared/cedula';
import { ROLE_LABELS } from '../../../shared/roles';
import type { AdminDeps } from '../deps';
import { establishmentsInScope, grantableScopes, groupByRegion } from '../scope';
import { createUserCommand } from '../../../domain/users/commands/create-user';

const FIELDS = [
  'fullName',
  'documentNumber',
  'username',
  'email',
  'role',
  'roleScope',
  'validUntil',
] as const;

/** What the form shows again after a refusal: the typed values, never anything else. */
function typedValues(body: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const name of FIELDS) if (typeof body[name] === 'string') values[name] = body[name];
  const ids = body.establishmentIds;
  values.establishmentIds = (Array.isArray(ids) ? ids : ids === undefined ? [] : [ids]).map(String);
  values.accountKind = body.accountKind;
  return values;
}

/**
 * GET/POST /admin/users/new: an administrator creates an account inside their scope. Success is
 * answered by the POST itself (no redirect): the one-time password appears on that one page and
 * in no URL, session or log; the page, like every page here, is sent with `no-store`.
 */
export function userCreateRoutes(deps: AdminDeps) {
  const router = Router();
  const create = createUserCommand({ repos: deps.repos, clock: deps.clock });

  /** The options the actor may choose from: only establishments and role scopes they cover. */
  async function formLocals(actor: Actor) {
    const [regions, establishments] = await Promise.all([
      deps.repos.establishments.regions.listAll(),
      deps.repos.establishments.listAll(),
    ]);
    const active = establishmentsInScope(
      actor,
      establishments.filter((e) => e.active),
    );
    const regionName = new Map(regions.map((r) => [r.id, r.name]));
    const placeName = new Map(establishments.map((e) => [e.id, e.name]));
    return {
      locals: {
        title: 'Crear usuario',
        section: 'users',
        establishmentGroups: groupByRegion(active, regions),
        scopeOptions: grantableScopes(actor, regions, active),
        validityDates: {
          min: isoDateInZone(endOfDayInZone(isoDateInZone(deps.clock.now()))),
          max: isoDateInZone(addMonthsInZone(deps.clock.now(), MAX_VALIDITY_MONTHS)),
        },
      },
      names: {
        region: (id: number) => regionName.get(id) ?? `#${id}`,
        establishment: (id: number) => placeName.get(id) ?? `#${id}`,
      },
    };
  }

  router.get('/new', deps.policy(create), async (_req, res) => {
    const { locals } = await formLocals(res.locals.actor);
    res.render('admin/user-new', {
      ...locals,
      values: { role: 'staff', accountKind: 'password', establishmentIds: [] },
      errors: {},
    });
  });

  router.post('/new', deps.policy(create), async (req, res) => {
    const actor = res.locals.actor;
    const { locals, names } = await formLocals(actor);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const outcome = await submitForm(res, 'admin/user-new', locals, typedValues(body), () =>
      create(actor, body, requestMeta(req)),
    );
    if (!outcome.ok) return;
    const { user, oneTimePassword, establishments, grant } = outcome.value;
    res.set('Cache-Control', 'no-store');
    res.render('admin/user-created', {
      title: 'Usuario creado',
      section: 'users',
      created: {
        id: user.id,
        fullName: user.fullName,
        username: user.username,
        cedula: formatCedula(user.documentNumber),
        establishments: establishments.map((e) => e.name),
        role:
          grant.role === 'staff'
            ? ROLE_LABELS.staff
            : `${ROLE_LABELS[grant.role]} (${describeScope(grant.scope, names)})`,
      },
      oneTimePassword,
    });
  });

  return router;
}
