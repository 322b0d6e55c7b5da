/**
 * The scratch data scripts/sqlmap.ts attacks: one establishment, an administrator, an auditor and
 * a few staff accounts, real login events (failures and a success) so that the audit filters
 * have rows to tell apart, and signed-in cookies for the two privileged accounts.
 */
import { addEstablishments, createUser } from '../test/support/builders';
import type { Repositories } from '../src/storage/repositories';

const PASSWORD = 'sqlmap-scratch-password-1';

export interface Account {
  username: string;
  establishmentId: number;
}

export interface SqlmapWorld {
  establishmentId: number;
  regionId: number;
  admin: Account;
  auditor: Account;
  staffId: number;
  staffUsername: string;
  staffName: string;
  staffDocument: string;
  /** Real logins through the app: two wrong passwords and one success of the staff account. */
  makeHistory(base: string): Promise<void>;
}

export async function seedSqlmapWorld(repos: Repositories): Promise<SqlmapWorld> {
  const [establishment] = await addEstablishments(repos, [
    { code: 'SQLMAP-1', name: 'Hospital Regional de Prueba', region: 'Central' },
  ]);
  const codes = [establishment!.code];
  const make = (username: string, name: string, document: string, role: string) =>
    createUser(repos, {
      username,
      name,
      document,
      role,
      establishmentCodes: codes,
      password: PASSWORD,
    });
  await make('admin.sqlmap', 'Administración Prueba', '9100001', 'admin');
  await make('auditor.sqlmap', 'Auditoría Prueba', '9100002', 'auditor');
  const staff = await make('ana.benitez', 'Ana Benítez', '9100003', 'staff');
  await make('carlos.gimenez', 'Carlos Giménez', '9100004', 'staff');
  await make('maria.ortiz', 'María Ortiz', '9100005', 'staff');
  const account = (username: string) => ({ username, establishmentId: establishment!.id });
  return {
    establishmentId: establishment!.id,
    regionId: establishment!.regionId,
    admin: account('admin.sqlmap'),
    auditor: account('auditor.sqlmap'),
    staffId: staff.id,
    staffUsername: staff.username,
    staffName: 'Benítez',
    staffDocument: '9100003',
    async makeHistory(base) {
      for (const password of ['wrong-1', 'wrong-2'])
        await postLogin(new Jar(base), staff.username, password);
      await signIn(base, account(staff.username));
    },
  };
}

/** A tiny cookie-keeping client over fetch (no redirects followed). */
class Jar {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly base: string) {}

  async fetch(path: string, form?: Record<string, string>): Promise<Response> {
    const res = await fetch(`${this.base}${path}`, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    return res;
  }

  /** Fetches `path` and returns the value of its hidden `_csrf` field. */
  async csrf(path: string): Promise<string> {
    const html = await (await this.fetch(path)).text();
    const match = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!match) throw new Error(`no _csrf field on ${path}`);
    return match[1]!;
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function postLogin(jar: Jar, username: string, password: string): Promise<Response> {
  const _csrf = await jar.csrf('/login');
  return jar.fetch('/login', { username, password, _csrf });
}

/** Signs `account` in (classic login, then its establishment); returns its Cookie header. */
export async function signIn(base: string, account: Account): Promise<string> {
  const jar = new Jar(base);
  const login = await postLogin(jar, account.username, PASSWORD);
  if (login.headers.get('location') !== '/login/establishment')
    throw new Error(`${account.username} could not log in: ${login.status}`);
  const _csrf = await jar.csrf('/login/establishment');
  const chosen = await jar.fetch('/login/establishment', {
    establishmentId: String(account.establishmentId),
    _csrf,
  });
  if (chosen.headers.get('location') !== '/')
    throw new Error(`${account.username} could not choose an establishment: ${chosen.status}`);
  return jar.header();
}
