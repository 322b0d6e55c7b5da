import {
  DataTypes,
  Model,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** An establishment assigned to a user: only these are offered at login. */
export function defineUserEstablishmentModel(sequelize: Sequelize) {
  class Row extends Model<InferAttributes<Row>, InferCreationAttributes<Row>> {
    declare userId: number;
    declare establishmentId: number;
  }
  Row.init(
    {
      userId: { type: DataTypes.INTEGER, primaryKey: true },
      establishmentId: { type: DataTypes.INTEGER, primaryKey: true },
    },
    {
      sequelize,
      modelName: 'UserEstablishment',
      tableName: 'user_establishments',
      updatedAt: false,
    },
  );
  return Row;
}

export type UserEstablishmentModel = ReturnType<typeof defineUserEstablishmentModel>;
