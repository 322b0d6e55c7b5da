/** A demo establishment: its code, name and región (created when new). */
export interface NewEstablishment {
  code: string;
  name: string;
  region: string;
}

/** Password of every demo HIS account (printed by `npm run dev`). */
export const DEMO_PASSWORD = 'his-demo-2026';

export const DEMO_ESTABLISHMENTS: NewEstablishment[] = [
  { code: 'CAP-0001', name: 'Hospital General Barrio Obrero', region: 'Capital' },
  { code: 'CAP-0002', name: 'Hospital Materno Infantil San Pablo', region: 'Capital' },
  { code: 'CEN-0001', name: 'Hospital Regional de Luque', region: 'Central' },
  { code: 'CEN-0002', name: 'USF San Lorenzo Centro', region: 'Central' },
];

export interface DemoUser {
  username: string;
  document: string;
  name: string;
  role: 'staff' | 'admin' | 'auditor';
  /** `region:NAME`: a regional role; global without it. */
  scope?: string;
  establishments: string[];
  /** Days before now of the last e-ID login; null: never. */
  lastEidDaysAgo: number | null;
  /** Days before now of earlier e-ID logins, for the adoption trend (the last one included). */
  eidLoginsDaysAgo?: number[];
  /** What the account shows in the demo. */
  shows: string;
}

/** Cédulas match the e-ID sandbox's test citizens (src/sandbox/citizens.ts). */
export const DEMO_USERS: DemoUser[] = [
  {
    username: 'mgonzalez',
    document: '1234567',
    name: 'María Elena González Benítez',
    role: 'staff',
    establishments: ['CAP-0001', 'CAP-0002'],
    lastEidDaysAgo: 10,
    eidLoginsDaysAgo: [10, 40, 75, 130, 200, 260, 330],
    shows: 'check azul, dos establecimientos',
  },
  {
    username: 'jbenitez',
    document: '2345678',
    name: 'Juan Carlos Benítez Ortiz',
    role: 'staff',
    establishments: ['CEN-0001'],
    lastEidDaysAgo: null,
    shows: 'X gris (nunca usó la Identidad Electrónica)',
  },
  {
    username: 'lrojas',
    document: '3456789',
    name: 'Laura Beatriz Rojas Giménez',
    role: 'staff',
    establishments: ['CEN-0002'],
    lastEidDaysAgo: 120,
    eidLoginsDaysAgo: [120, 190, 300],
    shows: 'X naranja y aviso de días restantes',
  },
  {
    username: 'cmartinez',
    document: '4567890',
    name: 'Carlos Andrés Martínez Acosta',
    role: 'staff',
    establishments: ['CAP-0001', 'CEN-0001'],
    lastEidDaysAgo: 240,
    eidLoginsDaysAgo: [240, 320],
    shows: 'reautenticación obligatoria con Identidad Electrónica',
  },
  {
    username: 'adminhis',
    document: '5678901',
    name: 'Ana Sofía Duarte Villalba',
    role: 'admin',
    establishments: ['CAP-0001'],
    lastEidDaysAgo: 20,
    eidLoginsDaysAgo: [20, 55, 100, 150, 210, 280, 340],
    shows: 'administradora del HIS (toda la red)',
  },
  {
    username: 'rcentral',
    document: '8901234',
    name: 'Ricardo Daniel Ortiz Giménez',
    role: 'admin',
    scope: 'region:Central',
    establishments: ['CEN-0001'],
    lastEidDaysAgo: 15,
    eidLoginsDaysAgo: [15, 50, 110, 170],
    shows: 'administrador regional: solo ve y gestiona usuarios de la Región Central',
  },
  {
    username: 'auditor',
    document: '6789012',
    name: 'Pedro José Villalba Cáceres',
    role: 'auditor',
    establishments: ['CAP-0002'],
    lastEidDaysAgo: 45,
    eidLoginsDaysAgo: [45, 95, 160, 250],
    shows: 'auditor',
  },
];
