/**
 * Test citizens of the e-ID sandbox. Their cédulas match the demo users of `seed:demo`
 * (src/cli/demo-data.ts), plus one citizen (7890123) who has no HIS account.
 */
export interface Citizen {
  cedula: string;
  password: string;
  nombres: string;
  apellidos: string;
  email: string;
}

/** Every sandbox citizen uses this password (printed by `npm run dev`). */
export const SANDBOX_PASSWORD = 'identidad2026';

const citizen = (cedula: string, nombres: string, apellidos: string): Citizen => ({
  cedula,
  password: SANDBOX_PASSWORD,
  nombres,
  apellidos,
  email: `${nombres.split(' ')[0]!.toLowerCase()}.${cedula}@ejemplo.com.py`,
});

export const CITIZENS: readonly Citizen[] = [
  citizen('1234567', 'María Elena', 'González Benítez'),
  citizen('2345678', 'Juan Carlos', 'Benítez Ortiz'),
  citizen('3456789', 'Laura Beatriz', 'Rojas Giménez'),
  citizen('4567890', 'Carlos Andrés', 'Martínez Acosta'),
  citizen('5678901', 'Ana Sofía', 'Duarte Villalba'),
  citizen('6789012', 'Pedro José', 'Villalba Cáceres'),
  citizen('7890123', 'Rosa María', 'Fernández López'),
  citizen('8901234', 'Ricardo Daniel', 'Ortiz Giménez'),
];
