/**
 * Spanish labels of the stored audit codes, for the auditors' screens and exports. The codes are
 * a contract (never renamed); only these labels may be reworded. A code without a label (one
 * added later) is shown as itself rather than hidden.
 */

/** login_events.reason (docs/audit-codes.md). */
export const REASON_LABELS: Readonly<Record<string, string>> = {
  login: 'Sesión iniciada',
  // A sign-in to an HIS module: the strength (`acr`) the module got (src/areas/oidc).
  acr_password: 'Ingreso al módulo con contraseña',
  acr_eid_recent:
    'Ingreso al módulo con contraseña (Identidad Electrónica usada en los últimos meses)',
  acr_eid: 'Ingreso al módulo con Identidad Electrónica en esta sesión',
  degraded_mode: 'Sesión iniciada en modo de contingencia (Identidad Electrónica no disponible)',
  unknown_user: 'Usuario inexistente',
  bad_password: 'Contraseña incorrecta',
  no_password: 'La cuenta no tiene contraseña del HIS',
  account_locked: 'Cuenta bloqueada por intentos fallidos',
  account_disabled: 'Cuenta deshabilitada',
  account_expired: 'Cuenta vencida (temporal)',
  assignment_expired: 'Asignación al establecimiento vencida',
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
  idle_timeout: 'Cerrada por inactividad',
  absolute_timeout: 'Cerrada por duración máxima',
};

/**
 * The login history's "Motivo" filter: what an auditor looks for, in plain Spanish, by theme.
 * Several stored codes that mean one thing to an auditor ("the provider's answer was not
 * valid": state, nonce, signature, issuer…) are one choice; each row still shows its own reason.
 * A stored code is still accepted in the URL (links made before the grouping).
 */
export const REASON_FILTERS: readonly {
  group: string;
  choices: readonly { value: string; label: string; codes: readonly string[] }[];
}[] = [
  {
    group: 'Ingresos y sesiones',
    choices: [
      { value: 'login', label: 'Sesión iniciada', codes: ['login'] },
      {
        value: 'degraded_mode',
        label: 'Sesión iniciada en modo de contingencia',
        codes: ['degraded_mode'],
      },
      {
        value: 'establishment_switch',
        label: 'Cambio de establecimiento',
        codes: ['establishment_switch'],
      },
      { value: 'logout', label: 'Cierre de sesión', codes: ['logout'] },
      {
        value: 'timeouts',
        label: 'Sesión cerrada por tiempo (inactividad o duración máxima)',
        codes: ['idle_timeout', 'absolute_timeout'],
      },
    ],
  },
  {
    group: 'Módulos del HIS',
    choices: [
      { value: 'acr_password', label: 'Ingreso al módulo con contraseña', codes: ['acr_password'] },
      {
        value: 'acr_eid_recent',
        label: 'Ingreso al módulo con contraseña (Identidad Electrónica reciente)',
        codes: ['acr_eid_recent'],
      },
      {
        value: 'acr_eid',
        label: 'Ingreso al módulo con Identidad Electrónica',
        codes: ['acr_eid'],
      },
    ],
  },
  {
    group: 'Usuario y contraseña',
    choices: [
      { value: 'unknown_user', label: 'Usuario inexistente', codes: ['unknown_user'] },
      { value: 'bad_password', label: 'Contraseña incorrecta', codes: ['bad_password'] },
      {
        value: 'no_password',
        label: 'La cuenta no tiene contraseña del HIS',
        codes: ['no_password'],
      },
      { value: 'account_disabled', label: 'Cuenta deshabilitada', codes: ['account_disabled'] },
      {
        value: 'account_expired',
        label: 'Cuenta o asignación vencida',
        codes: ['account_expired', 'assignment_expired'],
      },
      {
        value: 'locked',
        label: 'Cuenta bloqueada por intentos fallidos',
        codes: ['account_locked', 'lockout_started'],
      },
      {
        value: 'throttled',
        label: 'Demasiados intentos (límites contra ataques)',
        codes: ['throttled_account', 'throttled_ip', 'throttled_network', 'throttled_spray'],
      },
    ],
  },
  {
    group: 'Identidad Electrónica',
    choices: [
      {
        value: 'eid_ok',
        label: 'Identidad Electrónica verificada',
        codes: ['eid_verified', 'eid_reauthenticated', 'refresh'],
      },
      {
        value: 'eid_demanded',
        label: 'Se exigió ingresar con la Identidad Electrónica',
        codes: ['eid_reauth_expired', 'eid_required_never_used'],
      },
      {
        value: 'eid_cancelled',
        label: 'Cancelado en la Identidad Electrónica',
        codes: ['eid_cancelled'],
      },
      {
        value: 'eid_flow',
        label: 'Inicio vencido o sin iniciar',
        codes: ['eid_no_flow', 'eid_flow_expired'],
      },
      {
        value: 'eid_invalid_response',
        label: 'Respuesta inválida del proveedor',
        codes: [
          'eid_state_mismatch',
          'eid_missing_code',
          'eid_bad_signature',
          'eid_bad_algorithm',
          'eid_wrong_issuer',
          'eid_wrong_audience',
          'eid_token_expired',
          'eid_nonce_mismatch',
          'eid_invalid_token',
          'eid_missing_document',
          'eid_auth_too_old',
        ],
      },
      {
        value: 'eid_provider_failure',
        label: 'El proveedor falló o no respondió',
        codes: ['eid_provider_error', 'eid_provider_unreachable', 'eid_timeout'],
      },
      {
        value: 'eid_unknown_document',
        label: 'Cédula sin cuenta en el HIS',
        codes: ['eid_unknown_document'],
      },
      {
        value: 'eid_other_person',
        label: 'Otra persona u otra identidad',
        codes: ['eid_identity_mismatch', 'eid_reauth_other_person'],
      },
    ],
  },
  {
    group: 'Establecimiento',
    choices: [
      {
        value: 'no_establishment',
        label: 'Sin establecimiento asignado',
        codes: ['no_establishment'],
      },
      {
        value: 'cancelled_by_user',
        label: 'Cancelado por el usuario («No soy yo»)',
        codes: ['cancelled_by_user'],
      },
      {
        value: 'switch_not_assigned',
        label: 'Cambio a un establecimiento no asignado',
        codes: ['switch_not_assigned'],
      },
    ],
  },
];

/** The stored codes a "Motivo" choice stands for: a grouped choice, or one stored code. */
export function reasonCodes(value: string): readonly string[] | null {
  for (const { choices } of REASON_FILTERS) {
    const choice = choices.find((c) => c.value === value);
    if (choice) return choice.codes;
  }
  return Object.hasOwn(REASON_LABELS, value) ? [value] : null;
}

/** login_events.method. */
export const METHOD_LABELS: Readonly<Record<string, string>> = {
  classic: 'Usuario y contraseña',
  eid: 'Identidad Electrónica',
  logout: 'Cierre de sesión',
  switch: 'Cambio de establecimiento',
  session: 'Vencimiento de sesión',
  module: 'Ingreso a un módulo del HIS',
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
  'users.import': 'Importar personal (CSV)',
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
  'users.moveEstablishment': 'Trasladar a otro establecimiento',
  'users.setValidity': 'Cambiar la vigencia de la cuenta',
  'users.setAssignmentValidity': 'Cambiar la vigencia de una asignación',
  'users.expire': 'Vencimiento de la cuenta',
  'users.expireAssignment': 'Vencimiento de una asignación',
  'users.resumeAssignment': 'Reactivar una asignación en pausa',
  'users.disableInactive': 'Deshabilitar por inactividad',
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
  'me.acceptAgreement': 'Aceptar el acuerdo de confidencialidad',
  'agreement.read': 'Ver el acuerdo de confidencialidad',
  'agreement.publish': 'Publicar una versión del acuerdo de confidencialidad',
  'reviews.read': 'Ver las revisiones de accesos',
  'reviews.open': 'Abrir una revisión de accesos',
  'reviews.confirm': 'Revisión de accesos: confirmar los accesos de una persona',
  'reviews.close': 'Cerrar una revisión de accesos',
  'reviews.suspendRoles': 'Revisión de accesos: roles quitados por quedar sin revisar',
  'reviews.export': 'Exportar el resultado de una revisión de accesos (CSV)',
  'modules.list': 'Ver los módulos del HIS',
  'modules.register': 'Registrar un módulo del HIS (OpenID Connect)',
  'modules.disable': 'Deshabilitar un módulo del HIS',
  'modules.enable': 'Habilitar un módulo del HIS',
  'modules.rotateSecret': 'Nuevo secreto de un módulo del HIS',
  'modules.logoutUndelivered': 'Cierre de sesión no entregado a un módulo del HIS',
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
