import type { Scope } from '../../access/scope';

/**
 * A scope as a form value and in audit details: `global`, `region:ID` or `establishment:ID`.
 * Ids, not names: the select offers only what exists, and the command resolves the id again.
 */
export const SCOPE_VALUE = /^(global|region:[1-9]\d{0,8}|establishment:[1-9]\d{0,8})$/;

export function scopeValue(scope: Scope): string {
  if (scope.kind === 'global') return 'global';
  if (scope.kind === 'region') return `region:${scope.regionId}`;
  return `establishment:${scope.establishmentId}`;
}

export function parseScopeValue(
  value: string,
): { kind: 'global' } | { kind: 'region' | 'establishment'; id: number } {
  const [kind, id] = value.split(':');
  if (kind === 'region' || kind === 'establishment') return { kind, id: Number(id) };
  return { kind: 'global' };
}
