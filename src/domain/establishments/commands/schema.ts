import { z } from 'zod';
import { idField as dbId } from '../../../shared/validation';
import { scopesOf, type Actor } from '../../../access/actor';
import { coversPlace, type Place } from '../../../access/scope';
import { ESTABLISHMENT_CODE_PATTERN } from '../codes';

/** The longest names the forms and the CSV import accept. */
export const ESTABLISHMENT_NAME_MAX = 200;
export const REGION_NAME_MAX = 100;

/** Form fields shared by the establishment and región commands, with their Spanish messages. */
export const idField = dbId('Identificador inválido.');

export const establishmentCode = z
  .string({ error: 'Ingrese el código.' })
  .trim()
  .toUpperCase()
  .regex(ESTABLISHMENT_CODE_PATTERN, {
    error: 'Use letras, números, punto, guion o guion bajo (hasta 32), sin espacios.',
  });

export const establishmentName = z
  .string({ error: 'Ingrese el nombre.' })
  .trim()
  .transform((s) => s.replace(/\s+/g, ' '))
  .pipe(
    z
      .string()
      .min(3, { error: 'El nombre debe tener al menos 3 caracteres.' })
      .max(ESTABLISHMENT_NAME_MAX, {
        error: `El nombre admite hasta ${ESTABLISHMENT_NAME_MAX} caracteres.`,
      }),
  );

export const regionIdField = dbId('Seleccione la región sanitaria.');

export const regionName = z
  .string({ error: 'Ingrese el nombre de la región.' })
  .trim()
  .transform((s) => s.replace(/\s+/g, ' '))
  .pipe(
    z
      .string()
      .min(2, { error: 'El nombre de la región debe tener al menos 2 caracteres.' })
      .max(REGION_NAME_MAX, {
        error: `El nombre de la región admite hasta ${REGION_NAME_MAX} caracteres.`,
      })
      .regex(/[\p{L}\p{N}]/u, { error: 'El nombre de la región debe tener letras o números.' }),
  );

/** "2027-03-01", a real calendar date; empty means "no date of its own". */
export const rolloutDate = z
  .string({ error: 'Ingrese una fecha válida (día/mes/año).' })
  .trim()
  .refine((s) => s === '' || z.iso.date().safeParse(s).success, {
    error: 'Ingrese una fecha válida (día/mes/año).',
  })
  .transform((s) => (s === '' ? null : s));

/**
 * `conceal` of the commands on an establishment: one outside every admin scope of the actor is
 * answered like an unknown id (no existence oracle); the refusal is still audited.
 */
export const outsideScope = (actor: Actor, { place }: { place: Place }): boolean =>
  !scopesOf(actor, 'admin').some((s) => coversPlace(s, place));
