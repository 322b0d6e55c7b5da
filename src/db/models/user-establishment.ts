import {
  DataTypes,
  Model,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** An establishment assigned to a user: only these are offered at login. */
export class UserEstablishment extends Model<
  InferAttributes<UserEstablishment>,
  InferCreationAttributes<UserEstablishment>
> {
  declare userId: number;
  declare establishmentId: number;

  static initModel(sequelize: Sequelize): void {
    UserEstablishment.init(
      {
        userId: { type: DataTypes.INTEGER, primaryKey: true },
        establishmentId: { type: DataTypes.INTEGER, primaryKey: true },
      },
      { sequelize, tableName: 'user_establishments', updatedAt: false },
    );
  }
}
