import dayjs from 'dayjs';
import type { Actor } from '../../access/actor';
import { can, gate } from '../../access/policies';
import type { Place } from '../../access/scope';
import { eidBadgeView, type BadgePolicy, type BadgeView } from '../../domain/badges/eid-badge';
import { formatCedula } from '../../shared/cedula';
import { browserName } from '../../shared/browser-name';
import { ZONE } from '../../shared/time';
import type { AdminHistoryRow, EventPerson } from '../../storage/queries/admin-history';
import { describeDetails, type DetailNames } from './details-view';
import type { LoginHistoryRow } from '../../storage/queries/login-history';
import {
  ACTION_LABELS,
  ADMIN_OUTCOME_LABELS,
  labelOf,
  METHOD_LABELS,
  OUTCOME_LABELS,
  REASON_LABELS,
} from '../../domain/audit/labels';

/** "20/11/2026 09:12:05", Asunción time: seconds matter when reading an audit trail. */
export const screenDateTime = (date: Date): string =>
  dayjs(date).tz(ZONE).format('DD/MM/YYYY HH:mm:ss');

/** A person in a row: name, username, cédula and badge; links to their history and file. */
export interface PersonView {
  fullName: string;
  username: string;
  cedula: string;
  badge: BadgeView;
  /** Unique on the page: the badge's tooltip is referenced by id. */
  badgeTooltipId: string;
  /** This person's rows in the history being read. */
  historyHref: string;
  /** Their administration page, only for a viewer who may open it. */
  adminHref: string | null;
}

export interface ViewContext {
  actor: Actor;
  now: Date;
  badge: BadgePolicy;
  /** The history's path (`/audit/logins`): a person's link filters it by them. */
  path: string;
  /** Establishment id → región id, for the admin-link rule. */
  places: Map<number, Place>;
  /** Places named in the details of admin_events rows. */
  names: DetailNames;
}

function personView(
  p: EventPerson & { establishmentIds?: number[] },
  tooltipId: string,
  ctx: ViewContext,
): PersonView {
  const places = (p.establishmentIds ?? []).flatMap((id) => ctx.places.get(id) ?? []);
  const readable =
    gate(ctx.actor, 'users.read') && can(ctx.actor, 'users.read', { id: p.id, places, grants: [] });
  return {
    fullName: p.fullName,
    username: p.username,
    cedula: formatCedula(p.documentNumber),
    badge: eidBadgeView(p.lastEidLoginAt, ctx.now, ctx.badge),
    badgeTooltipId: tooltipId,
    historyHref: `${ctx.path}?userId=${p.id}`,
    adminHref: readable ? `/admin/users/${p.id}` : null,
  };
}

export interface LoginRowView {
  id: string;
  when: string;
  person: PersonView | null;
  /** The name typed, when there is no account or it differs from the account's. */
  typed: string | null;
  method: string;
  outcome: string;
  failed: boolean;
  reason: string;
  reasonCode: string | null;
  establishment: string | null;
  region: string | null;
  ip: string;
  /** "Chrome · Windows"; the full User-Agent is one click away. */
  browser: string;
  userAgent: string;
  degraded: boolean;
}

/** A login_events row, ready to print (every string is escaped by the view). */
export function loginRowView(
  row: LoginHistoryRow & { userEstablishmentIds?: number[] },
  ctx: ViewContext,
): LoginRowView {
  const person =
    row.userId !== null && row.fullName !== null
      ? personView(
          {
            id: row.userId,
            username: row.accountUsername ?? '',
            fullName: row.fullName,
            documentNumber: row.documentNumber ?? '',
            lastEidLoginAt: row.lastEidLoginAt,
            establishmentIds: row.userEstablishmentIds,
          },
          `badge-tip-${row.id}`,
          ctx,
        )
      : null;
  return {
    id: row.id,
    when: screenDateTime(row.occurredAt),
    person,
    typed: row.username !== null && row.username !== person?.username ? row.username : null,
    method: row.moduleName
      ? `${labelOf(METHOD_LABELS, row.method)}: ${row.moduleName}`
      : labelOf(METHOD_LABELS, row.method),
    outcome: labelOf(OUTCOME_LABELS, row.outcome),
    failed: row.outcome === 'failure',
    reason: labelOf(REASON_LABELS, row.reason),
    reasonCode: row.reason,
    establishment: row.establishmentName,
    region: row.regionName,
    ip: row.ip ?? '—',
    browser: browserName(row.userAgent),
    userAgent: row.userAgent ?? '—',
    degraded: row.degraded,
  };
}

export interface AdminRowView {
  id: string;
  when: string;
  action: string;
  actionCode: string;
  outcome: string;
  denied: boolean;
  actor: PersonView | null;
  actorUsername: string | null;
  target: PersonView | null;
  /** The target when it is not a person: "Establecimiento: Hospital …", "Página GET /admin". */
  targetText: string | null;
  changes: string[];
  establishment: string | null;
  ip: string;
}

/** What a non-person target is, in words. */
export function targetText(row: AdminHistoryRow): string | null {
  const place = row.targetPlaceName ?? (row.targetId ? `#${row.targetId}` : '');
  switch (row.targetType) {
    case null:
    case 'user':
      return null;
    case 'establishment':
      return `Establecimiento: ${place}`;
    case 'region':
      return `Región sanitaria: ${place}`;
    case 'network':
      return 'Toda la red';
    case 'eid_provider':
      return `Proveedor de Identidad Electrónica (${row.targetId === 'oidc' ? 'OpenID Connect' : 'MITIC'})`;
    case 'establishment_file':
      return 'Archivo de establecimientos';
    case 'user_file':
      return 'Archivo de personal';
    case 'agreement':
      return `Acuerdo de confidencialidad${row.targetId ? `, versión ${row.targetId}` : ''}`;
    case 'oidc_client':
      return `Módulo del HIS ${row.targetId ?? ''}`.trim();
    case 'access_review':
      return `Revisión de accesos${row.targetId ? ` n.º ${row.targetId}` : ''}`;
    case 'route':
      return `Página ${row.targetId ?? ''}`;
    case 'audit':
      return row.targetId === 'admin_events' ? 'Acciones administrativas' : 'Historial de ingresos';
    default:
      return `${row.targetType} ${row.targetId ?? ''}`.trim();
  }
}

/** An admin_events row, ready to print. */
export function adminRowView(row: AdminHistoryRow, ctx: ViewContext): AdminRowView {
  return {
    id: row.id,
    when: screenDateTime(row.occurredAt),
    action: labelOf(ACTION_LABELS, row.action),
    actionCode: row.action,
    outcome: labelOf(ADMIN_OUTCOME_LABELS, row.outcome),
    denied: row.outcome === 'denied',
    actor: row.actor && personView(row.actor, `badge-tip-${row.id}-a`, ctx),
    actorUsername: row.actor ? null : row.actorUsername,
    target: row.target && personView(row.target, `badge-tip-${row.id}-t`, ctx),
    targetText: targetText(row),
    changes: describeDetails(row.details ?? {}, ctx.names),
    establishment: row.establishmentName,
    ip: row.ip ?? '—',
  };
}
