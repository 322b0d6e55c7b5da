import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verify } from '@node-rs/argon2';
import { QueryTypes } from 'sequelize';
import { buildTestApp, type TestApp } from '../support/test-app';
import { makeEstablishment } from '../support/factories';
import { signedIn } from '../support/sign-in';
import { runCli } from '../support/cli-process';

/**
 * Every write of the CLI runs the screens' command with the CLI's actor (`cli:<os user>`): the
 * same rules (the password policy, the one-time password) and an admin_events row in the same
 * transaction, which the auditors read like any other.
 */
jest.setTimeout(90_000);

let t: TestApp;
let dir: string;
const hex = () => randomBytes(4).toString('hex');
const cedula = () => String(3_000_000 + Math.floor(Math.random() * 6_000_000));
const operator = `cli:${os.userInfo().username}`;

beforeAll(async () => {
  t = await buildTestApp();
  dir = mkdtempSync(path.join(os.tmpdir(), 'his-acceso-cli-audit-'));
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const rowsOf = (action: string, targetUserId: number | null, targetId?: string) =>
  t.sequelize.query<{
    actor_user_id: number | null;
    actor_username: string;
    outcome: string;
    details: Record<string, unknown>;
  }>(
    `SELECT actor_user_id, actor_username, outcome, details FROM admin_events
      WHERE action = :action AND (target_user_id = :targetUserId OR target_id = :targetId)
      ORDER BY id`,
    { replacements: { action, targetUserId, targetId: targetId ?? '' }, type: QueryTypes.SELECT },
  );
const userNamed = async (username: string) =>
  (
    await t.sequelize.query<{
      id: number;
      password_hash: string | null;
      must_change_password: boolean;
    }>('SELECT id, password_hash, must_change_password FROM users WHERE username = :username', {
      replacements: { username },
      type: QueryTypes.SELECT,
    })
  )[0];

/** `user:add` for a new person of `place`, with `extra` options. */
const userAdd = (
  username: string,
  name: string,
  place: { code: string },
  extra: string[] = [],
  input?: string,
) =>
  runCli(
    [
      'user:add',
      '--username',
      username,
      '--document',
      cedula(),
      '--name',
      name,
      '--role',
      'staff',
      '--establishment',
      place.code,
      ...extra,
    ],
    { input },
  );

describe('user:add', () => {
  it('when an operator adds a user then the row names the CLI actor and the auditors read it', async () => {
    const place = await makeEstablishment(t.sequelize);
    const username = `cli.${hex()}`;
    const res = userAdd(username, 'Rosa Ferreira Acosta', place);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const user = (await userNamed(username))!;
    const [row] = await rowsOf('users.create', user.id);
    expect(row).toMatchObject({
      actor_user_id: null,
      actor_username: operator,
      outcome: 'success',
      details: { username, accountKind: 'eid', establishments: [{ code: place.code }] },
    });

    const auditor = await signedIn(t, { role: 'auditor', establishments: [place] });
    const page = await auditor.agent.get('/audit/admin-events?action=users.create');
    expect(page.status).toBe(200);
    expect(page.text).toContain(operator);
    expect(page.text).toContain('Rosa Ferreira Acosta');
  });

  it('when the password on stdin is weak then the policy of /me/password refuses it and nothing is written', async () => {
    const place = await makeEstablishment(t.sequelize);
    const username = `cli.${hex()}`;
    const res = userAdd(username, 'Pedro Ramírez', place, ['--password-stdin'], 'ramirez2026\n');
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(
      /--password-stdin: (Use al menos 12 caracteres|La contraseña no puede basarse)/,
    );
    expect(await userNamed(username)).toBeUndefined();
  });

  it('when --one-time-password is given then it is printed once and must be changed at the first login', async () => {
    const place = await makeEstablishment(t.sequelize);
    const username = `cli.${hex()}`;
    const res = userAdd(username, 'Ana Duarte', place, ['--one-time-password']);
    expect(res.status).toBe(0);
    const otp = /un solo uso[^:]*: ([a-z2-9]{4}(?:-[a-z2-9]{4}){3})$/m.exec(res.stdout)?.[1];
    expect(otp).toBeDefined();
    const user = (await userNamed(username))!;
    expect(user.must_change_password).toBe(true);
    expect(await verify(user.password_hash!, otp!)).toBe(true);
    // The audit row never holds the password.
    expect(JSON.stringify(await rowsOf('users.create', user.id))).not.toContain(otp!);
  });
});

describe('establishments', () => {
  it('when an operator adds an establishment in a new región then one row says so', async () => {
    const code = `CLA-${hex()}`.toUpperCase();
    const region = `Región CLI Auditada ${hex()}`;
    const res = runCli([
      'establishment:add',
      '--code',
      code,
      '--name',
      `Hospital ${code}`,
      '--region',
      region,
    ]);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain(`Se creó la región ${region}.`);
    const [place] = await t.sequelize.query<{ id: number }>(
      'SELECT id FROM establishments WHERE code = :code',
      { replacements: { code }, type: QueryTypes.SELECT },
    );
    expect(await rowsOf('establishments.create', null, String(place!.id))).toEqual([
      expect.objectContaining({
        actor_username: operator,
        details: expect.objectContaining({
          regionCreated: true,
          after: expect.objectContaining({ code, region }),
        }),
      }),
    ]);
  });

  it('when an operator imports a file then one row names it by its SHA-256', async () => {
    const code = `CLI-${hex()}`.toUpperCase();
    const file = path.join(dir, `lista-${hex()}.csv`);
    writeFileSync(file, `codigo;nombre;region\n${code};Centro de Salud ${code};Central\n`, 'utf8');
    const res = runCli(['establishment:import', file, '--create-region', 'Central']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const [row] = await t.sequelize.query<{
      actor_username: string;
      details: Record<string, unknown>;
    }>(
      `SELECT actor_username, details FROM admin_events
        WHERE action = 'establishments.import' AND details->>'fileName' = :name`,
      { replacements: { name: path.basename(file) }, type: QueryTypes.SELECT },
    );
    expect(row).toMatchObject({
      actor_username: operator,
      details: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/), counts: { create: 1 } },
    });
  });
});
