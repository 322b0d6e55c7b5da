import { Establishment, UserEstablishment } from '../db/models';

/** The active establishments assigned to a user, by name. */
export async function listAssignedEstablishments(userId: number): Promise<Establishment[]> {
  const rows = await UserEstablishment.findAll({
    where: { userId },
    include: [{ model: Establishment, as: 'establishment', where: { active: true } }],
  });
  return rows
    .map((row) => (row as UserEstablishment & { establishment: Establishment }).establishment)
    .sort((a, b) => a.name.localeCompare(b.name, 'es'));
}

export const findEstablishmentById = (id: number) => Establishment.findByPk(id);
