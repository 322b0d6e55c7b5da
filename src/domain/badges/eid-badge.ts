import { addMonthsInZone, formatDateTime } from '../../shared/time';

export type EidBadge = 'verified' | 'stale' | 'never';

export interface BadgePolicy {
  staleAfterMonths: number;
}

/**
 * The badge beside a user's name: `never` without any e-ID login; `stale` when `now` is strictly
 * after the last e-ID login plus `staleAfterMonths` calendar months (Asunción); else `verified`.
 */
export function eidBadge(lastEidLoginAt: Date | null, now: Date, policy: BadgePolicy): EidBadge {
  if (!lastEidLoginAt) return 'never';
  return now.getTime() > addMonthsInZone(lastEidLoginAt, policy.staleAfterMonths).getTime()
    ? 'stale'
    : 'verified';
}

/** Bounds the memo below; when full it starts over (one entry per user's last e-ID login). */
const MEMO_LIMIT = 10_000;
const whenMemo = new Map<number, string>();

/**
 * The last e-ID login's date as the tooltip writes it. It goes through the zone's calendar (dayjs
 * tz, about half a millisecond), and every page view shows the badge: it is worked out once per
 * login and remembered, as it can never change. (The stale instant is remembered by
 * {@link addMonthsInZone} itself.)
 */
function loginWhen(lastEidLoginAt: Date): string {
  const key = lastEidLoginAt.getTime();
  let when = whenMemo.get(key);
  if (when === undefined) {
    if (whenMemo.size >= MEMO_LIMIT) whenMemo.clear();
    when = formatDateTime(lastEidLoginAt);
    whenMemo.set(key, when);
  }
  return when;
}

export interface BadgeView {
  state: EidBadge;
  label: string;
  tooltip: string;
}

/** The badge with its Spanish label (for screen readers) and tooltip. */
export function eidBadgeView(
  lastEidLoginAt: Date | null,
  now: Date,
  policy: BadgePolicy,
): BadgeView {
  const state = eidBadge(lastEidLoginAt, now, policy);
  if (state === 'never' || !lastEidLoginAt) {
    return {
      state: 'never',
      label: 'Sin inicio de sesión con Identidad Electrónica',
      tooltip: 'Aún no inició sesión con una cuenta de Identidad Electrónica',
    };
  }
  const when = loginWhen(lastEidLoginAt);
  if (state === 'stale') {
    return {
      state,
      label: 'Identidad Electrónica sin uso reciente',
      tooltip: `Su último inicio de sesión con Identidad Electrónica fue hace más de ${policy.staleAfterMonths} meses (${when})`,
    };
  }
  return {
    state,
    label: 'Identidad Electrónica verificada',
    tooltip: `Último inicio de sesión con Identidad Electrónica: ${when}`,
  };
}
