import { createHash, timingSafeEqual } from 'node:crypto';
import { normalizeCedula } from '../shared/cedula';
import { CITIZENS, SANDBOX_PASSWORD, type Citizen } from './citizens';

/** Citizens added at run time by tests (`POST /__sandbox/citizens`), so each test has its own. */
const added = new Map<string, Citizen>();

/** Adds (or replaces) a test citizen; the password defaults to the shared sandbox password. */
export function registerCitizen(
  c: Omit<Citizen, 'password' | 'email'> & { password?: string },
): Citizen {
  const citizen: Citizen = {
    ...c,
    password: c.password ?? SANDBOX_PASSWORD,
    email: `${c.cedula}@ejemplo.com.py`,
  };
  added.set(citizen.cedula, citizen);
  return citizen;
}

/** The citizen with that cédula (digits only), if any. */
export function findCitizen(cedula: string): Citizen | undefined {
  return added.get(cedula) ?? CITIZENS.find((c) => c.cedula === cedula);
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Checks a typed cédula ("1.234.567" or "1234567") and password against the test citizens.
 * Returns null for every kind of failure: the screen shows one message for all of them.
 */
export function authenticateCitizen(cedulaInput: unknown, password: unknown): Citizen | null {
  if (typeof cedulaInput !== 'string' || typeof password !== 'string') return null;
  const cedula = normalizeCedula(cedulaInput);
  const citizen = cedula === null ? undefined : findCitizen(cedula);
  if (!citizen) return null;
  // Hashing first gives equal lengths, which timingSafeEqual needs.
  return timingSafeEqual(digest(citizen.password), digest(password)) ? citizen : null;
}

/** The claims both protocols release about a citizen (a type alias, so it is indexable). */
export type CitizenClaims = {
  sub: string;
  nombres: string;
  apellidos: string;
  given_name: string;
  family_name: string;
  name: string;
  email: string;
};

/** The claims of a citizen; `sub` is the cédula, digits only. */
export function citizenClaims(citizen: Citizen): CitizenClaims {
  return {
    sub: citizen.cedula,
    nombres: citizen.nombres,
    apellidos: citizen.apellidos,
    given_name: citizen.nombres,
    family_name: citizen.apellidos,
    name: `${citizen.nombres} ${citizen.apellidos}`,
    email: citizen.email,
  };
}
