import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** An establishment assigned to a user: only these are offered at login. */
export function defineUserEstablishmentModel(sequelize: Sequelize) {
  class Row extends Model<InferAttributes<Row>, InferCreationAttributes<Row>> {
    declare userId: number;
    declare establishmentId: number;
    declare validUntil: CreationOptional<Date | null>;
    declare expiryRecordedAt: CreationOptional<Date | null>;
    declare lastChosenAt: CreationOptional<Date>;
  }
  Row.init(
    {
      userId: { type: DataTypes.INTEGER, primaryKey: true },
      establishmentId: { type: DataTypes.INTEGER, primaryKey: true },
      // The first instant after the assignment's last valid day (null: no end).
      validUntil: { type: DataTypes.DATE },
      expiryRecordedAt: { type: DataTypes.DATE },
      // When the person last chose it at login (or it was assigned, or reactivated).
      lastChosenAt: { type: DataTypes.DATE },
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
