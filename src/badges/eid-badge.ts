import { addMonthsInZone, formatDateTime } from '../shared/time';

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
  return now.getTime() > fixedParts(lastEidLoginAt, policy).staleFrom ? 'stale' : 'verified';
}

/** Bounds the memo below; when full it starts over (one entry per user's last e-ID login). */
const MEMO_LIMIT = 10_000;
const memo = new Map<string, { staleFrom: number; when: string }>();

/**
 * What a badge derives from the last e-ID login alone: the instant it turns stale and that
 * login's date as written. Both go through the zone's calendar (dayjs tz, about half a
 * millisecond each), and every page view shows the badge: they are worked out once per
 * (login, policy) and remembered, as they can never change.
 */
function fixedParts(lastEidLoginAt: Date, policy: BadgePolicy) {
  const key = `${lastEidLoginAt.getTime()}/${policy.staleAfterMonths}`;
  let parts = memo.get(key);
  if (!parts) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    parts = {
      staleFrom: addMonthsInZone(lastEidLoginAt, policy.staleAfterMonths).getTime(),
      when: formatDateTime(lastEidLoginAt),
    };
    memo.set(key, parts);
  }
  return parts;
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
  const { when } = fixedParts(lastEidLoginAt, policy);
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
