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
  const staleFrom = addMonthsInZone(lastEidLoginAt, policy.staleAfterMonths);
  return now.getTime() > staleFrom.getTime() ? 'stale' : 'verified';
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
  const when = formatDateTime(lastEidLoginAt);
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
