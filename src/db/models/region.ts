import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** A Región Sanitaria: the scope of a regional administrator. */
export function defineRegionModel(sequelize: Sequelize) {
  class Row extends Model<InferAttributes<Row>, InferCreationAttributes<Row>> {
    declare id: CreationOptional<number>;
    declare code: string;
    declare name: string;
    /** ISO date from which the e-ID is mandatory in this región (null: the network default). */
    declare eidRequiredSince: CreationOptional<string | null>;
  }
  Row.init(
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      code: { type: DataTypes.TEXT, allowNull: false, unique: true },
      name: { type: DataTypes.TEXT, allowNull: false },
      eidRequiredSince: { type: DataTypes.DATEONLY },
    },
    { sequelize, modelName: 'Region', tableName: 'regions' },
  );
  return Row;
}

export type RegionModel = ReturnType<typeof defineRegionModel>;
