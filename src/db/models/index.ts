import type { Sequelize } from 'sequelize';
import { Region } from './region';
import { Establishment } from './establishment';
import { User } from './user';
import { UserEstablishment } from './user-establishment';
import { UserRole } from './user-role';
import { EidIdentity } from './eid-identity';

export { Region, Establishment, User, UserEstablishment, UserRole, EidIdentity };
export { ROLES, type Role } from './user-role';

/**
 * Binds the models to a connection. The audit tables have no models: they are written only
 * through the hash-chained appender in src/audit.
 */
export function initModels(sequelize: Sequelize): void {
  for (const model of [Region, Establishment, User, UserEstablishment, UserRole, EidIdentity]) {
    model.initModel(sequelize);
  }
  Establishment.belongsTo(Region, { foreignKey: 'regionId', as: 'region' });
  UserEstablishment.belongsTo(Establishment, {
    foreignKey: 'establishmentId',
    as: 'establishment',
  });
}
