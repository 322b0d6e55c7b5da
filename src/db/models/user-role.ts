import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

import type { Role } from '../../shared/roles';

/** A role, optionally scoped to a region (regional admin) or an establishment. */
export function defineUserRoleModel(sequelize: Sequelize) {
  class Row extends Model<InferAttributes<Row>, InferCreationAttributes<Row>> {
    declare id: CreationOptional<number>;
    declare userId: number;
    declare role: Role;
    declare regionId: CreationOptional<number | null>;
    declare establishmentId: CreationOptional<number | null>;
  }
  Row.init(
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      userId: { type: DataTypes.INTEGER, allowNull: false },
      role: { type: DataTypes.TEXT, allowNull: false },
      regionId: { type: DataTypes.INTEGER },
      establishmentId: { type: DataTypes.INTEGER },
    },
    { sequelize, modelName: 'UserRole', tableName: 'user_roles', updatedAt: false },
  );
  return Row;
}

export type UserRoleModel = ReturnType<typeof defineUserRoleModel>;
