import { z } from 'zod';
import { ESTABLISHMENT_CODE_PATTERN } from '../codes';

/** Form fields shared by the establishment and región commands, with their Spanish messages. */
export const idField = z.coerce
  .number({ error: 'Identificador inválido.' })
  .int({ error: 'Identificador inválido.' })
  .positive({ error: 'Identificador inválido.' });

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
      .max(200, { error: 'El nombre admite hasta 200 caracteres.' }),
  );

export const regionIdField = z.coerce
  .number({ error: 'Seleccione la región sanitaria.' })
  .int({ error: 'Seleccione la región sanitaria.' })
  .positive({ error: 'Seleccione la región sanitaria.' });

export const regionName = z
  .string({ error: 'Ingrese el nombre de la región.' })
  .trim()
  .transform((s) => s.replace(/\s+/g, ' '))
  .pipe(
    z
      .string()
      .min(2, { error: 'El nombre de la región debe tener al menos 2 caracteres.' })
      .max(100, { error: 'El nombre de la región admite hasta 100 caracteres.' })
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
