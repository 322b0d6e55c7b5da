import { z } from 'zod';
import type { Transaction } from 'sequelize';
import { defineCommand, type CommandDeps } from '../../src/access/command';
import type { Actor } from '../../src/access/actor';
import type { AdminEvent } from '../../src/storage/audit/admin-events';
import type { Repositories } from '../../src/storage/repositories';
import { ManualClock } from '../../src/shared/clock';
import { AppError } from '../../src/shared/errors';
import { ValidationError } from '../../src/shared/validation';

/**
 * defineCommand's machinery on its own, with a transactional store made of arrays: what is
 * written inside a transaction becomes visible only when the transaction's work resolves, and
 * vanishes when it throws (as PostgreSQL does). The commands' behaviour on the real database is
 * in the integration tests; here, the order of the steps and what each refusal leaves behind.
 */
class Store {
  committed: { changes: string[]; events: AdminEvent[] } = { changes: [], events: [] };
  transactions = 0;
  failAppend = false;

  deps(clock = new ManualClock('2026-12-01T12:00:00Z')): CommandDeps {
    const repos = {
      transaction: async <T>(work: (tx: Transaction) => Promise<T>): Promise<T> => {
        this.transactions++;
        const tx = { changes: [] as string[], events: [] as AdminEvent[] };
        const result = await work(tx as unknown as Transaction);
        this.committed.changes.push(...tx.changes);
        this.committed.events.push(...tx.events);
        return result;
      },
      adminEvents: {
        append: async (event: AdminEvent, tx: Transaction) => {
          if (this.failAppend) throw new Error('audit write failed');
          (tx as unknown as { events: AdminEvent[] }).events.push(event);
        },
      },
    };
    return { repos: repos as unknown as Repositories, clock };
  }
}

const globalAdmin: Actor = {
  userId: 7,
  username: 'adminhis',
  grants: [{ role: 'admin', scope: { kind: 'global' } }],
  establishmentId: 3,
  establishments: [{ id: 3, regionId: 1 }],
};
const regionalAdmin: Actor = {
  ...globalAdmin,
  userId: 8,
  username: 'rcentral',
  grants: [{ role: 'admin', scope: { kind: 'region', regionId: 2 } }],
};
const staff: Actor = { ...globalAdmin, userId: 9, username: 'staff', grants: [] };
const meta = { ip: '10.0.0.5', userAgent: 'jest' };

/** A command on a user of región 1 (a place the regional admin of región 2 does not reach). */
function renameUser(calls: string[]) {
  return defineCommand({
    action: 'users.update',
    audit: 'test.renameUser',
    schema: z.object({ name: z.string({ error: 'Escriba el nombre.' }).min(3, 'Muy corto.') }),
    async load(_deps: CommandDeps, input, tx) {
      calls.push('load');
      expect(tx).toBeDefined();
      return {
        target: { id: 42, name: 'Ana' },
        policyTarget: { id: 42, places: [{ id: 1, regionId: 1 }], grants: [] },
        audit: {
          targetType: 'user',
          targetId: '42',
          targetUserId: 42,
          details: { asked: input.name },
        },
      };
    },
    async apply(_deps, { input, target, now, transaction }) {
      calls.push('apply');
      (transaction as unknown as { changes: string[] }).changes.push(
        `${target.name}→${input.name}`,
      );
      return {
        result: { renamed: input.name, at: now.toISOString() },
        audit: { details: { before: target.name, after: input.name } },
      };
    },
    async after(_deps, result) {
      calls.push(`after:${result.renamed}`);
    },
  });
}

describe('defineCommand', () => {
  it('when the change is allowed then load, apply, its row and the change commit together, then after runs', async () => {
    const store = new Store();
    const calls: string[] = [];
    const run = renameUser(calls)(store.deps());
    const result = await run(globalAdmin, { name: 'Ana María' }, meta);

    expect(result).toEqual({ renamed: 'Ana María', at: '2026-12-01T12:00:00.000Z' });
    expect(calls).toEqual(['load', 'apply', 'after:Ana María']);
    expect(store.transactions).toBe(1);
    expect(store.committed.changes).toEqual(['Ana→Ana María']);
    expect(store.committed.events).toEqual([
      {
        occurredAt: new Date('2026-12-01T12:00:00Z'),
        actorUserId: 7,
        actorUsername: 'adminhis',
        action: 'test.renameUser',
        outcome: 'success',
        establishmentId: 3,
        ip: '10.0.0.5',
        userAgent: 'jest',
        targetType: 'user',
        targetId: '42',
        targetUserId: 42,
        // apply's audit replaces load's details (a shallow merge).
        details: { before: 'Ana', after: 'Ana María' },
        regionIds: [],
      },
    ]);
    expect(run.action).toBe('users.update');
    expect(run.auditCode).toBe('test.renameUser');
  });

  it('when the gate refuses the actor then nothing is loaded and a denied row is written in a transaction of its own', async () => {
    const store = new Store();
    const calls: string[] = [];
    await expect(
      renameUser(calls)(store.deps())(staff, { name: 'Ana María' }, meta),
    ).rejects.toMatchObject({ code: 'forbidden', status: 403 });
    expect(calls).toEqual([]);
    expect(store.committed.changes).toEqual([]);
    expect(store.committed.events).toEqual([
      expect.objectContaining({
        action: 'test.renameUser',
        outcome: 'denied',
        actorUsername: 'staff',
        targetType: null,
        details: {},
      }),
    ]);
  });

  it('when the input is invalid then the per-field Spanish message is thrown and nothing is loaded or written', async () => {
    const store = new Store();
    const calls: string[] = [];
    const refused = renameUser(calls)(store.deps())(globalAdmin, { name: 'A' }, meta);
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({ fields: { name: 'Muy corto.' } });
    expect(calls).toEqual([]);
    expect(store.transactions).toBe(0);
  });

  it('when the rule refuses the loaded target then nothing of apply happens and the denied row says what was asked', async () => {
    const store = new Store();
    const calls: string[] = [];
    await expect(
      renameUser(calls)(store.deps())(regionalAdmin, { name: 'Ana María' }, meta),
    ).rejects.toBeInstanceOf(AppError);
    expect(calls).toEqual(['load']);
    expect(store.committed.changes).toEqual([]);
    expect(store.committed.events).toEqual([
      expect.objectContaining({
        outcome: 'denied',
        actorUsername: 'rcentral',
        targetUserId: 42,
        details: { asked: 'Ana María' },
      }),
    ]);
    // The load's transaction and the refusal's own.
    expect(store.transactions).toBe(2);
  });

  it('when the audit row cannot be written then the change rolls back with it and after never runs', async () => {
    const store = new Store();
    store.failAppend = true;
    const calls: string[] = [];
    await expect(
      renameUser(calls)(store.deps())(globalAdmin, { name: 'Ana María' }, meta),
    ).rejects.toThrow('audit write failed');
    expect(calls).toEqual(['load', 'apply']);
    expect(store.committed).toEqual({ changes: [], events: [] });
  });

  it('when the command declares no audit code then its rows carry the policy name', async () => {
    const store = new Store();
    const plain = defineCommand({
      action: 'regions.manage',
      schema: z.object({}),
      load: async () => ({ target: null, policyTarget: undefined, audit: {} }),
      apply: async () => ({ result: null, audit: {} }),
    })(store.deps());
    await plain(globalAdmin, {}, meta);
    expect(plain.auditCode).toBe('regions.manage');
    expect(store.committed.events.map((e) => e.action)).toEqual(['regions.manage']);
  });
});
