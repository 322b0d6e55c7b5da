import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** A health establishment (hospital, USF, centro de salud) where staff work. */
export function defineEstablishmentModel(sequelize: Sequelize) {
  class Row extends Model<InferAttributes<Row>, InferCreationAttributes<Row>> {
    declare id: CreationOptional<number>;
    declare code: string;
    declare name: string;
    declare regionId: number;
    declare active: CreationOptional<boolean>;
  }
  Row.init(
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      code: { type: DataTypes.TEXT, allowNull: false, unique: true },
      name: { type: DataTypes.TEXT, allowNull: false },
      regionId: { type: DataTypes.INTEGER, allowNull: false },
      active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    },
    { sequelize, modelName: 'Establishment', tableName: 'establishments' },
  );
  return Row;
}

export type EstablishmentModel = ReturnType<typeof defineEstablishmentModel>;
