import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** The (issuer, subject) pair of an e-ID account, bound to one HIS user at first use. */
export class EidIdentity extends Model<
  InferAttributes<EidIdentity>,
  InferCreationAttributes<EidIdentity>
> {
  declare id: CreationOptional<number>;
  declare issuer: string;
  declare subject: string;
  declare userId: number;
  declare lastUsedAt: CreationOptional<Date | null>;

  static initModel(sequelize: Sequelize): void {
    EidIdentity.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        issuer: { type: DataTypes.TEXT, allowNull: false },
        subject: { type: DataTypes.TEXT, allowNull: false },
        userId: { type: DataTypes.INTEGER, allowNull: false },
        lastUsedAt: { type: DataTypes.DATE },
      },
      { sequelize, tableName: 'eid_identities', updatedAt: false },
    );
  }
}
