import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { makeEstablishment, makeUser, TEST_PASSWORD } from '../support/factories';
import {
  openWatchedPage,
  overflowsSideways,
  screenshot,
  useBrowserRig,
  wcagViolations,
} from '../support/browser';
import { appendLoginEvent } from '../../src/storage/audit/login-events';
import type { EstablishmentRecord } from '../../src/storage/establishments';
import type { UserRecord } from '../../src/storage/users';

jest.setTimeout(90_000);

const rig = useBrowserRig('2026-11-20T15:42:00Z');
const tag = randomBytes(3).toString('hex');
const ua = (name: string) => `ua-${tag}-${name}`;
let hospital: EstablishmentRecord;
let post: EstablishmentRecord;
let auditor: UserRecord;

beforeAll(async () => {
  const region = `Región Navegador ${tag}`;
  hospital = await makeEstablishment(rig.t.sequelize, region);
  post = await makeEstablishment(rig.t.sequelize, region);
  auditor = (
    await makeUser(rig.t.sequelize, {
      role: 'auditor',
      scope: `region:${region}`,
      establishments: [hospital],
      name: 'Auditora Regional',
    })
  ).user;
  const { user: nurse } = await makeUser(rig.t.sequelize, {
    establishments: [post],
    name: 'Enfermera del Puesto',
  });
  const { user: doctor } = await makeUser(rig.t.sequelize, {
    establishments: [hospital],
    name: 'Médico del Hospital',
  });
  const at = (minutes: number) => new Date(Date.parse('2026-11-20T11:00:00Z') + minutes * 60_000);
  const rows = [
    { user: nurse, establishmentId: post.id, name: 'post-login', minutes: 1 },
    { user: nurse, establishmentId: null, name: 'post-failure', minutes: 2 },
    { user: doctor, establishmentId: hospital.id, name: 'hospital-login', minutes: 3 },
  ];
  for (const r of rows)
    await appendLoginEvent(rig.t.sequelize, {
      occurredAt: at(r.minutes),
      userId: r.user.id,
      username: r.user.username,
      method: 'classic',
      outcome: r.establishmentId ? 'success' : 'failure',
      reason: r.establishmentId ? 'login' : 'bad_password',
      establishmentId: r.establishmentId,
      ip: '10.20.30.40',
      userAgent: ua(r.name),
    });
});

async function signIn(page: Page): Promise<void> {
  await page.goto(`${rig.server.baseUrl}/login`);
  await page.getByLabel('Usuario').fill(auditor.username);
  await page.getByLabel('Contraseña').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Iniciar sesión' }).click();
  await page.waitForURL(`${rig.server.baseUrl}/login/establishment`);
  await page.getByRole('button', { name: 'Ingresar' }).click();
  await page.waitForURL(`${rig.server.baseUrl}/`);
}

describe('an auditor in a real browser', () => {
  it('when an auditor filters the history by establishment then only its rows are listed, and the CSV downloads with them', async () => {
    const { context, page, problems } = await openWatchedPage(rig.browser);
    await signIn(page);
    await page.getByRole('link', { name: 'Auditoría' }).click();
    await page.waitForURL(`${rig.server.baseUrl}/audit/logins`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Historial de ingresos',
    );

    await page
      .getByLabel('Establecimiento', { exact: true })
      .selectOption({ label: `${post.name} (${post.code})` });
    await page.getByRole('button', { name: 'Filtrar' }).click();
    // A GET form: the choice is in the URL (and so in "Siguiente página" and the CSV link).
    await page.waitForURL((url) => url.searchParams.get('establishment') === String(post.id));
    await screenshot(page, 'audit-01-logins-by-establishment');

    const rows = page.locator('tbody tr');
    const agents = await rows.locator('td[data-label="Navegador"]').allTextContents();
    expect(agents.map((a) => a.trim()).sort()).toEqual([ua('post-failure'), ua('post-login')]);
    // The failure before the establishment step has none; it is listed for the nurse's post.
    const places = await rows.locator('td[data-label="Establecimiento"]').allInnerTexts();
    expect(places.map((p) => p.split('\n')[0]!.trim()).sort()).toEqual(
      [post.name, 'Sin establecimiento'].sort(),
    );
    expect(await page.locator('tbody').textContent()).toContain('Enfermera del Puesto');
    expect(await page.locator('tbody').textContent()).not.toContain('Médico del Hospital');
    expect(await page.getByLabel('Establecimiento', { exact: true }).inputValue()).toBe(
      String(post.id),
    );

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Descargar CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('historial-ingresos-20261120.csv');
    const text = readFileSync((await download.path())!, 'utf8');
    const lines = text.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe(
      '\uFEFFFecha y hora (Asunción);Usuario de la cuenta;Usuario escrito;Nombre;Cédula;Método;Resultado;Motivo;Código del motivo;Establecimiento;Región sanitaria;IP;Navegador;Modo de contingencia;Id;Módulo del HIS',
    );
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(
      new RegExp(
        `^2026-11-20 08:01:00;[^;]*;[^;]*;Enfermera del Puesto;[^;]*;Usuario y contraseña;Exitoso;Sesión iniciada;login;Hospital de prueba ${post.code};Región Navegador ${tag};10\\.20\\.30\\.40;${ua('post-login')};No;\\d+;$`,
      ),
    );
    expect(text).not.toContain(ua('hospital-login'));

    expect(problems).toEqual([]);
    await context.close();
  });

  it.each([
    [1280, 800],
    [360, 740],
  ])(
    'when the history pages are shown at %i px then they pass WCAG 2.1 AA and do not scroll sideways',
    async (width, height) => {
      const { context, page } = await openWatchedPage(
        rig.browser,
        { width, height },
        { axe: true },
      );
      await signIn(page);
      for (const path of [`/audit/logins?establishment=${post.id}`, '/audit/admin-events']) {
        await page.goto(`${rig.server.baseUrl}${path}`);
        expect(await wcagViolations(page)).toEqual([]);
        expect(await overflowsSideways(page)).toBe(false);
      }
      await screenshot(page, `audit-02-logins-${width}`);
      await context.close();
    },
  );
});
