import { z } from 'zod';
import { defineCommand, type CommandDeps } from '../../../access/command';
import { conflict, ValidationError } from '../../../shared/validation';
import {
  addMonthsInZone,
  formatIsoDate,
  isoDateInZone,
  startOfDayInZone,
} from '../../../shared/time';

const DAY_MESSAGE = 'Indique el último día de la revisión.';

const schema = z.object({
  title: z
    .string({ error: 'Escriba el nombre de la revisión.' })
    .trim()
    .min(3, 'Escriba el nombre de la revisión (por ejemplo «Revisión de accesos 2027-1»).')
    .max(100, 'El nombre admite hasta 100 caracteres.'),
  lastDay: z
    .string({ error: DAY_MESSAGE })
    .regex(/^\d{4}-\d{2}-\d{2}$/, DAY_MESSAGE)
    .refine((d) => isoDateInZone(startOfDayInZone(d)) === d, DAY_MESSAGE),
  /** The box "suspend the roles of whoever is left unreviewed". */
  suspendUnreviewed: z.preprocess((v) => v === 'on' || v === true, z.boolean()),
});

/** A review lasts at most this long: a semester's review closes within the semester. */
export const MAX_REVIEW_MONTHS = 6;

/**
 * Opens a periodic access review of the whole network (action `reviews.open`, network-wide
 * admins): its name, its last day (after today, at most six months ahead) and whether the roles
 * of the people left unreviewed are suspended at the close. One review is open at a time.
 */
export const openReview = defineCommand({
  action: 'reviews.open',
  schema,
  async load(deps: CommandDeps, _input, transaction) {
    await deps.repos.accessReviews.lockForOpen(transaction);
    const current = await deps.repos.accessReviews.current(transaction);
    if (current)
      throw conflict(
        `Ya hay una revisión abierta («${current.title}», hasta el ${formatIsoDate(current.lastDay)}): ciérrela antes de abrir otra.`,
      );
    return { target: null, policyTarget: undefined, audit: { targetType: 'access_review' } };
  },
  async apply(deps, { input, transaction, actor, now }) {
    const today = isoDateInZone(now);
    const latest = isoDateInZone(addMonthsInZone(now, MAX_REVIEW_MONTHS));
    if (input.lastDay <= today)
      throw new ValidationError({ lastDay: 'El último día debe ser posterior a hoy.' });
    if (input.lastDay > latest)
      throw new ValidationError({
        lastDay: `Una revisión dura como máximo ${MAX_REVIEW_MONTHS} meses: elija un día hasta el ${formatIsoDate(latest)}.`,
      });
    const id = await deps.repos.accessReviews.open(
      {
        title: input.title,
        lastDay: input.lastDay,
        suspendUnreviewed: input.suspendUnreviewed,
        openedAt: now,
        openedByUserId: actor.userId || null,
        openedByUsername: actor.username,
      },
      transaction,
    );
    return {
      result: { id },
      audit: {
        targetId: String(id),
        details: {
          title: input.title,
          lastDay: input.lastDay,
          suspendUnreviewed: input.suspendUnreviewed,
        },
      },
    };
  },
});
