import type { AgreementAcceptance } from '../../storage/agreements';
import { formatDateTime } from '../../shared/time';

/** Where a person stands with the confidentiality agreement, as the screens say it. */
export interface AgreementStatus {
  /** The version in force was not accepted (yet). */
  pending: boolean;
  text: string;
}

const acceptedText = (a: AgreementAcceptance) =>
  `la versión ${a.version} el ${formatDateTime(a.acceptedAt)}${a.establishmentName ? ` en ${a.establishmentName}` : ''}${a.ip ? ` desde ${a.ip}` : ''}`;

/** `acceptances` newest first (the repository's order); `current` 0 when none is published. */
export function agreementStatus(
  acceptances: AgreementAcceptance[],
  current: number,
): AgreementStatus | null {
  if (current === 0) return null;
  const latest = acceptances[0];
  if (latest && latest.version >= current)
    return { pending: false, text: `Aceptó ${acceptedText(latest)}.` };
  if (latest)
    return {
      pending: true,
      text: `Pendiente: aceptó ${acceptedText(latest)}; falta aceptar la versión vigente (${current}).`,
    };
  return { pending: true, text: `Pendiente: todavía no aceptó la versión vigente (${current}).` };
}
