import type { Sequelize } from 'sequelize';
import type { Repositories } from '../storage/repositories';
import type { Clock } from '../shared/clock';
import type { Actor } from '../access/actor';
import type { LoginEvent } from '../storage/audit/login-events';
import type { AdminEvent } from '../storage/audit/admin-events';
import {
  appendDemoAdminEvents,
  appendDemoLoginEvents,
  insertDemoPeople,
  insertDemoReview,
  nationalDemoLoaded,
  type DemoPerson,
} from '../storage/demo-fixtures';
import { importEstablishments } from '../domain/establishments/commands/import-establishments';
import { CLI_META } from './actor';
import { DEMO_USERS } from './demo-data';
import { SYSTEM_ACTOR } from '../domain/audit/system';
import { isoDateInZone } from '../shared/time';

/**
 * The network at its real size, for judging every screen at scale (`npm run dev -- --national`):
 * 18 regiones sanitarias and 934 establishments (through the import command, as the ministry's
 * file would arrive), 8,000 people in every badge state, and a year of login history and
 * administrative actions (demo fixtures, chained like any audit rows). Deterministic: the same
 * seed gives the same network. Safe to run again: it does nothing once loaded.
 */
export interface NationalSize {
  establishments: number;
  people: number;
  /** Days of history, ending yesterday. */
  days: number;
  /** Share of the people who log in on a given day. */
  dailyShare: number;
}

export const NATIONAL: NationalSize = {
  establishments: 934,
  people: 8000,
  days: 365,
  dailyShare: 0.05,
};

/** The code of the first establishment: its presence means the demo is loaded. */
export const NATIONAL_MARKER = 'RS01-0001';

/** The 18 regiones sanitarias, their weight in establishments, and some of their towns. */
const REGIONS: { name: string; weight: number; towns: string[] }[] = [
  {
    name: 'Concepción',
    weight: 5,
    towns: ['Concepción', 'Horqueta', 'Yby Yaú', 'Loreto', 'Belén'],
  },
  {
    name: 'San Pedro',
    weight: 7,
    towns: [
      'San Pedro del Ycuamandiyú',
      'Santa Rosa del Aguaray',
      'San Estanislao',
      'Choré',
      'Guayaibí',
    ],
  },
  {
    name: 'Cordillera',
    weight: 6,
    towns: [
      'Caacupé',
      'Tobatí',
      'Eusebio Ayala',
      'Altos',
      'Piribebuy',
      'Itacurubí de la Cordillera',
    ],
  },
  {
    name: 'Guairá',
    weight: 5,
    towns: ['Villarrica', 'Iturbe', 'Independencia', 'Mbocayaty del Guairá', 'Paso Yobái'],
  },
  {
    name: 'Caaguazú',
    weight: 7,
    towns: [
      'Coronel Oviedo',
      'Caaguazú',
      'Doctor Juan Eulogio Estigarribia',
      'Repatriación',
      'Yhú',
    ],
  },
  {
    name: 'Caazapá',
    weight: 4,
    towns: ['Caazapá', 'San Juan Nepomuceno', 'Yuty', 'Abaí', 'Tavaí'],
  },
  {
    name: 'Itapúa',
    weight: 8,
    towns: [
      'Encarnación',
      'Hohenau',
      'Obligado',
      'Coronel Bogado',
      'San Pedro del Paraná',
      'Natalio',
    ],
  },
  {
    name: 'Misiones',
    weight: 4,
    towns: ['San Juan Bautista', 'San Ignacio', 'Santa Rosa', 'Ayolas', 'Santiago'],
  },
  {
    name: 'Paraguarí',
    weight: 5,
    towns: ['Paraguarí', 'Carapeguá', 'Ybycuí', 'Quiindy', 'Acahay', 'Caapucú'],
  },
  {
    name: 'Alto Paraná',
    weight: 8,
    towns: [
      'Ciudad del Este',
      'Hernandarias',
      'Presidente Franco',
      'Minga Guazú',
      'Santa Rita',
      'Juan León Mallorquín',
    ],
  },
  {
    name: 'Central',
    weight: 12,
    towns: [
      'Luque',
      'San Lorenzo',
      'Capiatá',
      'Lambaré',
      'Fernando de la Mora',
      'Limpio',
      'Ñemby',
      'Itauguá',
      'Areguá',
      'Mariano Roque Alonso',
      'Villa Elisa',
      'Itá',
    ],
  },
  { name: 'Ñeembucú', weight: 3, towns: ['Pilar', 'Alberdi', 'Humaitá', 'Mayor Martínez'] },
  {
    name: 'Amambay',
    weight: 3,
    towns: ['Pedro Juan Caballero', 'Bella Vista Norte', 'Capitán Bado', 'Zanja Pytã'],
  },
  {
    name: 'Canindeyú',
    weight: 4,
    towns: ['Salto del Guairá', 'Curuguaty', 'Katueté', 'La Paloma del Espíritu Santo', 'Ypehú'],
  },
  {
    name: 'Presidente Hayes',
    weight: 3,
    towns: ['Villa Hayes', 'Benjamín Aceval', 'Pozo Colorado', 'Puerto Pinasco'],
  },
  {
    name: 'Boquerón',
    weight: 2,
    towns: ['Filadelfia', 'Loma Plata', 'Mariscal Estigarribia', 'Neuland'],
  },
  {
    name: 'Alto Paraguay',
    weight: 2,
    towns: ['Fuerte Olimpo', 'Bahía Negra', 'Puerto Casado', 'Carmelo Peralta'],
  },
  { name: 'Capital', weight: 6, towns: ['Asunción'] },
];

const NEIGHBOURHOODS = [
  'San Antonio',
  'Santa Librada',
  'San Miguel',
  'Virgen del Carmen',
  'Potrero Guasú',
  'Costa Fleitas',
  'Yvyraty',
  'Santa Lucía',
  'Tacuruty',
  'Ñu Guasú',
  'Loma Clavel',
  'San José Obrero',
  'Cañada',
  'Valle Pucú',
  'Tayazuapé',
  'Itá Angu’a',
  'Cerrito',
  'Santa Rosa',
  'Villa del Maestro',
  'San Blas',
  'Las Mercedes',
  'Kokue Guasú',
  'Mbokajaty',
  'San Isidro',
  'Tres de Mayo',
  'Fátima',
  'Sagrado Corazón',
  'Nueva Esperanza',
];
const WOMEN = [
  'María',
  'Ana',
  'Rosa',
  'Mirta',
  'Nélida',
  'Fátima',
  'Liz',
  'Rocío',
  'Gladys',
  'Lourdes',
  'Silvia',
  'Graciela',
  'Marta',
  'Patricia',
  'Zunilda',
  'Carmen',
  'Elena',
  'Sonia',
  'Ramona',
  'Celeste',
];
const MEN = [
  'José',
  'Juan',
  'Carlos',
  'Luis',
  'Jorge',
  'Ramón',
  'Sebastián',
  'Celso',
  'Derlis',
  'Víctor',
  'Hugo',
  'Óscar',
  'Aníbal',
  'Rubén',
  'Fernando',
  'Diego',
  'Néstor',
  'Arnaldo',
  'Pedro',
  'Gustavo',
];
const SURNAMES = [
  'González',
  'Benítez',
  'Martínez',
  'López',
  'Giménez',
  'Báez',
  'Duarte',
  'Vera',
  'Ramírez',
  'Rojas',
  'Villalba',
  'Acosta',
  'Cáceres',
  'Ortiz',
  'Fernández',
  'Insfrán',
  'Galeano',
  'Ayala',
  'Riveros',
  'Cabrera',
  'Núñez',
  'Aquino',
  'Espínola',
  'Ledesma',
  'Zárate',
  'Britez',
  'Sanabria',
  'Florentín',
  'Ojeda',
  'Franco',
];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (Linux; Android 14; SM-A155M) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
];

/** A small deterministic generator (mulberry32): the same network on every machine. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}

const DAY = 86_400_000;
const MINUTE = 60_000;

/** The establishments file, as the ministry would send it (código;nombre;región). */
export function nationalEstablishmentsCsv(count: number): string {
  const total = REGIONS.reduce((n, r) => n + r.weight, 0);
  const lines = ['código;nombre;región'];
  let made = 0;
  REGIONS.forEach((region, r) => {
    const share =
      r === REGIONS.length - 1 ? count - made : Math.round((count * region.weight) / total);
    const prefix = `RS${String(r + 1).padStart(2, '0')}`;
    for (let i = 1; i <= share; i++) {
      const town = region.towns[(i - 1) % region.towns.length]!;
      const round = Math.floor((i - 1) / region.towns.length);
      const name =
        i === 1
          ? `Hospital Regional de ${town}`
          : round === 0
            ? `Hospital Distrital de ${town}`
            : round === 1
              ? `Centro de Salud de ${town}`
              : i % 29 === 0
                ? `Unidad de Salud de la Familia Ampliada ${NEIGHBOURHOODS[i % NEIGHBOURHOODS.length]} – Compañía ${town} (${prefix}-${String(i).padStart(4, '0')})`
                : `USF ${NEIGHBOURHOODS[i % NEIGHBOURHOODS.length]} ${round - 1} – ${town}`;
      lines.push(`${prefix}-${String(i).padStart(4, '0')};${name};${region.name}`);
    }
    made += share;
  });
  return `${lines.join('\n')}\n`;
}

interface Place {
  id: number;
  code: string;
  regionId: number;
  regionIndex: number;
}

interface Session {
  at: number;
  person: number;
  place: Place;
  eid: boolean;
}

export interface NationalResult {
  seconds: number;
  establishments: number;
  people: number;
  loginEvents: number;
  adminEvents: number;
}

/**
 * Loads the national demo (see the module's comment) with the import command run by `actor` and
 * the fixtures written in bulk. Returns what it wrote, or null when the demo was already there.
 */
export async function seedNational(
  deps: { repos: Repositories; clock: Clock; sequelize: Sequelize },
  actor: Actor,
  size: NationalSize = NATIONAL,
): Promise<NationalResult | null> {
  const started = Date.now();
  const { sequelize, repos } = deps;
  if (await nationalDemoLoaded(sequelize, NATIONAL_MARKER)) return null;
  const rnd = random(20261206);
  const now = deps.clock.now().getTime();
  const today = Math.floor(now / DAY) * DAY;

  // 1. The establishments, through the import command (one audit row names the file).
  await importEstablishments({ ...deps, identities: { refresh: async () => {} } })(
    actor,
    {
      fileName: 'establecimientos-red-nacional.csv',
      text: nationalEstablishmentsCsv(size.establishments),
      createRegions: REGIONS.map((r) => r.name),
    },
    CLI_META,
  );
  const regions = await repos.establishments.regions.listAll();
  const regionIndex = new Map(
    regions.map((r) => [r.id, REGIONS.findIndex((x) => x.name === r.name)]),
  );
  const places: Place[] = (await repos.establishments.listAll())
    .filter((e) => /^RS\d\d-\d{4}$/.test(e.code))
    .sort((a, b) => a.code.localeCompare(b.code))
    .map((e) => ({
      id: e.id,
      code: e.code,
      regionId: e.regionId,
      regionIndex: regionIndex.get(e.regionId) ?? 0,
    }));
  const byRegion = new Map<number, Place[]>();
  for (const p of places) byRegion.set(p.regionId, [...(byRegion.get(p.regionId) ?? []), p]);

  // 2. The people: most in hospitals (the first of each región), some in two places.
  type Plan = DemoPerson & {
    kind: 'verified' | 'stale' | 'never';
    eidFrom: number;
    eidUntil: number;
    agent: string;
    places: Place[];
  };
  const used = new Set<string>(DEMO_USERS.map((u) => u.username));
  const plans: Plan[] = [];
  const regionAdmins = new Map<number, number[]>();
  for (let i = 0; i < size.people; i++) {
    const woman = rnd.chance(0.62);
    const first = rnd.pick(woman ? WOMEN : MEN);
    const surname = rnd.pick(SURNAMES);
    const second = rnd.pick(SURNAMES);
    let base = `${first[0]}${surname}`
      .normalize('NFD')
      .replace(/[^A-Za-z]/g, '')
      .toLowerCase();
    if (used.has(base)) base = `${base}${i}`;
    used.add(base);
    const home = places[Math.floor(rnd.next() ** 2.2 * places.length)]!;
    const siblings = byRegion.get(home.regionId)!;
    const mine = rnd.chance(0.15) ? [home, rnd.pick(siblings)] : [home];
    const unique = [...new Map(mine.map((p) => [p.id, p])).values()];
    const roll = rnd.next();
    const kind = roll < 0.55 ? 'verified' : roll < 0.75 ? 'stale' : 'never';
    // Days ago (from today) between which the person used the e-ID.
    const eidFrom = kind === 'never' ? -1 : 30 + rnd.int(size.days);
    const eidUntil = kind === 'stale' ? 95 + rnd.int(Math.max(1, eidFrom - 95)) : 0;
    const roles: DemoPerson['roles'] = [{ role: 'staff', regionId: null, establishmentId: null }];
    // Two administrators and one auditor per región, and a few for the whole network.
    const admins = regionAdmins.get(home.regionId) ?? [];
    if (admins.length < 3 && i % 7 === 3) {
      roles.push({
        role: admins.length < 2 ? 'admin' : 'auditor',
        regionId: home.regionId,
        establishmentId: null,
      });
      regionAdmins.set(home.regionId, [...admins, i]);
    } else if (i < 3)
      roles.push({ role: i === 2 ? 'auditor' : 'admin', regionId: null, establishmentId: null });
    // Temporary staff: some ended in the last months, some end within the next 30 days.
    const temporary = rnd.next();
    const validUntil =
      temporary < 0.02
        ? new Date(today - (1 + rnd.int(90)) * DAY + 3 * 60 * MINUTE)
        : temporary < 0.05
          ? new Date(today + (1 + rnd.int(30)) * DAY + 3 * 60 * MINUTE)
          : null;
    plans.push({
      username: base,
      validUntil,
      // Six digits (older cédulas): none of the demo accounts' or the sandbox citizens'.
      documentNumber: String(900_000 + ((i * 7_919) % 99_991)),
      fullName: `${first} ${surname} ${second}`,
      status: rnd.chance(0.03) ? 'disabled' : 'active',
      lastLoginAt: null,
      lastEidLoginAt: null,
      establishmentIds: unique.map((p) => p.id),
      roles,
      kind,
      eidFrom,
      eidUntil,
      agent: rnd.pick(USER_AGENTS),
      places: unique,
    });
  }

  // 3. The sessions of the year, day by day (shift changes at 07:00, 13:00 and 19:00 Asunción).
  const sessions: Session[] = [];
  const usesEid = (plan: Plan, daysAgo: number) =>
    plan.kind !== 'never' && daysAgo <= plan.eidFrom && daysAgo >= plan.eidUntil;
  for (let daysAgo = size.days; daysAgo >= 1; daysAgo--) {
    const day = today - daysAgo * DAY;
    for (let i = 0; i < plans.length; i++) {
      const plan = plans[i]!;
      if (plan.status === 'disabled' && daysAgo < 20) continue;
      if (!rnd.chance(size.dailyShare)) continue;
      const shift = rnd.pick([10, 16, 22]); // 07:00, 13:00, 19:00 in Asunción (UTC−3)
      const at = day + shift * 60 * MINUTE + (rnd.int(90) - 45) * MINUTE + rnd.int(60_000);
      sessions.push({ at, person: i, place: rnd.pick(plan.places), eid: usesEid(plan, daysAgo) });
    }
  }
  // Everyone who used the e-ID did so at least once in their period (their badge says so).
  for (let i = 0; i < plans.length; i++) {
    const plan = plans[i]!;
    if (plan.kind === 'never' || plan.status === 'disabled') continue;
    const daysAgo = plan.kind === 'verified' ? 1 + rnd.int(80) : plan.eidUntil;
    sessions.push({
      at: today - daysAgo * DAY + 11 * 60 * MINUTE,
      person: i,
      place: plan.places[0]!,
      eid: true,
    });
  }
  sessions.sort((a, b) => a.at - b.at);
  for (const s of sessions) {
    const plan = plans[s.person]!;
    plan.lastLoginAt = new Date(s.at);
    if (s.eid) plan.lastEidLoginAt = new Date(s.at);
  }
  // The verified ones' last e-ID login is within the badge's three months by construction.

  // 4. Write the people, then their history with their ids.
  const ids = await insertDemoPeople(sequelize, plans, new Date(now));
  const usernameOf = (i: number) => plans[i]!.username;
  const ipOf = (p: Place, i: number) => `10.${p.regionIndex + 1}.${p.id % 250}.${1 + (i % 250)}`;
  const events: LoginEvent[] = [];
  const event = (e: Omit<LoginEvent, 'degraded'>) => events.push({ ...e, degraded: false });
  for (const s of sessions) {
    const plan = plans[s.person]!;
    const base = {
      userId: ids[s.person]!,
      username: usernameOf(s.person),
      ip: ipOf(s.place, s.person),
      userAgent: plan.agent,
    };
    if (!s.eid && rnd.chance(0.08))
      event({
        ...base,
        occurredAt: new Date(s.at - 70_000),
        method: 'classic',
        outcome: 'failure',
        reason: 'bad_password',
        establishmentId: null,
      });
    if (s.eid)
      event({
        ...base,
        occurredAt: new Date(s.at - 20_000),
        method: 'eid',
        outcome: 'info',
        reason: 'eid_verified',
        establishmentId: null,
      });
    event({
      ...base,
      occurredAt: new Date(s.at),
      method: s.eid ? 'eid' : 'classic',
      outcome: 'success',
      reason: 'login',
      establishmentId: s.place.id,
    });
    const end = rnd.next();
    if (end < 0.55)
      event({
        ...base,
        occurredAt: new Date(s.at + (4 + rnd.int(3)) * 60 * MINUTE + rnd.int(3_600_000)),
        method: 'logout',
        outcome: 'success',
        reason: 'logout',
        establishmentId: s.place.id,
      });
    else if (end < 0.93)
      event({
        ...base,
        ip: null,
        userAgent: null,
        occurredAt: new Date(s.at + (2 + rnd.int(4)) * 60 * MINUTE),
        method: 'session',
        outcome: 'info',
        reason: 'idle_timeout',
        establishmentId: s.place.id,
      });
    else
      event({
        ...base,
        ip: null,
        userAgent: null,
        occurredAt: new Date(s.at + 12 * 60 * MINUTE),
        method: 'session',
        outcome: 'info',
        reason: 'absolute_timeout',
        establishmentId: s.place.id,
      });
  }
  // What a network also sees: mistyped usernames, cancelled and timed-out e-ID logins.
  for (let daysAgo = size.days; daysAgo >= 1; daysAgo--) {
    const day = today - daysAgo * DAY + 10 * 60 * MINUTE;
    for (let k = 0; k < 6; k++) {
      const i = rnd.int(plans.length);
      const place = plans[i]!.places[0]!;
      const base = {
        ip: ipOf(place, i),
        userAgent: plans[i]!.agent,
        establishmentId: null,
        occurredAt: new Date(day + rnd.int(12 * 60) * MINUTE),
      };
      if (k < 4)
        event({
          ...base,
          userId: null,
          username: `${usernameOf(i)}x`,
          method: 'classic',
          outcome: 'failure',
          reason: 'unknown_user',
        });
      else
        event({
          ...base,
          userId: ids[i]!,
          username: usernameOf(i),
          method: 'eid',
          outcome: 'failure',
          reason: k === 4 ? 'eid_cancelled' : 'eid_timeout',
        });
    }
  }
  events.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  await appendDemoLoginEvents(
    sequelize,
    events.filter((e) => e.occurredAt.getTime() < now),
  );

  // 5. A year of administrative actions by the regiones' administrators and auditors.
  const admin: AdminEvent[] = [];
  const actors = plans
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.roles.some((r) => r.role === 'admin'));
  const auditors = plans
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.roles.some((r) => r.role === 'auditor'));
  for (let i = 0; i < plans.length; i++) {
    const plan = plans[i]!;
    const place = plan.places[0]!;
    const who =
      actors.find(({ p }) => p.roles.some((r) => r.regionId === place.regionId)) ?? actors[0]!;
    const by = {
      actorUserId: ids[who.i]!,
      actorUsername: who.p.username,
      establishmentId: who.p.places[0]!.id,
      ip: ipOf(who.p.places[0]!, who.i),
      userAgent: who.p.agent,
    };
    const target = {
      targetType: 'user',
      targetId: String(ids[i]),
      targetUserId: ids[i]!,
      regionIds: [...new Set(plan.places.map((p) => p.regionId))],
    };
    if (i % 9 === 0) {
      const at = today - (1 + rnd.int(size.days)) * DAY + 14 * 60 * MINUTE;
      admin.push({
        ...by,
        ...target,
        occurredAt: new Date(at),
        action: 'users.create',
        outcome: 'success',
        details: {
          username: plan.username,
          documentNumber: plan.documentNumber,
          fullName: plan.fullName,
          establishments: plan.places.map((p) => ({ id: p.id, code: p.code })),
          role: 'staff',
          scope: { kind: 'global' },
          accountKind: 'eid',
        },
      });
    }
    if (plan.places.length > 1 && i % 3 === 0) {
      const p2 = plan.places[1]!;
      admin.push({
        ...by,
        ...target,
        occurredAt: new Date(today - (1 + rnd.int(size.days)) * DAY + 15 * 60 * MINUTE),
        action: 'users.assignEstablishment',
        outcome: 'success',
        details: { establishment: { id: p2.id, code: p2.code } },
      });
    }
    if (plan.status === 'disabled')
      admin.push({
        ...by,
        ...target,
        occurredAt: new Date(today - (20 + rnd.int(60)) * DAY + 16 * 60 * MINUTE),
        action: 'users.disable',
        outcome: 'success',
        details: { before: { status: 'active' }, after: { status: 'disabled' } },
      });
    if (i % 41 === 0)
      admin.push({
        ...by,
        ...target,
        occurredAt: new Date(today - (1 + rnd.int(size.days)) * DAY + 17 * 60 * MINUTE),
        action: 'users.resetPassword',
        outcome: 'success',
        details: {
          hadPassword: false,
          before: { mustChangePassword: false },
          after: { mustChangePassword: true },
        },
      });
    if (i % 53 === 0)
      admin.push({
        ...by,
        ...target,
        occurredAt: new Date(today - (1 + rnd.int(size.days)) * DAY + 9 * 60 * MINUTE),
        action: 'users.unlock',
        outcome: 'success',
        details: { wasLocked: true },
      });
  }
  for (let daysAgo = size.days; daysAgo >= 7; daysAgo -= 7)
    for (const { p, i } of auditors.slice(0, 6))
      admin.push({
        occurredAt: new Date(today - daysAgo * DAY + 18 * 60 * MINUTE),
        actorUserId: ids[i]!,
        actorUsername: p.username,
        action: 'audit.export',
        outcome: 'success',
        targetType: 'audit',
        targetId: 'login_events',
        targetUserId: null,
        details: {
          table: 'login_events',
          filters: { outcome: 'failure' },
          rows: 40 + rnd.int(400),
          complete: true,
        },
        establishmentId: p.places[0]!.id,
        regionIds: p.roles.flatMap((r) => (r.regionId ? [r.regionId] : [])),
        ip: ipOf(p.places[0]!, i),
        userAgent: p.agent,
      });
  // 6. Access reviews: last semester's, closed (most confirmed by their región's admin, some
  // after changes, some left unreviewed), and this semester's, under way.
  const globalAdmin = actors.find(({ p }) =>
    p.roles.some((g) => g.role === 'admin' && !g.regionId),
  )!;
  const byWhom = (who: { p: Plan; i: number }) => ({
    actorUserId: ids[who.i]!,
    actorUsername: who.p.username,
    establishmentId: who.p.places[0]!.id,
    ip: ipOf(who.p.places[0]!, who.i),
    userAgent: who.p.agent,
  });
  const semesters = [
    { opened: today - 160 * DAY, lastDay: today - 130 * DAY, closed: true, share: 0.9 },
    { opened: today - 10 * DAY, lastDay: today + 20 * DAY, closed: false, share: 0.35 },
  ];
  for (const [n, r] of semesters.entries()) {
    const title = `Revisión de accesos ${isoDateInZone(new Date(r.opened)).slice(0, 4)}-${n + 1}`;
    const lastDay = isoDateInZone(new Date(r.lastDay));
    const openedAt = new Date(r.opened + 9 * 60 * MINUTE);
    const closedAt = r.closed ? new Date(r.lastDay + DAY + 4 * 60 * MINUTE) : null;
    const span = Math.max(1, Math.floor((Math.min(r.lastDay, today) - r.opened) / DAY) - 1);
    const decided: {
      i: number;
      who: { p: Plan; i: number };
      decision: 'confirmed' | 'changed';
      at: Date;
    }[] = [];
    for (let i = 0; i < plans.length; i++) {
      const plan = plans[i]!;
      if (plan.status !== 'active' || i === globalAdmin.i || !rnd.chance(r.share)) continue;
      const regional = actors.find(
        ({ p, i: j }) => j !== i && p.roles.some((g) => g.regionId === plan.places[0]!.regionId),
      );
      // Whom a regional admin may not confirm (admins, auditors, two regiones): a global admin.
      const wider =
        plan.roles.some((g) => g.role !== 'staff') ||
        new Set(plan.places.map((p) => p.regionId)).size > 1;
      decided.push({
        i,
        who: wider || !regional ? globalAdmin : regional,
        decision: i % 13 === 5 ? 'changed' : 'confirmed',
        at: new Date(r.opened + (1 + rnd.int(span)) * DAY + 11 * 60 * MINUTE),
      });
    }
    const confirmedIds = new Set(decided.map((d) => ids[d.i]!));
    const unreviewed = closedAt
      ? plans.flatMap((plan, i) =>
          plan.status === 'active' && !confirmedIds.has(ids[i]!) ? [ids[i]!] : [],
        )
      : [];
    const reviewId = await insertDemoReview(
      sequelize,
      {
        title,
        lastDay,
        openedAt,
        openedByUsername: globalAdmin.p.username,
        closedAt,
        closedByUsername: closedAt ? SYSTEM_ACTOR : null,
      },
      [
        ...decided.map((d) => ({
          userId: ids[d.i]!,
          decision: d.decision,
          decidedAt: d.at,
          decidedByUserId: ids[d.who.i]!,
          decidedByUsername: d.who.p.username,
        })),
        ...unreviewed.map((userId) => ({
          userId,
          decision: 'unreviewed' as const,
          decidedAt: closedAt!,
          decidedByUserId: null,
          decidedByUsername: SYSTEM_ACTOR,
        })),
      ],
    );
    const review = { targetType: 'access_review', targetId: String(reviewId), targetUserId: null };
    admin.push({
      ...byWhom(globalAdmin),
      ...review,
      occurredAt: openedAt,
      action: 'reviews.open',
      outcome: 'success',
      details: { title, lastDay, suspendUnreviewed: false },
      regionIds: [],
    });
    for (const d of decided) {
      const plan = plans[d.i]!;
      admin.push({
        ...byWhom(d.who),
        occurredAt: d.at,
        action: 'reviews.confirm',
        outcome: 'success',
        targetType: 'user',
        targetId: String(ids[d.i]),
        targetUserId: ids[d.i]!,
        details: {
          reviewId,
          review: title,
          decision: d.decision,
          establishments: plan.places.map((p) => p.code),
        },
        regionIds: [...new Set(plan.places.map((p) => p.regionId))],
      });
    }
    if (closedAt)
      admin.push({
        ...review,
        occurredAt: closedAt,
        actorUserId: null,
        actorUsername: SYSTEM_ACTOR,
        action: 'reviews.close',
        outcome: 'success',
        details: { review: title, lastDay, unreviewed: unreviewed.length, suspended: 0 },
        establishmentId: null,
        regionIds: [],
        ip: null,
        userAgent: null,
      });
  }

  admin.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  await appendDemoAdminEvents(
    sequelize,
    admin.filter((e) => e.occurredAt.getTime() < now),
  );

  return {
    seconds: Math.round((Date.now() - started) / 1000),
    establishments: places.length,
    people: plans.length,
    loginEvents: events.length,
    adminEvents: admin.length,
  };
}
