import { z } from 'zod';
import { UniqueConstraintError } from 'sequelize';
import { defineCommand } from '../../../access/command';
import { cedulaField, conflict, ValidationError } from '../../../shared/validation';
import {
  loadLockedUser,
  RELOAD,
  userIdField,
  type UserCommandDeps,
  outsideScope,
} from '../user-command';
import type { LoadedUser } from '../load-target';

const taken = () =>
  new ValidationError({ documentNumber: 'Ya existe otro usuario con esta cédula.' });

const schema = z.object({
  userId: userIdField,
  version: z.coerce.number({ error: RELOAD }).int(RELOAD).min(0, RELOAD),
  fullName: z
    .string({ error: 'Ingrese el nombre completo.' })
    .trim()
    .min(3, 'Ingrese el nombre completo (al menos 3 caracteres).')
    .max(200, 'El nombre puede tener como máximo 200 caracteres.'),
  documentNumber: cedulaField('Ingrese el número de cédula.'),
  email: z
    .string()
    .trim()
    .max(200, 'El correo puede tener como máximo 200 caracteres.')
    .refine(
      (v) => v === '' || z.email().safeParse(v).success,
      'Ingrese un correo electrónico válido.',
    )
    .transform((v) => (v === '' ? null : v.toLowerCase()))
    .default(''),
});

type Profile = Pick<LoadedUser['user'], 'fullName' | 'documentNumber' | 'email'>;

/** The fields that differ, as before → after. */
function changes(before: Profile, after: Profile) {
  const keys = (['fullName', 'documentNumber', 'email'] as const).filter(
    (k) => before[k] !== after[k],
  );
  return {
    before: Object.fromEntries(keys.map((k) => [k, before[k]])),
    after: Object.fromEntries(keys.map((k) => [k, after[k]])),
  };
}

/**
 * Edits name, cédula and email. The form carries the version it was read at: if anyone changed
 * the user since, nothing is written and the administrator is told to review and save again.
 * A new cédula releases the user's e-ID bindings, which belonged to the old number.
 */
export const updateProfile = defineCommand({
  action: 'users.update',
  conceal: outsideScope,
  schema,
  load: loadLockedUser,
  async apply(deps: UserCommandDeps, { input, target: { user }, transaction }) {
    if (input.version !== user.version)
      throw conflict(
        'Otra persona modificó este usuario mientras usted editaba. Revise los datos actuales y vuelva a guardar.',
      );
    const next: Profile = {
      fullName: input.fullName,
      documentNumber: input.documentNumber,
      email: input.email,
    };
    const diff = changes(user, next);
    const newCedula = user.documentNumber !== next.documentNumber;
    if (newCedula) {
      const holder = await deps.repos.users.findByDocument(next.documentNumber, transaction);
      if (holder && holder.id !== user.id) throw taken();
    }
    try {
      await deps.repos.users.update(user.id, next, transaction);
    } catch (err) {
      if (err instanceof UniqueConstraintError) throw taken();
      throw err;
    }
    const unbound = newCedula ? await deps.repos.identities.unbindUser(user.id, transaction) : 0;
    return {
      result: { userId: user.id },
      audit: { details: { ...diff, ...(unbound ? { eidBindingsRemoved: unbound } : {}) } },
    };
  },
  after: (deps, { userId }) => deps.identities.refresh(userId),
});
