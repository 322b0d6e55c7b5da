import { Router, type Request, type Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { AdminDeps } from '../deps';
import type { Actor } from '../../../access/actor';
import { isGlobalAdmin, scopesOf } from '../../../access/actor';
import { can } from '../../../access/policies';
import { openReview } from '../../../domain/reviews/commands/open';
import { confirmReview } from '../../../domain/reviews/commands/confirm';
import { closeReview } from '../../../domain/reviews/commands/close';
import { parseScopeValue } from '../../../domain/users/scope-value';
import type { AccessReview } from '../../../storage/access-reviews';
import { formatCedula } from '../../../shared/cedula';
import { formatDateTime, formatIsoDate, isoDateInZone } from '../../../shared/time';
import { ROLE_LABELS } from '../../../shared/roles';
import { DECISION_LABELS, parseRoleCode } from '../../../domain/reviews/labels';
import { idParam } from '../../../shared/validation';
import { CSV_OPTIONS, csvCell, csvDateTime, fileDate } from '../../../web/csv-export';
import { submitForm } from '../../../web/forms';
import { requestMeta } from '../../../web/request-meta';
import { takeFlash } from '../../../web/session/ops';
import { AppError, notFound } from '../../../shared/errors';
import { searchScopeOf, visibleRegions } from '../scope';
import { loadUsersPage, usersPageDeps, type PlaceNames } from '../users/users-page';

/** The people a review page lists: still to decide (the default), decided, or everyone. */
const STATES = ['pendientes', 'revisados', 'todos'] as const;

const listQuery = z.object({
  estado: z.preprocess((v) => (v === '' ? undefined : v), z.enum(STATES).default('pendientes')),
  q: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().trim().max(100, 'La búsqueda admite hasta 100 caracteres.').optional(),
  ),
  after: z.preprocess((v) => (typeof v === 'string' && v ? v : undefined), z.string().optional()),
});

const reviewHref = (id: number, values: { estado?: string; q?: string }, after?: string) => {
  const params = new URLSearchParams();
  if (values.estado && values.estado !== 'pendientes') params.set('estado', values.estado);
  if (values.q) params.set('q', values.q);
  if (after) params.set('after', after);
  const query = params.toString();
  return `/admin/reviews/${id}${query ? `?${query}` : ''}`;
};

/** Where a confirmation returns: the same list, only ever a review page of ours. */
const backTo = (id: number, value: unknown): string =>
  typeof value === 'string' && value.startsWith(`/admin/reviews/${id}?`) && value.length < 2000
    ? value
    : `/admin/reviews/${id}`;

/** "Administrador (Región Central)" from a decision's `admin@region:3`. */
function roleText(code: string, names: PlaceNames): string {
  const { role, scope } = parseRoleCode(code);
  const label = ROLE_LABELS[role] ?? role;
  const parsed = parseScopeValue(scope);
  if (parsed.kind === 'global') return role === 'staff' ? label : `${label} (toda la red)`;
  return parsed.kind === 'region'
    ? `${label} (Región ${names.region(parsed.id)})`
    : `${label} (${names.establishment(parsed.id)})`;
}

/**
 * /admin/reviews: periodic access reviews. A network-wide admin opens one ("Revisión de accesos
 * 2027-1") with a last day; every administrator then finds, under it, the people of their scope
 * with roles, establishments, last login and badge, and confirms each — or follows "Cambiar" to
 * the person's page, changes or removes access there with the usual commands, and confirms
 * afterwards. Progress per región at the top; after the last day a network-wide admin closes it
 * (or the system does, the day after): the unreviewed are listed and, if the review says so,
 * lose their roles other than staff. The result is a CSV; every decision is an admin_events row.
 */
export function reviewAdminRoutes(deps: AdminDeps) {
  const router = Router();
  const open = openReview(deps);
  const confirm = confirmReview(deps);
  const close = closeReview(deps);

  const places = async () => {
    const [regions, establishments] = await Promise.all([
      deps.repos.establishments.regions.listAll(),
      deps.repos.establishments.listAll(),
    ]);
    const regionName = new Map(regions.map((r) => [r.id, r.name]));
    const establishmentName = new Map(establishments.map((e) => [e.id, e.name]));
    const names: PlaceNames = {
      region: (id) => regionName.get(id) ?? `#${id}`,
      establishment: (id) => establishmentName.get(id) ?? `#${id}`,
    };
    return { regions, establishments, names };
  };

  const reviewView = (review: AccessReview, now: Date) => {
    const today = isoDateInZone(now);
    return {
      ...review,
      lastDayText: formatIsoDate(review.lastDay),
      openedText: formatDateTime(review.openedAt),
      closedText: review.closedAt ? formatDateTime(review.closedAt) : null,
      overdue: !review.closedAt && today > review.lastDay,
    };
  };

  const listPage = async (res: Response) => {
    const now = deps.clock.now();
    const reviews = await deps.repos.accessReviews.list();
    return {
      title: 'Revisión de accesos',
      section: 'reviews',
      reviews: reviews.map((r) => reviewView(r, now)),
      canOpen:
        can(res.locals.actor, 'reviews.open', undefined) && !reviews.some((r) => !r.closedAt),
    };
  };

  router.get('/', deps.policy('reviews.read'), async (req, res) => {
    const year = isoDateInZone(deps.clock.now()).slice(0, 4);
    res.render('admin/reviews/index', {
      ...(await listPage(res)),
      flash: takeFlash(req),
      values: { title: `Revisión de accesos ${year}`, lastDay: '', suspendUnreviewed: false },
      errors: {},
    });
  });

  router.post('/', deps.policy(open), async (req, res) => {
    const values = {
      title: req.body?.title,
      lastDay: req.body?.lastDay,
      suspendUnreviewed: req.body?.suspendUnreviewed === 'on',
    };
    const done = await submitForm(
      res,
      'admin/reviews/index',
      () => listPage(res),
      values,
      () => open(res.locals.actor, req.body, requestMeta(req)),
    );
    if (!done.ok) return;
    req.session.flash = {
      kind: 'info',
      text: 'Se abrió la revisión. Cada administrador ve aquí a las personas de su alcance para confirmarlas.',
    };
    res.redirect(303, `/admin/reviews/${done.value.id}`);
  });

  const loadReview = async (req: Request) => {
    const id = idParam(req.params.id);
    const review = id === null ? null : await deps.repos.accessReviews.byId(id);
    if (!review) throw notFound();
    return review;
  };

  /** The regiones whose progress the actor sees: all for a network-wide admin, else theirs. */
  const progressFor = async (
    actor: Actor,
    review: AccessReview,
    { regions, establishments }: Awaited<ReturnType<typeof places>>,
  ) => {
    const rows = await deps.repos.accessReviews.progress(review);
    const global = isGlobalAdmin(actor);
    const visible = new Set(visibleRegions(actor, regions, establishments).map((r) => r.id));
    return rows
      .filter((r) => (r.regionId === null ? global : global || visible.has(r.regionId)))
      .map((r) => ({
        ...r,
        name: r.regionName ?? 'Sin establecimiento (cuentas de toda la red)',
        percent: r.total ? Math.floor((100 * r.decided) / r.total) : 100,
      }));
  };

  router.get('/:id', deps.policy('reviews.read'), async (req, res) => {
    const actor = res.locals.actor;
    const review = await loadReview(req);
    const now = deps.clock.now();
    const parsed = listQuery.safeParse(req.query);
    const query = parsed.success ? parsed.data : { estado: 'pendientes' as const };
    const values = { estado: query.estado, q: 'q' in query ? (query.q ?? '') : '' };
    const network = await places();
    const { names } = network;
    const narrow =
      query.estado === 'todos'
        ? {}
        : { review: { id: review.id, decided: query.estado === 'revisados' } };
    const after = 'after' in query ? query.after : undefined;
    const [progress, page] = await Promise.all([
      progressFor(actor, review, network),
      loadUsersPage(
        usersPageDeps(deps),
        actor,
        { q: values.q || undefined, status: 'active', after },
        names,
        narrow,
      ),
    ]);
    const decisions = await deps.repos.accessReviews.decisionsOf(
      review.id,
      page.rows.map((r) => r.id),
    );
    const back = reviewHref(review.id, values, after);
    const totals = progress.reduce(
      (t, r) => ({ total: t.total + r.total, decided: t.decided + r.decided }),
      { total: 0, decided: 0 },
    );
    res.render('admin/reviews/show', {
      title: review.title,
      section: 'reviews',
      pageClass: 'page--wide',
      flash: takeFlash(req),
      review: reviewView(review, now),
      progress,
      totals,
      values,
      errors: parsed.success ? {} : { q: parsed.error.issues[0]?.message ?? 'Revise la búsqueda.' },
      notices: page.notices,
      back: back.includes('?') ? back : `${back}?`,
      rows: page.rows.map((row) => {
        const decision = decisions.get(row.id);
        return {
          ...row,
          decision: decision
            ? {
                label: DECISION_LABELS[decision.decision],
                kind: decision.decision,
                by: decision.decidedByUsername,
                at: formatDateTime(decision.decidedAt),
              }
            : null,
          canConfirm: !review.closedAt && can(actor, 'reviews.confirm', row.target),
          self: row.id === actor.userId,
        };
      }),
      nextHref: page.nextCursor ? reviewHref(review.id, values, page.nextCursor) : null,
      firstHref: after ? reviewHref(review.id, values) : null,
      canClose: review.closedAt === null && can(actor, 'reviews.close', undefined),
      csvHref: `/admin/reviews/${review.id}/resultado.csv`,
    });
  });

  router.post('/:id/users/:userId/confirm', deps.policy(confirm), async (req, res) => {
    const review = await loadReview(req);
    const userId = idParam(req.params.userId);
    if (userId === null) throw notFound();
    const back = backTo(review.id, req.body?.back);
    try {
      const done = await confirm(
        res.locals.actor,
        { reviewId: review.id, userId },
        requestMeta(req),
      );
      req.session.flash = {
        kind: 'info',
        text:
          done.decision === 'changed'
            ? 'Se confirmaron los accesos, con los cambios hechos durante la revisión.'
            : 'Se confirmaron los accesos.',
      };
    } catch (err) {
      if (!(err instanceof AppError && err.status === 409)) throw err;
      req.session.flash = { kind: 'error', text: err.publicMessage };
    }
    res.redirect(303, back);
  });

  router.post('/:id/close', deps.policy(close), async (req, res) => {
    const review = await loadReview(req);
    try {
      const done = await close(res.locals.actor, { reviewId: review.id }, requestMeta(req));
      req.session.flash = {
        kind: 'info',
        text: `Se cerró la revisión: ${done.unreviewed === 1 ? '1 persona quedó' : `${done.unreviewed} personas quedaron`} sin revisar${done.suspendedUserIds.length ? `; ${done.suspendedUserIds.length} perdieron sus roles de administración o auditoría` : ''}.`,
      };
    } catch (err) {
      if (!(err instanceof AppError && err.status === 409)) throw err;
      req.session.flash = { kind: 'error', text: err.publicMessage };
    }
    res.redirect(303, `/admin/reviews/${review.id}?estado=todos`);
  });

  router.get('/:id/resultado.csv', deps.policy('reviews.read'), async (req, res) => {
    const actor = res.locals.actor;
    const review = await loadReview(req);
    const { names } = await places();
    const scope = searchScopeOf(actor);
    const regionIds =
      scope.kind === 'global'
        ? undefined
        : [
            ...scope.regionIds,
            // An establishment's admin: that establishment's people (their región, in the
            // snapshot, narrowed again below by name).
            ...scopesOf(actor, 'admin').flatMap((s) =>
              s.kind === 'establishment' ? [s.regionId] : [],
            ),
          ];
    const ownEstablishments = new Set(
      scopesOf(actor, 'admin').flatMap((s) =>
        s.kind === 'establishment' ? [names.establishment(s.establishmentId)] : [],
      ),
    );
    const wholeRegions = new Set(scope.kind === 'limited' ? scope.regionIds : []);
    const rows = (await deps.repos.accessReviews.result(review.id, regionIds)).filter(
      (r) =>
        scope.kind === 'global' ||
        r.regionIds.some((id) => wholeRegions.has(id)) ||
        r.establishments.some((e) => ownEstablishments.has(e)),
    );
    const header = [
      'revision',
      'cedula',
      'nombre',
      'usuario',
      'decision',
      'fecha',
      'por',
      'establecimientos',
      'roles',
      'roles_suspendidos',
    ];
    const body = rows.map((r) =>
      [
        review.title,
        formatCedula(r.documentNumber),
        r.fullName,
        r.username,
        DECISION_LABELS[r.decision],
        csvDateTime(r.decidedAt),
        r.decidedByUsername,
        r.establishments.join(', '),
        r.roles.map((code) => roleText(code, names)).join(', '),
        r.suspendedRoles.map((code) => roleText(code, names)).join(', '),
      ].map(csvCell),
    );
    const at = deps.clock.now();
    await deps.repos.transaction((tx) =>
      deps.repos.adminEvents.append(
        {
          occurredAt: at,
          actorUserId: actor.userId,
          actorUsername: actor.username,
          action: 'reviews.export',
          outcome: 'success',
          targetType: 'access_review',
          targetId: String(review.id),
          targetUserId: null,
          details: { review: review.title, rows: rows.length },
          establishmentId: actor.establishmentId,
          regionIds: regionIds ?? [],
          ip: requestMeta(req).ip,
          userAgent: requestMeta(req).userAgent,
        },
        tx,
      ),
    );
    res.set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="revision-accesos-${review.id}-${fileDate(at)}.csv"`,
    });
    res.send(stringify([header, ...body], CSV_OPTIONS));
  });

  return router;
}
