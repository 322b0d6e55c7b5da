import type { Sequelize } from 'sequelize';
import { Establishment, User, UserEstablishment, UserRole, ROLES, type Role } from '../db/models';
import { AppError } from '../shared/errors';
import { normalizeCedula } from '../shared/cedula';
import { hashPassword } from '../auth/classic/passwords';

export interface NewUser {
  username: string;
  document: string;
  name: string;
  role: string;
  establishmentCodes: string[];
  /** undefined: an e-ID-only account. An empty string is refused. */
  password?: string;
  email?: string;
  lastEidLoginAt?: Date | null;
}

const invalid = (message: string) => new AppError('invalid_input', 400, message);

export const USERNAME_PATTERN = /^[a-z][a-z0-9._-]{2,49}$/;

/**
 * Creates an account with its role and establishments in one transaction: on any bad input
 * nothing is written and the error says what to fix, in Spanish.
 */
export async function createUser(sequelize: Sequelize, input: NewUser): Promise<User> {
  const username = input.username.trim().toLowerCase();
  if (!USERNAME_PATTERN.test(username)) {
    throw invalid(
      `Usuario inválido "${input.username}": use de 3 a 50 letras minúsculas, números, punto, guion o guion bajo, empezando por una letra.`,
    );
  }
  const documentNumber = normalizeCedula(input.document);
  if (!documentNumber)
    throw invalid(`Cédula inválida "${input.document}": use solo números (por ejemplo 1.234.567).`);
  const fullName = input.name.trim();
  if (fullName.length < 3) throw invalid('El nombre completo es obligatorio.');
  if (!(ROLES as readonly string[]).includes(input.role)) {
    throw invalid(`Rol inválido "${input.role}": use ${ROLES.join(', ')}.`);
  }
  if (input.password !== undefined && input.password.length === 0) {
    throw invalid(
      'La contraseña está vacía. Omita --password-stdin para crear una cuenta solo con Identidad Electrónica.',
    );
  }
  if (input.password !== undefined && input.password.length < 8) {
    throw invalid('La contraseña debe tener al menos 8 caracteres.');
  }
  const codes = [...new Set(input.establishmentCodes.map((c) => c.trim().toUpperCase()))];
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);

  return sequelize.transaction(async (transaction) => {
    if (await User.findOne({ where: { username }, transaction })) {
      throw invalid(`El usuario "${username}" ya existe.`);
    }
    if (await User.findOne({ where: { documentNumber }, transaction })) {
      throw invalid(`Ya existe un usuario con la cédula ${documentNumber}.`);
    }
    const establishments = await Establishment.findAll({ where: { code: codes }, transaction });
    const missing = codes.filter((c) => !establishments.some((e) => e.code === c));
    if (missing.length) throw invalid(`Establecimiento desconocido: ${missing.join(', ')}.`);

    const user = await User.create(
      {
        username,
        documentNumber,
        fullName,
        passwordHash,
        email: input.email ?? null,
        lastEidLoginAt: input.lastEidLoginAt ?? null,
      },
      { transaction },
    );
    await UserRole.create({ userId: user.id, role: input.role as Role }, { transaction });
    await UserEstablishment.bulkCreate(
      establishments.map((e) => ({ userId: user.id, establishmentId: e.id })),
      { transaction },
    );
    return user;
  });
}
