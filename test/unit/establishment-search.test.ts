import { filterEstablishments, fold } from '../../src/domain/establishments/search';

const row = (id: number, code: string, name: string, regionId: number, active = true) => ({
  id,
  code,
  name,
  regionId,
  active,
});
const all = [
  row(1, 'HD-LUQ', 'Hospital Distrital de Luque', 11),
  row(2, 'USF-PIL', 'USF Pilar Ñeembucú', 12),
  row(3, 'HR-CDE', 'Hospital Regional de Ciudad del Este', 10, false),
  row(4, 'CS-ITA', 'Centro de Salud Itá', 11),
];
const ids = (rows: { id: number }[]) => rows.map((r) => r.id);

describe('filterEstablishments', () => {
  it.each([
    ['an empty search', {}, [1, 2, 3, 4]],
    ['a name without accents or case', { q: 'NEEMBUCU' }, [2]],
    ['a name typed with accents', { q: 'SALUD itá' }, [4]],
    ['part of a code', { q: 'hr-c' }, [3]],
    ['several words in any order', { q: 'luque hosp' }, [1]],
    ['a word no row has', { q: 'hospital pilar' }, []],
    ['a región', { regionId: 11 }, [1, 4]],
    ['only the inactive', { active: false }, [3]],
    ['a región, active, and a word', { regionId: 11, active: true, q: 'centro' }, [4]],
  ])('when filtering by %s then the matching rows in their order', (_, filters, expected) => {
    expect(ids(filterEstablishments(all, filters))).toEqual(expected);
  });

  it('when folding then accents, case and spaces do not matter', () => {
    expect(fold('  Región   Sanitaria ÑEEMBUCÚ ')).toBe('region sanitaria neembucu');
  });
});
