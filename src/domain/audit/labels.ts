/**
 * Spanish labels of the stored audit codes, for the auditors' screens and exports. The codes are
 * a contract (never renamed); only these labels may be reworded. A code without a label (one
 * added later) is shown as itself rather than hidden.
 */

/** login_events.reason (docs/audit-codes.md). */
export const REASON_LABELS: Readonly<Record<string, string>> = {
  login: 'Sesión iniciada',
  degraded_mode: 'Sesión iniciada en modo de contingencia (Identidad Electrónica no disponible)',
  unknown_user: 'Usuario inexistente',
  bad_password: 'Contraseña incorrecta',
  no_password: 'La cuenta no tiene contraseña del HIS',
  account_locked: 'Cuenta bloqueada por intentos fallidos',
  account_disabled: 'Cuenta deshabilitada',
  lockout_started: 'La cuenta quedó bloqueada por intentos fallidos',
  throttled_account: 'Cuenta con demasiados intentos fallidos: equipo nuevo rechazado',
  throttled_ip: 'Demasiados intentos fallidos desde esta dirección IP',
  throttled_network: 'Demasiados intentos fallidos desde una red de establecimiento de confianza',
  throttled_spray: 'Demasiados usuarios distintos fallidos desde esta dirección en el día',
  eid_reauth_expired: 'Debe volver a ingresar con Identidad Electrónica (plazo vencido)',
  eid_required_never_used: 'Debe ingresar con Identidad Electrónica (nunca la usó)',
  eid_verified: 'Identidad Electrónica verificada',
  eid_reauthenticated: 'Identidad Electrónica verificada nuevamente',
  eid_cancelled: 'Cancelado en la Identidad Electrónica',
  eid_no_flow: 'Respuesta de la Identidad Electrónica sin inicio en curso',
  eid_flow_expired: 'El inicio con Identidad Electrónica expiró',
  eid_state_mismatch: 'Respuesta de la Identidad Electrónica que no corresponde (state)',
  eid_missing_code: 'Respuesta de la Identidad Electrónica sin código',
  eid_bad_signature: 'Firma del token inválida',
  eid_bad_algorithm: 'Algoritmo de firma del token no admitido',
  eid_wrong_issuer: 'Emisor del token incorrecto',
  eid_wrong_audience: 'Destinatario del token incorrecto',
  eid_token_expired: 'Token vencido',
  eid_nonce_mismatch: 'Token que no corresponde a este inicio (nonce)',
  eid_invalid_token: 'Token inválido',
  eid_missing_document: 'El token no trae número de cédula',
  eid_auth_too_old: 'Autenticación en la Identidad Electrónica demasiado antigua',
  eid_provider_error: 'Error del proveedor de Identidad Electrónica',
  eid_provider_unreachable: 'Proveedor de Identidad Electrónica inaccesible',
  eid_timeout: 'El proveedor de Identidad Electrónica no respondió a tiempo',
  eid_unknown_document: 'Cédula sin cuenta en el HIS',
  eid_identity_mismatch: 'Cédula vinculada a otra identidad',
  eid_reauth_other_person: 'La Identidad Electrónica devolvió a otra persona',
  refresh: 'Verificación de Identidad Electrónica desde la sesión',
  no_establishment: 'Sin establecimiento asignado',
  cancelled_by_user: 'Cancelado por el usuario («No soy yo»)',
  establishment_switch: 'Cambio de establecimiento',
  switch_not_assigned: 'Cambio a un establecimiento no asignado',
  logout: 'Cierre de sesión',
  idle_timeout: 'Sesión cerrada por inactividad',
  absolute_timeout: 'Sesión cerrada por duración máxima',
};

/** login_events.method. */
export const METHOD_LABELS: Readonly<Record<string, string>> = {
  classic: 'Usuario y contraseña',
  eid: 'Identidad Electrónica',
  logout: 'Cierre de sesión',
  switch: 'Cambio de establecimiento',
  session: 'Vencimiento de sesión',
};

/** login_events.outcome. */
export const OUTCOME_LABELS: Readonly<Record<string, string>> = {
  success: 'Exitoso',
  failure: 'Fallido',
  info: 'Informativo',
};

/** admin_events.outcome. */
export const ADMIN_OUTCOME_LABELS: Readonly<Record<string, string>> = {
  success: 'Realizada',
  denied: 'Rechazada',
};

/**
 * admin_events.action: each command's audit code (its policy's name unless the policy covers
 * several acts), the policy names of refused routes, the self-service codes, exports.
 */
export const ACTION_LABELS: Readonly<Record<string, string>> = {
  'users.list': 'Ver la lista de usuarios',
  'users.read': 'Ver un usuario',
  'users.create': 'Crear usuario',
  'users.update': 'Modificar datos de usuario',
  'users.disable': 'Deshabilitar usuario',
  'users.enable': 'Habilitar usuario',
  'users.unlock': 'Desbloquear usuario',
  'users.resetPassword': 'Restablecer contraseña',
  'users.exempt': 'Eximir de la Identidad Electrónica',
  'users.clearExemption': 'Quitar la exención de la Identidad Electrónica',
  // Rows stored before each act had its own code (ending one session and ending all shared it).
  'users.endSessions': 'Cerrar sesiones de un usuario',
  'users.endSession': 'Cerrar una sesión de un usuario',
  'users.endAllSessions': 'Cerrar todas las sesiones de un usuario',
  'users.assignEstablishment': 'Asignar establecimiento',
  'users.unassignEstablishment': 'Quitar establecimiento',
  'users.grantRole': 'Otorgar rol',
  'users.revokeRole': 'Quitar rol',
  'establishments.list': 'Ver la lista de establecimientos',
  'establishments.create': 'Crear establecimiento',
  'establishments.import': 'Importar establecimientos (CSV)',
  'establishments.update': 'Modificar establecimiento',
  'establishments.deactivate': 'Desactivar establecimiento',
  'establishments.activate': 'Activar establecimiento',
  'regions.list': 'Ver las regiones sanitarias',
  // Rows stored before creating and renaming had codes of their own.
  'regions.manage': 'Crear o renombrar región sanitaria',
  'regions.create': 'Crear región sanitaria',
  'regions.rename': 'Renombrar región sanitaria',
  'regions.rollout': 'Fecha de obligatoriedad de la Identidad Electrónica',
  'sessions.switchEstablishment': 'Cambiar de establecimiento',
  'audit.read': 'Consultar la auditoría',
  'audit.export': 'Exportar auditoría (CSV)',
  'audit.purge': 'Depurar la auditoría (retención)',
  // The application's own decisions about the e-ID provider (src/domain/authentication/eid-state-audit.ts).
  'eid.providerDown': 'Identidad Electrónica no disponible: inicia el modo de contingencia',
  'eid.providerUp': 'Identidad Electrónica disponible: termina el modo de contingencia',
  observability: 'Consultar métricas y estado del servicio',
  'me.changePassword': 'Cambiar su propia contraseña',
  'me.resetPasswordWithEid': 'Nueva contraseña con Identidad Electrónica',
  'me.closeOtherSessions': 'Cerrar sus otras sesiones',
  authenticated: 'Acción de usuario con sesión',
  public: 'Acción pública',
};

/** The label of a code, or the code itself when it has none (a newer code is never hidden). */
export const labelOf = (labels: Readonly<Record<string, string>>, code: string | null): string =>
  code === null ? '' : (labels[code] ?? code);

/** Codes and labels for a `<select>`, by label. */
export const optionsOf = (labels: Readonly<Record<string, string>>) =>
  Object.entries(labels)
    .map(([value, label]) => ({ value, label }))
    .sort((a, b) => a.label.localeCompare(b.label, 'es'));
