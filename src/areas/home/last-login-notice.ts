import type { LastLoginNotice } from '../../domain/sessions/types';
import { formatDateTime } from '../../shared/time';

export interface LastLoginMessage {
  /** `warning` when someone failed to get into the account since the last login. */
  kind: 'info' | 'warning';
  sentences: string[];
}

const attempts = (n: number) => (n === 1 ? '1 intento fallido' : `${n} intentos fallidos`);

/**
 * The one-time message of the home page after a login: "Su último ingreso fue el 20/11/2026
 * 09:12 desde 10.0.0.5 (Hospital …). Desde entonces hubo 3 intentos fallidos con su usuario."
 * Nothing for an account's first session without failures before it.
 */
export function lastLoginMessage(notice: LastLoginNotice): LastLoginMessage | null {
  const { previous, failures } = notice;
  if (!previous && failures === 0) return null;
  const sentences: string[] = [];
  if (previous) {
    const from = previous.ip ? ` desde ${previous.ip}` : '';
    const where = previous.establishmentName ? ` (${previous.establishmentName})` : '';
    sentences.push(
      `Su último ingreso fue el ${formatDateTime(new Date(previous.at))}${from}${where}.`,
    );
    sentences.push(
      failures === 0
        ? 'Desde entonces no hubo intentos fallidos con su usuario.'
        : `Desde entonces hubo ${attempts(failures)} con su usuario.`,
    );
  } else {
    sentences.push(`Antes de este ingreso hubo ${attempts(failures)} con su usuario.`);
  }
  if (failures > 0)
    sentences.push('Si no fue usted, cambie su contraseña y avise al administrador del HIS.');
  return { kind: failures > 0 ? 'warning' : 'info', sentences };
}
