import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { userInfo } from 'node:os';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import { AppError } from '../shared/errors';
import { systemClock } from '../shared/clock';
import { formatDateTime } from '../shared/time';
import { hasEventHash, verifyChain } from '../domain/audit/verify';
import { purgeCutoff } from '../domain/audit/purge-cutoff';
import { purgeAudit } from '../domain/audit/purge';
import { verifyCheckpoints, writeCheckpoint } from '../domain/audit/checkpoints';
import { createAuditTrailStore } from '../storage/audit/trail-store';
import { required, strict } from './args';

/**
 * `audit:verify [--since HASH] [--since-admin HASH]`: both chains recomputed; exit 2 naming every
 * altered table.
 */
export async function verifyAudit(
  args: string[],
  sequelize: Sequelize,
  config: Config,
): Promise<string> {
  const { values } = strict(args, {
    since: { type: 'string' },
    'since-admin': { type: 'string' },
    checkpoints: { type: 'string' },
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
      broken.push(`La cadena de ${table} está alterada a partir del registro ${report.brokenAt}.`);
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
  lines.push(...(await checkpointLines(sequelize, config, values.checkpoints, broken)));
  if (broken.length) throw new AppError('audit_broken', 2, broken.join('\n'));
  return lines.join('\n');
}

/**
 * The signed checkpoints (AUDIT_CHECKPOINT_DIR, or --checkpoints DIR) against both chains: a
 * superuser who rewrites rows and recomputes every hash passes the chain check, not these.
 */
async function checkpointLines(
  sequelize: Sequelize,
  config: Config,
  dirOption: unknown,
  broken: string[],
): Promise<string[]> {
  const { checkpoints } = config.audit;
  const dir = typeof dirOption === 'string' ? dirOption : checkpoints.dir;
  const publicKeys = [
    ...(checkpoints.key ? [createPublicKey(checkpoints.key)] : []),
    ...checkpoints.publicKeys,
  ];
  const report = await verifyCheckpoints({
    store: createAuditTrailStore(sequelize),
    dir,
    publicKeys,
  });
  if (report.checked === 0 && report.problems.length === 0)
    return [`Puntos de control: ninguno en ${dir}.`];
  for (const p of report.problems)
    broken.push(
      `El punto de control ${p.seq} (${p.at ? formatDateTime(new Date(p.at)) : 'sin fecha'}) ya no coincide${p.table ? ` con ${p.table}` : ''}: ${p.kind} (${p.detail}).`,
    );
  const purged = report.purged ? `; ${report.purged} de filas ya depuradas` : '';
  return [`Puntos de control firmados: ${report.checked} verificados en ${dir}${purged}.`];
}

/** `audit:checkpoint`: writes a signed checkpoint of both chains now (also done every few minutes). */
export async function checkpointAudit(sequelize: Sequelize, config: Config): Promise<string> {
  const { key, dir } = config.audit.checkpoints;
  if (!key)
    throw new AppError(
      'invalid_input',
      400,
      'Falta AUDIT_CHECKPOINT_KEY: genere una con npm run cli -- audit:keygen.',
    );
  const c = await writeCheckpoint({
    store: createAuditTrailStore(sequelize),
    dir,
    key,
    now: systemClock.now(),
  });
  return `Punto de control ${c.seq} escrito en ${dir}.`;
}

/** `audit:keygen`: a new Ed25519 key pair for the checkpoints, as configuration values. */
export function keygenAudit(): string {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return [
    `AUDIT_CHECKPOINT_KEY=${privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64')}`,
    `# Public half (keep it for AUDIT_CHECKPOINT_PUBLIC_KEYS when the key is rotated):`,
    `# ${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
  ].join('\n');
}

/**
 * `audit:purge --before YYYY-MM-DD`: removes both chains' rows older than the cutoff (at least
 * AUDIT_RETENTION_MIN_MONTHS back), with their anchors and its own admin_events row.
 */
export async function purgeAuditTrail(
  args: string[],
  sequelize: Sequelize,
  config: Config,
): Promise<string> {
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
    // A checkpoint right after: the chains as the purge left them, signed.
    ...(config.audit.checkpoints.key ? [await checkpointAudit(sequelize, config)] : []),
  ].join('\n');
}
