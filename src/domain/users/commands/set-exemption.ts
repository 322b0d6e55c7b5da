import { z } from 'zod';
import { defineCommand } from '../../../access/command';
import { ValidationError } from '../../../shared/validation';
import {
  addMonthsInZone,
  endOfDayInZone,
  formatIsoDate,
  isoDateInZone,
  startOfDayInZone,
} from '../../../shared/time';
import { loadLockedUser, userIdField, type UserCommandDeps, outsideScope } from '../user-command';

/** An exemption is reviewed at least once a year. */
export const MAX_EXEMPTION_MONTHS = 12;

const DATE_MESSAGE = 'Indique una fecha válida hasta la que vale la exención.';

const schema = z.object({
  userId: userIdField,
  reason: z
    .string({ error: 'Indique el motivo de la exención.' })
    .trim()
    .min(5, 'Indique el motivo de la exención (al menos 5 caracteres).')
    .max(500, 'El motivo puede tener como máximo 500 caracteres.'),
  until: z
    .string({ error: DATE_MESSAGE })
    .regex(/^\d{4}-\d{2}-\d{2}$/, DATE_MESSAGE)
    // A calendar date: "2027-02-30" does not survive the round trip.
    .refine((d) => isoDateInZone(startOfDayInZone(d)) === d, DATE_MESSAGE),
});

/**
 * Exempts the user from the forced e-ID login until the end of the chosen day (Asunción), with
 * the reason on record: for someone who cannot use the e-ID for now. Replaces any exemption.
 */
export const setExemption = defineCommand({
  action: 'users.exempt',
  conceal: outsideScope,
  schema,
  load: loadLockedUser,
  async apply(deps: UserCommandDeps, { input, target: { user }, now, transaction }) {
    const today = isoDateInZone(now);
    const latest = isoDateInZone(addMonthsInZone(now, MAX_EXEMPTION_MONTHS));
    if (input.until <= today)
      throw new ValidationError({ until: 'La fecha debe ser posterior a hoy.' });
    if (input.until > latest)
      throw new ValidationError({
        until: `La exención puede durar como máximo ${MAX_EXEMPTION_MONTHS} meses: elija una fecha hasta el ${formatIsoDate(latest)}.`,
      });
    const until = endOfDayInZone(input.until);
    await deps.repos.users.update(
      user.id,
      { eidExemptUntil: until, eidExemptReason: input.reason },
      transaction,
    );
    return {
      result: { userId: user.id },
      audit: {
        details: {
          before: {
            until: user.eidExemptUntil?.toISOString() ?? null,
            reason: user.eidExemptReason,
          },
          after: { until: until.toISOString(), reason: input.reason },
        },
      },
    };
  },
});
