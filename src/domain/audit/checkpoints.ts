import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { mkdir, open, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AuditTable } from '../../storage/audit/chain-head';
import type { AuditTrailStore } from '../../storage/audit/trail-store';

/**
 * Signed checkpoints of the two audit chains, kept outside PostgreSQL (CloudTrail's log file
 * integrity validation, for our chains). The hash chain alone cannot stop a database superuser:
 * disabling the triggers, rewriting a row and recomputing every later hash leaves a chain that
 * verifies. A checkpoint records, at an instant, each chain's newest row (id and hash) and how
 * many rows it had up to there, signed with an Ed25519 key the database never sees, and chained
 * to the previous checkpoint; `audit:verify` holds the rows against every checkpoint.
 */

export const TABLES: readonly AuditTable[] = ['login_events', 'admin_events'];

/** One chain at the checkpoint: its newest row and how many rows it had up to it. */
export interface ChainMark {
  lastId: string;
  head: string;
  rows: number;
}

export interface Checkpoint {
  v: 1;
  seq: number;
  at: string;
  /** The signing key's id: the first 16 hex of the SHA-256 of its public key (SPKI DER). */
  keyId: string;
  /** SHA-256 of the previous checkpoint's line; zeros for the first. */
  prev: string;
  chains: Record<AuditTable, ChainMark | null>;
  /** Ed25519 over the checkpoint's canonical JSON without `sig`, base64. */
  sig: string;
}

const GENESIS = '0'.repeat(64);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export const keyIdOf = (key: KeyObject): string =>
  sha256(
    (key.type === 'private' ? createPublicKey(key) : key)
      .export({ type: 'spki', format: 'der' })
      .toString('base64'),
  ).slice(0, 16);

/** What is signed: the fields in a fixed order, `sig` aside. */
const signedText = (c: Omit<Checkpoint, 'sig'>): string =>
  JSON.stringify([c.v, c.seq, c.at, c.keyId, c.prev, TABLES.map((t) => c.chains[t])]);

const fileOf = (dir: string, at: Date) =>
  path.join(dir, `checkpoints-${at.toISOString().slice(0, 7)}.jsonl`);

/** Every line of every checkpoint file of `dir`, in order (files by month). */
export async function readCheckpointLines(dir: string): Promise<string[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => /^checkpoints-\d{4}-\d{2}\.jsonl$/.test(f)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const lines: string[] = [];
  for (const f of files)
    lines.push(...(await readFile(path.join(dir, f), 'utf8')).split('\n').filter(Boolean));
  return lines;
}

/** Appends one line and flushes it to disk before returning. */
async function appendDurably(file: string, line: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'a');
  try {
    await handle.write(`${line}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a checkpoint of both chains now, signed with `key`, chained to the last one in `dir`.
 * A chain's row count is counted incrementally from the previous checkpoint when no purge came in
 * between (a full count otherwise): cheap every few minutes on tens of millions of rows.
 */
export async function writeCheckpoint(deps: {
  store: AuditTrailStore;
  dir: string;
  key: KeyObject;
  now: Date;
}): Promise<Checkpoint> {
  const { store, dir, key, now } = deps;
  const lines = await readCheckpointLines(dir);
  const last = lines.length ? (JSON.parse(lines[lines.length - 1]!) as Checkpoint) : null;
  const chains = {} as Record<AuditTable, ChainMark | null>;
  for (const table of TABLES) {
    const head = await store.head(table);
    if (!head) {
      chains[table] = null;
      continue;
    }
    const before = last?.chains[table] ?? null;
    const purgedSince = (await store.anchors(table)).some(
      (a) => last && a.purgedAt.getTime() > Date.parse(last.at),
    );
    const rows =
      before && !purgedSince && BigInt(before.lastId) <= BigInt(head.id)
        ? before.rows + (await store.countBetween(table, before.lastId, head.id))
        : await store.countBetween(table, null, head.id);
    chains[table] = { lastId: head.id, head: head.hash, rows };
  }
  const unsigned: Omit<Checkpoint, 'sig'> = {
    v: 1,
    seq: (last?.seq ?? 0) + 1,
    at: now.toISOString(),
    keyId: keyIdOf(key),
    prev: lines.length ? sha256(lines[lines.length - 1]!) : GENESIS,
    chains,
  };
  const checkpoint: Checkpoint = {
    ...unsigned,
    sig: sign(null, Buffer.from(signedText(unsigned)), key).toString('base64'),
  };
  await appendDurably(fileOf(dir, now), JSON.stringify(checkpoint));
  return checkpoint;
}

/** A checkpoint the chains or the checkpoint files no longer match. */
export interface CheckpointProblem {
  seq: number;
  at: string;
  /**
   * `reescritura`: a row up to the checkpoint was changed (its hash differs) or added;
   * `eliminación`: rows up to the checkpoint are gone; `firma`: the checkpoint itself was altered
   * or signed by an unknown key; `cadena`: a checkpoint before it was removed or altered.
   */
  kind: 'reescritura' | 'eliminación' | 'firma' | 'cadena';
  table: AuditTable | null;
  detail: string;
}

export interface CheckpointReport {
  checked: number;
  /** Checkpoints whose rows were all purged since (nothing left to hold them against). */
  purged: number;
  problems: CheckpointProblem[];
}

/**
 * Holds both chains against every checkpoint of `dir`: the files' own chain and signatures first,
 * then, per table, whether each checkpoint's newest row still has its hash and whether as many
 * rows are left up to it as it counted (less the rows purges removed since). Returns every
 * problem in order; the first one names the first checkpoint that no longer matches.
 */
export async function verifyCheckpoints(deps: {
  store: AuditTrailStore;
  dir: string;
  publicKeys: KeyObject[];
}): Promise<CheckpointReport> {
  const { store } = deps;
  const keys = new Map(deps.publicKeys.map((k) => [keyIdOf(k), k]));
  const lines = await readCheckpointLines(deps.dir);
  const problems: CheckpointProblem[] = [];
  const valid: Checkpoint[] = [];
  let prev = GENESIS;
  for (const line of lines) {
    let c: Checkpoint;
    try {
      c = JSON.parse(line) as Checkpoint;
    } catch {
      problems.push({ seq: 0, at: '', kind: 'firma', table: null, detail: 'línea ilegible' });
      prev = sha256(line);
      continue;
    }
    const { sig, ...unsigned } = c;
    const key = keys.get(c.keyId);
    const signed =
      key !== undefined &&
      typeof sig === 'string' &&
      verify(null, Buffer.from(signedText(unsigned)), key, Buffer.from(sig, 'base64'));
    if (!signed)
      problems.push({
        seq: c.seq,
        at: c.at,
        kind: 'firma',
        table: null,
        detail: key ? 'la firma no corresponde' : `clave desconocida ${c.keyId}`,
      });
    else if (c.prev !== prev)
      problems.push({
        seq: c.seq,
        at: c.at,
        kind: 'cadena',
        table: null,
        detail: 'el punto de control anterior fue eliminado o alterado',
      });
    if (signed) valid.push(c);
    prev = sha256(line);
  }

  let purged = 0;
  for (const table of TABLES) {
    const marked = valid.flatMap((c) => {
      const mark = c.chains?.[table];
      return mark ? [{ c, mark }] : [];
    });
    if (marked.length === 0) continue;
    const anchors = await store.anchors(table);
    const firstLive = anchors.length ? BigInt(anchors[anchors.length - 1]!.firstId) : 0n;
    const live = marked.filter(({ mark }) => BigInt(mark.lastId) >= firstLive);
    const gone = marked.filter(({ mark }) => BigInt(mark.lastId) < firstLive);
    // Rows purged entirely: only a mark at a purge's boundary can still be held (its anchor).
    for (const { c, mark } of gone) {
      const anchor = anchors.find((a) => BigInt(a.firstId) - 1n === BigInt(mark.lastId));
      if (!anchor) purged++;
      else if (anchor.prevHash !== mark.head)
        problems.push({
          seq: c.seq,
          at: c.at,
          kind: 'reescritura',
          table,
          detail: `el registro ${mark.lastId} (depurado) tenía otro hash`,
        });
    }
    const ids = [...new Set(live.map(({ mark }) => mark.lastId))].sort((a, b) =>
      BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0,
    );
    const counts = new Map<string, number>();
    (await store.countsUpTo(table, ids)).forEach((n, i) => counts.set(ids[i]!, n));
    const hashes = await store.hashesOf(table, ids);
    for (const { c, mark } of live) {
      const removedSince = anchors
        .filter((a) => a.purgedAt.getTime() > Date.parse(c.at))
        .reduce((sum, a) => sum + a.rowsRemoved, 0);
      const expected = mark.rows - removedSince;
      const actual = counts.get(mark.lastId) ?? 0;
      const hash = hashes.get(mark.lastId);
      const problem = (kind: CheckpointProblem['kind'], detail: string) =>
        problems.push({ seq: c.seq, at: c.at, kind, table, detail });
      if (actual < expected || hash === undefined)
        problem(
          'eliminación',
          `faltan ${expected - actual || 1} registros hasta el ${mark.lastId} (había ${expected})`,
        );
      else if (hash !== mark.head)
        problem('reescritura', `el registro ${mark.lastId} tiene otro hash que el firmado`);
      else if (actual > expected)
        problem('reescritura', `hay ${actual - expected} registros más hasta el ${mark.lastId}`);
    }
  }
  problems.sort((a, b) => a.seq - b.seq);
  return { checked: valid.length, purged, problems };
}
