import { z } from 'zod';
import { cedulaField, idField } from '../../shared/validation';
import { ROLES } from '../../shared/roles';
import { validUntilField } from './validity';

/** A username: 3 to 50 lower-case letters, digits, `.`, `_` or `-`, starting with a letter. */
export const USERNAME_PATTERN = /^[a-z][a-z0-9._-]{2,49}$/;

const blankAsAbsent = (v: unknown) => (v === '' ? undefined : v);
const asList = (v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);
const required = (message: string) =>
  z.string({ error: message }).trim().min(1, { error: message });

/** The creation form: Spanish messages per field (the form shows each beside its field). */
export const newUserSchema = z
  .object({
    fullName: required('Escriba el nombre completo.')
      .min(3, { error: 'Escriba el nombre completo (al menos 3 letras).' })
      .max(200, { error: 'El nombre admite hasta 200 caracteres.' }),
    documentNumber: cedulaField('Escriba el número de cédula.'),
    username: required('Escriba el nombre de usuario.').toLowerCase().regex(USERNAME_PATTERN, {
      error:
        'Use de 3 a 50 letras minúsculas, números, punto, guion o guion bajo, empezando por una letra.',
    }),
    email: z.preprocess(
      blankAsAbsent,
      z
        .email({
          error: 'Escriba un correo válido (por ejemplo nombre@ejemplo.com.py) o déjelo vacío.',
        })
        .max(254, { error: 'El correo admite hasta 254 caracteres.' })
        .optional(),
    ),
    establishmentIds: z.preprocess(
      asList,
      z
        .array(idField('Seleccione establecimientos de la lista.'), {
          error: 'Seleccione establecimientos de la lista.',
        })
        .min(1, { error: 'Seleccione al menos un establecimiento.' })
        .max(100, { error: 'Seleccione como máximo 100 establecimientos.' }),
    ),
    role: z.enum(ROLES, { error: 'Elija el rol inicial.' }),
    roleScope: z.preprocess(
      blankAsAbsent,
      z
        .string()
        .regex(/^(global|region:[1-9]\d{0,8}|establishment:[1-9]\d{0,8})$/, {
          error: 'Elija dónde se aplica el rol.',
        })
        .optional(),
    ),
    accountKind: z.enum(['password', 'eid'], { error: 'Elija cómo ingresará la persona.' }),
    /** Temporary staff: the last valid day (aaaa-mm-dd); empty: no end. */
    validUntil: validUntilField.optional(),
  })
  .refine((input) => input.role === 'staff' || input.roleScope !== undefined, {
    path: ['roleScope'],
    error: 'Elija dónde se aplica el rol de Administrador o Auditor.',
    // Also when other fields are wrong, so that every message shows at once.
    when: ({ value }) =>
      ['admin', 'auditor'].includes((value as { role?: unknown })?.role as string),
  });

export type NewUserInput = z.infer<typeof newUserSchema>;
