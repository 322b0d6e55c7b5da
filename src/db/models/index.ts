import type { Sequelize } from 'sequelize';
import { defineRegionModel } from './region';
import { defineEstablishmentModel } from './establishment';
import { defineUserModel } from './user';
import { defineUserEstablishmentModel } from './user-establishment';
import { defineUserRoleModel } from './user-role';
import { defineEidIdentityModel } from './eid-identity';

/**
 * Defines the models on one connection. Each call makes classes of its own, so two Sequelize
 * instances (two apps in one test file, the CLI and a server) never share a binding. Only
 * repositories receive these; the audit tables have no models (src/storage/audit appends to them).
 */
export function defineModels(sequelize: Sequelize) {
  const models = {
    Region: defineRegionModel(sequelize),
    Establishment: defineEstablishmentModel(sequelize),
    User: defineUserModel(sequelize),
    UserEstablishment: defineUserEstablishmentModel(sequelize),
    UserRole: defineUserRoleModel(sequelize),
    EidIdentity: defineEidIdentityModel(sequelize),
  };
  models.Establishment.belongsTo(models.Region, { foreignKey: 'regionId', as: 'region' });
  models.UserEstablishment.belongsTo(models.Establishment, {
    foreignKey: 'establishmentId',
    as: 'establishment',
  });
  return models;
}

export type Models = ReturnType<typeof defineModels>;
