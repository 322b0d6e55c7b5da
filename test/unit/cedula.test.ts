import { formatCedula, lenientCedula, normalizeCedula } from '../../src/shared/cedula';

describe('cédula: one parser for every way one comes in', () => {
  it.each([
    ['1.234.567', '1234567'],
    [' 1234567 ', '1234567'],
    ['1 234 567', '1234567'],
    ['７８０００００', '7800000'],
    ['123', '123'],
  ])('when %j is typed then it is the cédula %s', (typed, digits) => {
    expect(normalizeCedula(typed)).toBe(digits);
  });

  it.each([
    ['-7800006', 'a sign'],
    ['7800005.', 'a trailing dot'],
    ['0007800003', 'leading zeros (another number)'],
    ['12.34.567', 'groups of the wrong size'],
    ['1.234-567', 'a dash'],
    ['12a4567', 'a letter'],
    ['12', 'too short'],
    ['12345678901', 'too long'],
    ['', 'nothing'],
    ['1\u0000234567', 'a NUL'],
  ])('when %j is typed then it is refused (%s)', (typed) => {
    expect(normalizeCedula(typed)).toBeNull();
  });

  it('when a search, a filter or a provider writes a leading zero or a dash then it is the same cédula', () => {
    expect(lenientCedula('01234567')).toBe('1234567');
    expect(lenientCedula('123-4567')).toBe('1234567');
    expect(lenientCedula('00')).toBeNull();
    expect(lenientCedula('1234567a')).toBeNull();
    expect(lenientCedula('０１２３４５６７')).toBe('1234567');
  });

  it('when formatted then thousands are separated by dots', () => {
    expect(formatCedula('1234567')).toBe('1.234.567');
  });
});
