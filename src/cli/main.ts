import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { Sequelize } from 'sequelize';
import { loadConfig, type Config } from '../config';
import { createSequelize } from '../db/sequelize';
import { createMigrator } from '../db/migrator';
import { AppError } from '../shared/errors';
import { systemClock } from '../shared/clock';
import { addEstablishments } from '../domain/establishments/add-establishment';
import { applyImportPlan, planInTransaction } from '../domain/establishments/apply-import';
import { isApplicable } from '../domain/establishments/import-plan';
import { createUser } from '../domain/users/create-account';
import { seedDemo } from './seed-demo';
import { createRepositories, type Repositories } from '../storage/repositories';
import { hasEventHash, verifyChain } from '../domain/audit/verify';
import { purgeCutoff } from '../domain/audit/purge-cutoff';
import { purgeAudit } from '../domain/audit/purge';
import { formatDateTime } from '../shared/time';

type Command = (
  args: string[],
  sequelize: Sequelize,
  repos: Repositories,
  config: Config,
) => Promise<string>;

const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
};

/** Parses the options; node's English parse errors become a Spanish message naming the option. */
const strict = (args: string[], options: ParseArgsOptionsConfig) => {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    if (!String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_')) throw err;
    const option = /'(-{1,2}[^' ]+)/.exec((err as Error).message)?.[1] ?? '';
    const known = Object.keys(options).map((name) => `--${name}`);
    throw new AppError(
      'invalid_input',
      400,
      `Opción desconocida o sin valor: ${option}. Opciones de este comando: ${known.join(', ') || 'ninguna'}.`,
    );
  }
};

const required = (values: Record<string, unknown>, name: string): string => {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new AppError('invalid_input', 400, `Falta --${name}.`);
  }
  return value;
};

const commands: Record<string, Command> = {
  async migrate(_args, sequelize) {
    const applied = await createMigrator(sequelize).up();
    return applied.length
      ? `Migraciones aplicadas: ${applied.map((m) => m.name).join(', ')}`
      : 'La base de datos ya está al día.';
  },

  async 'seed:demo'(_args, _sequelize, repos) {
    await seedDemo(repos, systemClock);
    return 'Datos de demostración cargados.';
  },

  async 'establishment:add'(args, _sequelize, repos) {
    const { values } = strict(args, {
      code: { type: 'string' },
      name: { type: 'string' },
      region: { type: 'string' },
    });
    const [created] = await addEstablishments(repos, [
      {
        code: required(values, 'code'),
        name: required(values, 'name'),
        region: required(values, 'region'),
      },
    ]);
    return `Establecimiento ${created!.code} creado.`;
  },

  async 'establishment:import'(args, _sequelize, repos) {
    const { positionals } = strict(args, {});
    const file = positionals[0];
    if (!file)
      throw new AppError(
        'invalid_input',
        400,
        'Indique el archivo CSV: establishment:import archivo.csv',
      );
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new AppError(
        'invalid_input',
        400,
        `No se pudo leer ${file}: ${(err as Error).message}`,
      );
    }
    // The same plan as the browser import: by code, all or nothing, the same file twice = no-op.
    const plan = await repos.transaction(async (transaction) => {
      const planned = await planInTransaction(repos, text, transaction);
      if (!isApplicable(planned)) {
        const lines = planned.errors.map((e) => `Fila ${e.line}: ${e.message}`);
        throw new AppError('invalid_input', 400, `${lines.join('\n')}\nNo se importó nada.`);
      }
      await applyImportPlan(repos, planned, transaction);
      return planned;
    });
    const { create, update, unchanged } = plan.counts;
    return create + update === 0
      ? `Sin cambios: los ${unchanged} establecimientos del archivo ya estaban al día.`
      : `${create + update} establecimientos importados. Nuevos: ${create}, actualizados: ${update}, sin cambios: ${unchanged}.`;
  },

  async 'user:add'(args, _sequelize, repos) {
    const { values } = strict(args, {
      username: { type: 'string' },
      document: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      scope: { type: 'string' },
      email: { type: 'string' },
      establishment: { type: 'string', multiple: true },
      'password-stdin': { type: 'boolean' },
    });
    const password = values['password-stdin'] ? await readStdin() : undefined;
    const user = await createUser(repos, {
      username: required(values, 'username'),
      document: required(values, 'document'),
      name: required(values, 'name'),
      role: required(values, 'role'),
      scope: typeof values.scope === 'string' ? values.scope : undefined,
      email: typeof values.email === 'string' ? values.email : undefined,
      establishmentCodes: (values.establishment as string[] | undefined) ?? [],
      password,
    });
    return `Usuario ${user.username} creado${password === undefined ? ' (solo Identidad Electrónica)' : ''}.`;
  },

  async 'audit:verify'(args, sequelize) {
    const { values } = strict(args, {
      since: { type: 'string' },
      'since-admin': { type: 'string' },
    });
    const lines: string[] = [];
    const broken: string[] = [];
    // Both chains are always checked, so one report names every altered table.
    for (const [table, since] of [
      ['login_events', values.since],
      ['admin_events', values['since-admin']],
    ] as const) {
      // A head recorded by an earlier run must still be in the chain: rows removed from the end
      // leave an intact (shorter) chain, which only an outside record can reveal.
      if (typeof since === 'string' && !(await hasEventHash(sequelize, table, since))) {
        broken.push(
          `El registro de control ${since} ya no está en ${table}: se eliminaron registros.`,
        );
      }
      const report = await verifyChain(sequelize, table);
      if (report.brokenAt)
        broken.push(
          `La cadena de ${table} está alterada a partir del registro ${report.brokenAt}.`,
        );
      else {
        // After a purge the chain starts at its anchor: say so, or the count would look short.
        const since = report.anchor
          ? ` desde el registro ${report.anchor.firstId} (depurada hasta el ${formatDateTime(report.anchor.purgedBefore)})`
          : '';
        lines.push(
          `${table}: ${report.rows} registros, cadena íntegra${since}. Último hash: ${report.head}`,
        );
      }
    }
    if (broken.length) throw new AppError('audit_broken', 2, broken.join('\n'));
    return lines.join('\n');
  },

  async 'audit:purge'(args, sequelize, _repos, config) {
    const { values } = strict(args, { before: { type: 'string' } });
    const before = required(values, 'before');
    const now = systemClock.now();
    const cutoff = purgeCutoff(before, now, config.audit.retentionMinMonths);
    const chains = await purgeAudit(sequelize, {
      before,
      cutoff,
      now,
      operator: userInfo().username,
    });
    return [
      `Depuración de la auditoría anterior al ${formatDateTime(cutoff)} (hora de Asunción):`,
      ...chains.map((c) =>
        c.firstId
          ? `${c.table}: ${c.rowsRemoved} registros eliminados; la cadena continúa en el registro ${c.firstId}.`
          : `${c.table}: ningún registro anterior a esa fecha.`,
      ),
      'La depuración quedó registrada en admin_events (audit.purge).',
    ].join('\n');
  },
};

/** `npm run cli -- <command>`: exit 0 with a one-line result, or non-zero with a clear message. */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(`Uso: npm run cli -- <comando>\nComandos: ${Object.keys(commands).join(', ')}`);
    return 64;
  }
  let sequelize: Sequelize | undefined;
  try {
    const config = loadConfig();
    // Operator commands (audit:purge over millions of rows) lift statement_timeout themselves;
    // a client-side limit would cut them off regardless.
    sequelize = createSequelize(config.database, {
      applicationName: 'his-acceso-cli',
      queryTimeoutInMs: 0,
    });
    console.log(await command(args, sequelize, createRepositories(sequelize), config));
    return 0;
  } catch (err) {
    console.error(`Error: ${err instanceof AppError ? err.publicMessage : (err as Error).message}`);
    return err instanceof AppError && err.status === 2 ? 2 : 1;
  } finally {
    await sequelize?.close();
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
