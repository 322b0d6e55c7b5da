import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** A health establishment (hospital, USF, centro de salud) where staff work. */
export class Establishment extends Model<
  InferAttributes<Establishment>,
  InferCreationAttributes<Establishment>
> {
  declare id: CreationOptional<number>;
  declare code: string;
  declare name: string;
  declare regionId: number;
  declare active: CreationOptional<boolean>;

  static initModel(sequelize: Sequelize): void {
    Establishment.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        code: { type: DataTypes.TEXT, allowNull: false, unique: true },
        name: { type: DataTypes.TEXT, allowNull: false },
        regionId: { type: DataTypes.INTEGER, allowNull: false },
        active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      },
      { sequelize, tableName: 'establishments' },
    );
  }
}
