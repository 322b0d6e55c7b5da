import type { Actor } from '../../../access/actor';
import { can } from '../../../access/policies';
import { notFound } from '../../../shared/errors';
import { managesWholly, outranksUser } from '../../../access/policies/users';
import { describeScope } from '../../../access/scope';
import { eidBadgeView } from '../../../domain/badges/eid-badge';
import { sessionExpiry } from '../../../web/session/timeouts';
import { formatCedula } from '../../../shared/cedula';
import {
  addMonthsInZone,
  endOfDayInZone,
  formatDateTime,
  formatIsoDate,
  isoDateInZone,
} from '../../../shared/time';
import { ROLES, ROLE_LABELS } from '../../../shared/roles';
import type { AdminDeps } from '../deps';
import { establishmentsInScope, grantableScopes, groupByRegion } from '../scope';
import { browserName } from '../../../shared/browser-name';
import { loadUserTarget } from '../../../domain/users/load-target';
import { MAX_EXEMPTION_MONTHS } from '../../../domain/users/commands/set-exemption';
import { hasExpired, lastValidDay, MAX_VALIDITY_MONTHS } from '../../../domain/users/validity';
import { agreementStatus } from '../../../domain/agreements/status';
import { disableDate, lastActivityOf, pausedAssignments } from '../../../domain/users/inactivity';

const never = 'Nunca';

/**
 * What the actor may not change about this person, and who can: the person also works outside
 * the actor's scope, or holds a role the actor does not outrank.
 */
function limitsOf(
  actor: Actor,
  target: Parameters<typeof managesWholly>[1],
  establishments: { id: number; regionId: number; name: string }[],
  names: { region(id: number): string },
): string[] {
  if (target.id === actor.userId) return [];
  const limits: string[] = [];
  if (!managesWholly(actor, target)) {
    const outside = establishments.filter(
      (e) => !managesWholly(actor, { ...target, places: [e], grants: [] }),
    );
    const where = [...new Set(outside.map((e) => `Región ${names.region(e.regionId)}`))];
    limits.push(
      `Esta persona también trabaja fuera de su alcance (${where.join(', ')}). Solo un administrador que alcance todos sus establecimientos (por ejemplo, uno de toda la red) puede cambiar sus datos, su contraseña, su estado, su exención o sus roles, o cerrar sus sesiones. Usted puede asignarle o quitarle establecimientos de su alcance.`,
    );
  }
  if (!outranksUser(actor, target)) {
    limits.push(
      target.grants.some((g) => g.role === 'admin' && g.scope.kind === 'global')
        ? 'Esta cuenta es de un administrador de toda la red: se cambia solo desde la consola del servidor (npm run cli), no desde esta pantalla.'
        : 'Esta cuenta tiene un rol de administración o auditoría en un alcance igual o mayor que el suyo: solo un administrador de alcance mayor puede cambiarla.',
    );
  }
  return limits;
}

/**
 * Everything the user detail page shows, for this actor: the user's data, status, places, roles,
 * e-ID exemption and open sessions, and which changes the actor may make (the same rules the
 * commands check). An actor who may not see the user gets the forbidden error; unknown: 404.
 */
export async function loadDetailPage(deps: AdminDeps, actor: Actor, userId: number) {
  const loaded = await loadUserTarget(deps.repos, userId);
  // Someone outside the actor's scope is answered like an unknown id: no existence oracle.
  if (!can(actor, 'users.read', loaded.target)) throw notFound();
  const { user, target } = loaded;
  const now = deps.clock.now();
  const [regions, all, locked, sessions, ends, chosen, acceptances, agreement, reviewed] =
    await Promise.all([
      deps.repos.establishments.regions.listAll(),
      deps.repos.establishments.listAll(),
      deps.lockout.isLocked(user.username),
      deps.sessions.summaries(user.id),
      deps.repos.users.assignmentEnds(user.id),
      deps.repos.users.assignmentsLastChosen(user.id),
      deps.repos.agreements.acceptancesOf(user.id),
      deps.agreementVersion.get(),
      deps.repos.accessReviews.lastConfirmationOf(user.id),
    ]);
  const regionName = new Map(regions.map((r) => [r.id, r.name]));
  const placeName = new Map(all.map((e) => [e.id, e.name]));
  const names = {
    region: (id: number) => regionName.get(id) ?? String(id),
    establishment: (id: number) => placeName.get(id) ?? String(id),
  };
  const self = actor.userId === user.id;
  const paused = pausedAssignments(
    [...chosen].map(([id, lastChosenAt]) => ({ id, lastChosenAt })),
    now,
    deps.config.inactivity.assignmentPauseAfterDays,
  );
  const inactiveDays = deps.config.inactivity.accountDisableAfterDays;
  const disableOn = disableDate(lastActivityOf(user), inactiveDays);
  const assigned = new Set(target.places.map((p) => p.id));
  const exempt = user.eidExemptUntil && user.eidExemptUntil > now ? user.eidExemptUntil : null;

  return {
    title: user.fullName,
    section: 'users',
    pageClass: 'page--wide',
    self,
    person: {
      id: user.id,
      username: user.username,
      fullName: user.fullName,
      documentNumber: user.documentNumber,
      cedula: formatCedula(user.documentNumber),
      email: user.email ?? '',
      version: user.version,
      active: user.status === 'active',
      locked,
      hasPassword: user.passwordHash !== null,
      mustChangePassword: user.mustChangePassword,
      // "Válida hasta": the last valid day, and whether it has passed.
      validUntil: user.validUntil ? lastValidDay(user.validUntil) : null,
      validUntilValue: user.validUntil
        ? isoDateInZone(new Date(user.validUntil.getTime() - 1))
        : '',
      expired: hasExpired(user.validUntil, now),
      // "Se deshabilitará el …": within 14 days of the inactivity rule.
      disableOn:
        user.status === 'active' &&
        disableOn &&
        disableOn.getTime() - now.getTime() < 14 * 86_400_000
          ? formatIsoDate(isoDateInZone(disableOn))
          : null,
      lastLogin: user.lastLoginAt ? formatDateTime(user.lastLoginAt) : never,
      // The confidentiality agreement: which version, when, where (null: none published).
      agreement: agreementStatus(acceptances, agreement),
      // The latest access review that confirmed this person: which, when, by whom.
      lastReview: reviewed
        ? `${reviewed.reviewTitle}: ${reviewed.decision === 'changed' ? 'modificado y confirmado' : 'confirmado'} el ${formatDateTime(reviewed.decidedAt)} por ${reviewed.decidedByUsername}`
        : 'Nunca',
      badge: eidBadgeView(user.lastEidLoginAt, now, {
        staleAfterMonths: deps.config.eid.staleAfterMonths,
      }),
    },
    // What the date field offers: from tomorrow up to the longest exemption allowed.
    exemptionDates: {
      min: isoDateInZone(endOfDayInZone(isoDateInZone(now))),
      max: isoDateInZone(addMonthsInZone(now, MAX_EXEMPTION_MONTHS)),
    },
    // What the "válida hasta" fields offer: from tomorrow up to the longest validity allowed.
    validityDates: {
      min: isoDateInZone(endOfDayInZone(isoDateInZone(now))),
      max: isoDateInZone(addMonthsInZone(now, MAX_VALIDITY_MONTHS)),
    },
    exemption: exempt && {
      // Stored as the first instant after the chosen day: show that day.
      until: formatIsoDate(isoDateInZone(new Date(exempt.getTime() - 1))),
      reason: user.eidExemptReason ?? '',
    },
    establishments: loaded.establishments.map((e) => ({
      ...e,
      region: names.region(e.regionId),
      validUntil: ends.get(e.id) ? lastValidDay(ends.get(e.id)!) : null,
      expired: hasExpired(ends.get(e.id), now),
      canSetValidity: can(actor, 'users.setAssignmentValidity', { user: target, place: e }),
      // Not chosen at login for months: not offered until reactivated.
      pausedSince: paused.has(e.id) ? formatIsoDate(isoDateInZone(chosen.get(e.id)!)) : null,
      canResume: can(actor, 'users.resumeAssignment', { user: target, place: e }),
      canRemove: can(actor, 'users.unassignEstablishment', { user: target, place: e }),
    })),
    addableGroups: groupByRegion(
      establishmentsInScope(actor, all).filter((e) => e.active && !assigned.has(e.id)),
      regions,
    ),
    grants: target.grants.map((g) => ({
      id: g.id,
      role: ROLE_LABELS[g.role],
      scope: describeScope(g.scope, names),
      canRemove: can(actor, 'users.revokeRole', { user: target, grant: g }),
    })),
    roleOptions: ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] })),
    // Scopes offered: the network and regiones the actor covers, and the user's own places.
    scopeOptions: grantableScopes(
      actor,
      regions,
      loaded.establishments.filter((e) => e.active),
    ),
    sessions: sessions
      .filter((s) => !sessionExpiry(s, now.getTime(), deps.config.session))
      .map((s) => ({
        handle: s.handle,
        establishment: names.establishment(s.establishmentId),
        ip: s.ip ?? 'Desconocida',
        browser: browserName(s.userAgent),
        userAgent: s.userAgent ?? '',
        startedAt: formatDateTime(new Date(s.createdAt)),
        lastSeenAt: formatDateTime(new Date(s.lastSeenAt)),
      })),
    // Why some changes are not offered: said before the sections, not discovered by a refusal.
    limits: limitsOf(actor, target, loaded.establishments, names),
    may: {
      update: can(actor, 'users.update', target),
      disable: can(actor, 'users.disable', target),
      enable: can(actor, 'users.enable', target),
      unlock: can(actor, 'users.unlock', target),
      resetPassword: can(actor, 'users.resetPassword', target),
      exempt: can(actor, 'users.exempt', target),
      setValidity: can(actor, 'users.setValidity', target),
      endSessions: can(actor, 'users.endSessions', target),
      // The place rule adds the place to the change rule: any place offered is one the actor reaches.
      assign: can(actor, 'users.update', target),
      grant: !self && can(actor, 'users.update', target),
    },
  };
}

export type DetailPage = Awaited<ReturnType<typeof loadDetailPage>>;
