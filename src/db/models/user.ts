import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

import type { UserStatus } from '../../shared/roles';

/** An HIS account. `passwordHash` is null for e-ID-only accounts. */
export function defineUserModel(sequelize: Sequelize) {
  class Row extends Model<InferAttributes<Row>, InferCreationAttributes<Row>> {
    declare id: CreationOptional<number>;
    declare username: string;
    declare documentNumber: string;
    declare fullName: string;
    declare email: CreationOptional<string | null>;
    declare passwordHash: CreationOptional<string | null>;
    declare status: CreationOptional<UserStatus>;
    declare lastEidLoginAt: CreationOptional<Date | null>;
    declare lastLoginAt: CreationOptional<Date | null>;
    declare lastEstablishmentId: CreationOptional<number | null>;
    declare eidExemptUntil: CreationOptional<Date | null>;
    declare eidExemptReason: CreationOptional<string | null>;
    declare mustChangePassword: CreationOptional<boolean>;
    declare validUntil: CreationOptional<Date | null>;
    declare expiryRecordedAt: CreationOptional<Date | null>;
    declare inactivityResetAt: CreationOptional<Date | null>;
    declare agreementVersion: CreationOptional<number>;
    declare version: CreationOptional<number>;
    declare createdAt: CreationOptional<Date>;
  }
  Row.init(
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      username: { type: DataTypes.TEXT, allowNull: false, unique: true },
      documentNumber: { type: DataTypes.TEXT, allowNull: false, unique: true },
      fullName: { type: DataTypes.TEXT, allowNull: false },
      email: { type: DataTypes.TEXT },
      passwordHash: { type: DataTypes.TEXT },
      status: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'active' },
      lastEidLoginAt: { type: DataTypes.DATE },
      lastLoginAt: { type: DataTypes.DATE },
      lastEstablishmentId: { type: DataTypes.INTEGER },
      eidExemptUntil: { type: DataTypes.DATE },
      eidExemptReason: { type: DataTypes.TEXT },
      mustChangePassword: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      // Temporary staff: the first instant after the account's last valid day (null: no end).
      validUntil: { type: DataTypes.DATE },
      expiryRecordedAt: { type: DataTypes.DATE },
      // Re-enabled after a disable for inactivity: its inactivity counts from here.
      inactivityResetAt: { type: DataTypes.DATE },
      // The latest confidentiality agreement version the person accepted (0: none).
      agreementVersion: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      // Optimistic concurrency: two administrators saving the same user cannot overwrite each other.
      version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      createdAt: { type: DataTypes.DATE },
    },
    { sequelize, modelName: 'User', tableName: 'users' },
  );
  return Row;
}

export type UserModel = ReturnType<typeof defineUserModel>;
