import { hasExpired, lastValidDay } from '../../../domain/users/validity';
import { disableDate, lastActivityOf } from '../../../domain/users/inactivity';
import type { Actor } from '../../../access/actor';
import type { UserTarget } from '../../../access/policies/users';
import { describeScope, type Scope } from '../../../access/scope';
import type { Lockout } from '../../../domain/passwords/lockout';
import { eidBadgeView, type BadgePolicy, type BadgeView } from '../../../domain/badges/eid-badge';
import { staleCutoff } from '../../../domain/badges/stale-cutoff';
import { formatCedula } from '../../../shared/cedula';
import type { Clock } from '../../../shared/clock';
import { AppError } from '../../../shared/errors';
import { formatDateTime, formatIsoDate, isoDateInZone } from '../../../shared/time';
import { ROLE_LABELS } from '../../../shared/roles';
import type {
  UserListRow,
  UserSearch,
  UserSearchParams,
} from '../../../storage/queries/user-search';
import { searchScopeOf } from '../scope';
import type { ListFilters } from './list-filters';

export interface UsersPageDeps {
  userSearch: UserSearch;
  lockout: Pick<Lockout, 'lockedAmong' | 'listLocked'>;
  clock: Clock;
  badge: BadgePolicy;
  /** ACCOUNT_INACTIVE_DISABLE_AFTER_DAYS (0: never): rows say when it will happen. */
  inactiveDays: number;
}

/** The users list's collaborators, from the admin area's: the same for every screen that lists. */
export const usersPageDeps = (deps: {
  queries: { userSearch: UserSearch };
  lockout: UsersPageDeps['lockout'];
  clock: Clock;
  config: { eid: { staleAfterMonths: number }; inactivity: { accountDisableAfterDays: number } };
}): UsersPageDeps => ({
  userSearch: deps.queries.userSearch,
  lockout: deps.lockout,
  clock: deps.clock,
  badge: { staleAfterMonths: deps.config.eid.staleAfterMonths },
  inactiveDays: deps.config.inactivity.accountDisableAfterDays,
});

/** Names for the role scopes shown in the rows. */
export interface PlaceNames {
  region(id: number): string;
  establishment(id: number): string;
}

/** One row of the list, ready to print. */
export interface UserRowView {
  id: number;
  /** The person as the rules see them, for a screen that decides per row (an access review). */
  target: UserTarget;
  fullName: string;
  username: string;
  cedula: string;
  establishments: string[];
  roles: string[];
  active: boolean;
  status: string;
  badge: BadgeView;
  /** Unique per row: the badge's tooltip is referenced by id (aria-describedby). */
  badgeTooltipId: string;
  badgeText: string;
  lastLogin: string;
  locked: boolean;
  /** "Vence el 31/03/2027" (or "Venció…") for a temporary account; null: no end. */
  validity: { text: string; expired: boolean } | null;
  /** "Se deshabilitará el …" within the 14 days before the inactivity rule disables it. */
  disableOn: string | null;
}

export interface UsersPage {
  rows: UserRowView[];
  nextCursor: string | null;
  /** The cursor was refused and the first page is shown instead. */
  restarted: boolean;
  /** Users matching the filters, counted up to 10,000 (+1 means more). */
  total: number;
  notices: string[];
}

// The región of an establishment scope is not needed to name it.
const scopeOf = (r: UserListRow['roles'][number]): Scope | null =>
  r.establishmentId
    ? { kind: 'establishment', establishmentId: r.establishmentId, regionId: 0 }
    : r.regionId
      ? { kind: 'region', regionId: r.regionId }
      : null;

/** A role's scope for the rules (an establishment's role carries its establishment's región). */
const grantScope = (r: UserListRow['roles'][number]): Scope =>
  r.establishmentId
    ? { kind: 'establishment', establishmentId: r.establishmentId, regionId: r.regionId ?? 0 }
    : r.regionId
      ? { kind: 'region', regionId: r.regionId }
      : { kind: 'global' };

/** "Personal de salud", "Administrador (Región Central)", "Auditor (toda la red)". */
function roleLabel(r: UserListRow['roles'][number], names: PlaceNames): string {
  const scope = scopeOf(r);
  if (!scope && r.role === 'staff') return ROLE_LABELS[r.role];
  return `${ROLE_LABELS[r.role]} (${describeScope(scope ?? { kind: 'global' }, names)})`;
}

function rowView(
  row: UserListRow,
  ctx: {
    now: Date;
    badge: BadgePolicy;
    locked: Set<string>;
    names: PlaceNames;
    inactiveDays: number;
  },
): UserRowView {
  const disableOn = disableDate(lastActivityOf(row), ctx.inactiveDays);
  const badge = eidBadgeView(row.lastEidLoginAt, ctx.now, ctx.badge);
  return {
    id: row.id,
    target: {
      id: row.id,
      places: row.establishments.map((e) => ({ id: e.id, regionId: e.regionId })),
      grants: row.roles.map((r) => ({ role: r.role, scope: grantScope(r) })),
    },
    fullName: row.fullName,
    username: row.username,
    cedula: formatCedula(row.documentNumber),
    establishments: row.establishments.map((e) => e.name),
    roles: row.roles.map((r) => roleLabel(r, ctx.names)),
    active: row.status === 'active',
    status: row.status === 'active' ? 'Activo' : 'Deshabilitado',
    badge,
    badgeTooltipId: `eid-badge-tooltip-${row.id}`,
    badgeText:
      badge.state === 'verified'
        ? 'Verificada'
        : badge.state === 'stale'
          ? `Más de ${ctx.badge.staleAfterMonths} meses`
          : 'Nunca',
    lastLogin: row.lastLoginAt ? formatDateTime(row.lastLoginAt) : 'Nunca',
    locked: ctx.locked.has(row.username),
    validity: row.validUntil
      ? hasExpired(row.validUntil, ctx.now)
        ? { text: `Venció el ${lastValidDay(row.validUntil)}`, expired: true }
        : { text: `Vence el ${lastValidDay(row.validUntil)}`, expired: false }
      : null,
    disableOn:
      row.status === 'active' &&
      disableOn &&
      disableOn.getTime() - ctx.now.getTime() < 14 * 86_400_000
        ? formatIsoDate(isoDateInZone(disableOn))
        : null,
  };
}

/**
 * One page of the users list for this actor: their scope applied to every page (whatever the
 * URL says), the e-ID filter through the badge rule's cutoff, the locked filter and tags from
 * the lockout in Redis. A cursor the search refuses restarts at the first page, with a notice.
 */
export async function loadUsersPage(
  deps: UsersPageDeps,
  actor: Actor,
  filters: ListFilters,
  names: PlaceNames,
  /** What another screen narrows the list to (an access review's pending or decided people). */
  narrow: Pick<UserSearchParams, 'review'> = {},
): Promise<UsersPage> {
  const now = deps.clock.now();
  const notices: string[] = [];
  let usernames: string[] | undefined;
  if (filters.locked) {
    const locked = await deps.lockout.listLocked();
    usernames = locked.usernames;
    if (!locked.complete)
      notices.push(
        'Hay demasiados intentos fallidos registrados para listarlos todos: puede haber más cuentas bloqueadas. Busque por nombre o usuario para encontrar una en particular.',
      );
  }
  const common = {
    q: filters.q,
    establishmentId: filters.establishment,
    regionId: filters.region,
    role: filters.role,
    status: filters.status,
    usernames,
    scope: searchScopeOf(actor),
    ...narrow,
    // "Vencen en 30 días": temporary accounts whose last day is within the next 30 days.
    ...(filters.expiring
      ? { expiring: { from: now, to: new Date(now.getTime() + 30 * 86_400_000) } }
      : {}),
  };
  const params: UserSearchParams = filters.eid
    ? { ...common, badge: filters.eid, staleCutoff: staleCutoff(now, deps.badge) }
    : common;
  let restarted = false;
  const sorted = { ...params, sort: filters.sort };
  const [page, total] = await Promise.all([
    deps.userSearch.search({ ...sorted, after: filters.after }).catch((err) => {
      if (!(err instanceof AppError && err.code === 'invalid_cursor')) throw err;
      restarted = true;
      notices.push('El enlace de la página no era válido: se muestra la primera página.');
      return deps.userSearch.search(sorted);
    }),
    deps.userSearch.count(params),
  ]);
  const locked = await deps.lockout.lockedAmong(page.rows.map((r) => r.username));
  return {
    rows: page.rows.map((row) =>
      rowView(row, { now, badge: deps.badge, locked, names, inactiveDays: deps.inactiveDays }),
    ),
    nextCursor: page.nextCursor,
    restarted,
    notices,
    total,
  };
}
