import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** The (issuer, subject) pair of an e-ID account, bound to one HIS user at first use. */
export function defineEidIdentityModel(sequelize: Sequelize) {
  class Row extends Model<InferAttributes<Row>, InferCreationAttributes<Row>> {
    declare id: CreationOptional<number>;
    declare issuer: string;
    declare subject: string;
    declare userId: number;
    declare lastUsedAt: CreationOptional<Date | null>;
  }
  Row.init(
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      issuer: { type: DataTypes.TEXT, allowNull: false },
      subject: { type: DataTypes.TEXT, allowNull: false },
      userId: { type: DataTypes.INTEGER, allowNull: false },
      lastUsedAt: { type: DataTypes.DATE },
    },
    { sequelize, modelName: 'EidIdentity', tableName: 'eid_identities', updatedAt: false },
  );
  return Row;
}

export type EidIdentityModel = ReturnType<typeof defineEidIdentityModel>;
