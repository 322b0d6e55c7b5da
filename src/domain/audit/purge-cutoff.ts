import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { addMonthsInZone, formatIsoDate, startOfDayInZone, ZONE } from '../../shared/time';

const isoDate = z.iso.date();

/** "2025-11-29": the date on Asunción's calendar at an instant (en-CA writes ISO dates). */
const isoDateAt = (instant: Date) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);

const invalid = (message: string) => new AppError('invalid_input', 400, message);

/**
 * The instant before which `audit:purge --before <date>` removes rows: midnight in Asunción at
 * the start of `before`. Refused (Spanish message, nothing written) unless it is a real date
 * and at least `minRetentionMonths` calendar months before `now`: the retention minimum is the
 * guard against a mistyped year wiping the history an inspection may still ask for.
 */
export function purgeCutoff(before: string, now: Date, minRetentionMonths: number): Date {
  if (!isoDate.safeParse(before).success)
    throw invalid(`Fecha inválida "${before}": use una fecha real con el formato AAAA-MM-DD.`);
  const cutoff = startOfDayInZone(before);
  if (cutoff.getTime() > now.getTime())
    throw invalid(`La fecha ${formatIsoDate(before)} está en el futuro: no se depura nada.`);
  const latest = addMonthsInZone(now, -minRetentionMonths);
  if (cutoff.getTime() > latest.getTime())
    throw invalid(
      `No se puede depurar hasta el ${formatIsoDate(before)}: la retención mínima es de ` +
        `${minRetentionMonths} meses (AUDIT_RETENTION_MIN_MONTHS). ` +
        `La fecha más reciente permitida hoy es ${formatIsoDate(isoDateAt(latest))}.`,
    );
  return cutoff;
}
