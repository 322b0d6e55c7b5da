import { normalizeCedula, formatCedula } from '../../src/shared/cedula';

describe('cédula normalisation', () => {
  it('when typed with dots then only the digits remain', () => {
    expect(normalizeCedula('1.234.567')).toBe('1234567');
    expect(normalizeCedula(' 1234567 ')).toBe('1234567');
  });
  it('when it has letters or is too short then it is refused', () => {
    expect(normalizeCedula('12a4567')).toBeNull();
    expect(normalizeCedula('12')).toBeNull();
    expect(normalizeCedula('')).toBeNull();
  });
  it('when formatted then thousands are separated by dots', () => {
    expect(formatCedula('1234567')).toBe('1.234.567');
  });
});
