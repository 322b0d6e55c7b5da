import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export const ROLES = ['staff', 'admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** A role, optionally scoped to a region (regional admin) or an establishment. */
export class UserRole extends Model<InferAttributes<UserRole>, InferCreationAttributes<UserRole>> {
  declare id: CreationOptional<number>;
  declare userId: number;
  declare role: Role;
  declare regionId: CreationOptional<number | null>;
  declare establishmentId: CreationOptional<number | null>;

  static initModel(sequelize: Sequelize): void {
    UserRole.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        userId: { type: DataTypes.INTEGER, allowNull: false },
        role: { type: DataTypes.TEXT, allowNull: false },
        regionId: { type: DataTypes.INTEGER },
        establishmentId: { type: DataTypes.INTEGER },
      },
      { sequelize, tableName: 'user_roles', updatedAt: false },
    );
  }
}
