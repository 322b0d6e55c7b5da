import { z } from 'zod';
import {
  addMonthsInZone,
  endOfDayInZone,
  formatIsoDate,
  isoDateInZone,
  startOfDayInZone,
} from '../../shared/time';
import { ValidationError } from '../../shared/validation';

/**
 * Temporary staff: an account or an assignment "válida hasta" a day is stored as the first
 * instant after that day in Asunción (as exemptions are). Expired from that instant on.
 */
export const hasExpired = (validUntil: Date | string | null | undefined, now: Date): boolean =>
  validUntil !== null &&
  validUntil !== undefined &&
  new Date(validUntil).getTime() <= now.getTime();

/** "31/03/2027": the last valid day, as people read it. */
export const lastValidDay = (validUntil: Date | string): string =>
  formatIsoDate(isoDateInZone(new Date(new Date(validUntil).getTime() - 1)));

/** The message of a login refused because the account ended. */
export const accountExpiredMessage = (validUntil: Date | string): string =>
  `Su cuenta venció el ${lastValidDay(validUntil)}. Si sigue trabajando en la red, consulte al administrador del HIS de su Región Sanitaria.`;

/** A temporary account or assignment lasts at most this long without being renewed. */
export const MAX_VALIDITY_MONTHS = 36;

const DATE_MESSAGE = 'Indique una fecha válida (el último día en que vale).';

/**
 * The "válida hasta" field of a form: a calendar day (aaaa-mm-dd, as date inputs send it), or
 * empty for "sin vencimiento". Parsed to the first instant after that day in Asunción.
 */
export const validUntilField = z.preprocess(
  (v) => (v === '' || v === undefined || v === null ? null : v),
  z
    .string({ error: DATE_MESSAGE })
    .regex(/^\d{4}-\d{2}-\d{2}$/, DATE_MESSAGE)
    // A calendar date: "2027-02-30" does not survive the round trip.
    .refine((d) => isoDateInZone(startOfDayInZone(d)) === d, DATE_MESSAGE)
    .nullable(),
);

/**
 * The stored end of a "válida hasta" day chosen on `now`, refused (beside `field`) when the day
 * is today or earlier, or further than {@link MAX_VALIDITY_MONTHS}.
 */
export function validityEnd(day: string | null, now: Date, field: string): Date | null {
  if (day === null) return null;
  const today = isoDateInZone(now);
  const latest = isoDateInZone(addMonthsInZone(now, MAX_VALIDITY_MONTHS));
  if (day <= today) throw new ValidationError({ [field]: 'La fecha debe ser posterior a hoy.' });
  if (day > latest)
    throw new ValidationError({
      [field]: `Puede valer como máximo ${MAX_VALIDITY_MONTHS} meses: elija una fecha hasta el ${formatIsoDate(latest)}.`,
    });
  return endOfDayInZone(day);
}
