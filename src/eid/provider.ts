import { AppError } from '../shared/errors';

/** Who the e-ID provider says logged in. `documentNumber` is already normalised (digits). */
export interface EidIdentity {
  issuer: string;
  subject: string;
  documentNumber: string;
  fullName: string;
}

/** Per-attempt secrets kept in the browser's server-side session until the callback. */
export type EidFlow = Record<string, string | number | boolean> & { createdAt: number };

/**
 * One e-ID login interface over the two protocols (`EID_PROTOCOL=mitic|oidc`). Implementations
 * throw {@link EidError} with a stable reason code for every refusal.
 */
export interface EidProvider {
  readonly protocol: 'mitic' | 'oidc';
  /** The provider's URL to send the browser to, and the flow secrets to keep. */
  start(options: { forceReauth: boolean; now: Date }): Promise<{ url: string; flow: EidFlow }>;
  /** Verifies the callback against the flow and returns the identity. */
  finish(callbackUrl: URL, flow: EidFlow, now: Date): Promise<EidIdentity>;
  /** Where to end the provider's own session after "No soy yo" or logout, when it offers it. */
  endSessionUrl(postLogoutRedirectUri: string): Promise<string | null>;
  /** Whether the provider answers at all (the degraded-mode probe). */
  probe(): Promise<boolean>;
  /**
   * The origins a redirect of ours may send the browser to (authorize, logout): a form whose
   * redirect leads there needs them in the page's CSP `form-action`, which browsers apply to
   * every redirect after a form is posted ("¿Olvidó su contraseña?", logout, "No soy yo").
   */
  navigationOrigins(): string[];
}

/** Stored reason codes of refused e-ID logins (login_events.reason); never rename. */
export type EidReason =
  | 'eid_cancelled'
  | 'eid_no_flow'
  | 'eid_flow_expired'
  | 'eid_state_mismatch'
  | 'eid_missing_code'
  | 'eid_provider_error'
  | 'eid_provider_unreachable'
  | 'eid_timeout'
  | 'eid_bad_signature'
  | 'eid_bad_algorithm'
  | 'eid_wrong_issuer'
  | 'eid_wrong_audience'
  | 'eid_token_expired'
  | 'eid_nonce_mismatch'
  | 'eid_invalid_token'
  | 'eid_missing_document'
  | 'eid_auth_too_old';

const MESSAGES: Record<EidReason, [number, string]> = {
  eid_cancelled: [400, 'Inicio de sesión con Identidad Electrónica cancelado.'],
  eid_no_flow: [
    400,
    'No hay un inicio de sesión con Identidad Electrónica en curso en este navegador. Vuelva a intentarlo desde la pantalla de inicio.',
  ],
  eid_flow_expired: [
    400,
    'El inicio de sesión con Identidad Electrónica tardó demasiado y expiró. Vuelva a intentarlo.',
  ],
  eid_state_mismatch: [
    400,
    'La respuesta de Identidad Electrónica no corresponde a este navegador. Vuelva a intentarlo desde la pantalla de inicio.',
  ],
  eid_missing_code: [
    400,
    'La respuesta de Identidad Electrónica está incompleta. Vuelva a intentarlo.',
  ],
  eid_provider_error: [
    502,
    'El servicio de Identidad Electrónica respondió con un error. Intente nuevamente en unos minutos o ingrese con su usuario del HIS.',
  ],
  eid_provider_unreachable: [
    503,
    'El servicio de Identidad Electrónica no responde en este momento. Intente nuevamente en unos minutos o ingrese con su usuario del HIS.',
  ],
  eid_timeout: [
    504,
    'El servicio de Identidad Electrónica tardó demasiado en responder. Intente nuevamente en unos minutos o ingrese con su usuario del HIS.',
  ],
  eid_bad_signature: [
    502,
    'No se pudo verificar la respuesta de Identidad Electrónica. Por seguridad no se inició la sesión.',
  ],
  eid_bad_algorithm: [
    502,
    'No se pudo verificar la respuesta de Identidad Electrónica. Por seguridad no se inició la sesión.',
  ],
  eid_wrong_issuer: [
    502,
    'No se pudo verificar la respuesta de Identidad Electrónica. Por seguridad no se inició la sesión.',
  ],
  eid_wrong_audience: [
    502,
    'No se pudo verificar la respuesta de Identidad Electrónica. Por seguridad no se inició la sesión.',
  ],
  eid_token_expired: [
    502,
    'La respuesta de Identidad Electrónica ya no es válida. Vuelva a intentarlo.',
  ],
  eid_nonce_mismatch: [
    502,
    'No se pudo verificar la respuesta de Identidad Electrónica. Por seguridad no se inició la sesión.',
  ],
  eid_invalid_token: [
    502,
    'No se pudo verificar la respuesta de Identidad Electrónica. Por seguridad no se inició la sesión.',
  ],
  eid_missing_document: [
    502,
    'Identidad Electrónica no informó un número de cédula válido. No se inició la sesión.',
  ],
  eid_auth_too_old: [
    400,
    'Identidad Electrónica no confirmó un inicio de sesión reciente. Vuelva a intentarlo.',
  ],
};

/** A refused e-ID login: the reason goes to the audit, the Spanish message to the person. */
export class EidError extends AppError {
  constructor(
    readonly reason: EidReason,
    options?: { cause?: unknown },
  ) {
    const [status, message] = MESSAGES[reason];
    super(reason, status, message, options);
  }
}

/** Maps a failed HTTP call to the provider to unreachable / timeout. */
export function networkFailure(err: unknown): EidError | null {
  const e = err as { name?: string; cause?: { name?: string; code?: string } } | null;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.cause?.name === 'TimeoutError') {
    return new EidError('eid_timeout', { cause: err });
  }
  if (e?.name === 'TypeError' && /fetch failed/i.test(String((err as Error).message))) {
    return new EidError('eid_provider_unreachable', { cause: err });
  }
  return null;
}
