import { User } from '../db/models';

/** One-query look-ups of users. */
export const findUserById = (id: number) => User.findByPk(id);

export const findUserByUsername = (username: string) =>
  User.findOne({ where: { username: username.trim().toLowerCase() } });

export const findUserByDocument = (documentNumber: string) =>
  User.findOne({ where: { documentNumber } });
