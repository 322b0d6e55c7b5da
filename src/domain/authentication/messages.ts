/** One message for every credential failure, whichever login method: the reason goes only to the audit. */
export const GENERIC_FAILURE = 'Usuario o contraseña incorrectos';
