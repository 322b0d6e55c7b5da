import fc from 'fast-check';
import { preselect } from '../../src/domain/authentication/establishment-login';
import { safeReturnPath } from '../../src/shared/paths';

describe('safeReturnPath', () => {
  it.each([
    '//evil.com',
    '//evil.com/admin',
    '/\\evil.com',
    '/\\/evil.com',
    'https://evil.example/admin',
    'http:/evil.example',
    'javascript:alert(1)',
    'admin/users',
    '',
    '/admin\nSet-Cookie: x=1',
    '/\tevil.com',
  ])('when the return path is %j then the fallback is used', (value) => {
    expect(safeReturnPath(value)).toBe('/');
    expect(safeReturnPath(value, '/home')).toBe('/home');
  });

  it.each([undefined, null, 42, ['/admin'], { path: '/admin' }])(
    'when the return path is not a string (%j) then the fallback is used',
    (value) => {
      expect(safeReturnPath(value)).toBe('/');
    },
  );

  it.each(['/', '/admin/users?x=1', '/audit/logins?from=2026-01-01&to=2026-02-01', '/me/access'])(
    'when the return path is the same-site path %j then it is kept',
    (value) => {
      expect(safeReturnPath(value)).toBe(value);
    },
  );

  it('when any string is given then the result is the fallback or a path on this site', () => {
    const fallback = '/fallback';
    // Built from the characters that matter to a redirect, so that both outcomes occur often.
    const tricky = fc.string({
      unit: fc.constantFrom('/', '\\', ':', '.', '@', '?', '#', '%', ' ', '\t', 'a', 'é', 'x1'),
      maxLength: 20,
    });
    // Paths made mostly of what a same-site path holds, so that kept paths are not left to chance.
    const plain = fc
      .string({
        unit: fc.constantFrom('a', 'x1', '-', '_', '.', '/', '?', '=', '&', '%', '~'),
        maxLength: 20,
      })
      .map((s) => `/${s}`);
    const value = fc.oneof(
      tricky,
      tricky.map((s) => `/${s}`),
      plain,
      fc.string({ unit: 'binary' }),
    );
    const seen = { kept: 0, refused: 0 };
    fc.assert(
      fc.property(value, (value) => {
        const result = safeReturnPath(value, fallback);
        seen[result === fallback ? 'refused' : 'kept']++;
        if (result !== fallback) {
          expect(result).toBe(value);
          expect(result.startsWith('/')).toBe(true);
          expect(result).not.toMatch(/^\/[/\\]/);
          expect(result).not.toMatch(/[\s:]/);
          // Resolved against our origin, the browser stays on our origin.
          expect(new URL(result, 'https://his.example').origin).toBe('https://his.example');
        }
      }),
      { numRuns: 500 },
    );
    // Both outcomes were generated: a property that only ever saw the fallback proves nothing.
    expect(seen.kept).toBeGreaterThan(20);
    expect(seen.refused).toBeGreaterThan(20);
  });
});

describe('preselect', () => {
  // preselect reads only the id; full Sequelize instances are not needed.
  const establishments = (...ids: number[]) => ids.map((id) => ({ id }));

  it('when a single establishment is assigned then it is preselected', () => {
    expect(preselect(establishments(7), null)).toBe(7);
    expect(preselect(establishments(7), 3)).toBe(7);
  });

  it('when several are assigned and the last one chosen is among them then it is preselected', () => {
    expect(preselect(establishments(3, 7, 9), 7)).toBe(7);
  });

  it('when several are assigned and the last one chosen is no longer assigned then none is preselected', () => {
    expect(preselect(establishments(3, 7, 9), 12)).toBeNull();
  });

  it('when several are assigned and there is no previous choice then none is preselected', () => {
    expect(preselect(establishments(3, 7, 9), null)).toBeNull();
  });

  it('when none is assigned then none is preselected, whatever was chosen before', () => {
    expect(preselect(establishments(), 7)).toBeNull();
    expect(preselect(establishments(), null)).toBeNull();
  });
});
