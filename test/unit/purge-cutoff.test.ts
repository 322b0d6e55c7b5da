import { purgeCutoff } from '../../src/domain/audit/purge-cutoff';

/** The retention rule of `audit:purge --before`: a real date, old enough, as Asunción midnight. */
describe('purgeCutoff', () => {
  const now = new Date('2026-11-29T15:00:00-03:00');

  it.each([
    // Paraguay kept summer time (UTC-3) and winter time (UTC-4) until October 2024.
    ['2021-01-01', '2021-01-01T03:00:00.000Z'],
    ['2021-07-01', '2021-07-01T04:00:00.000Z'],
    ['2025-11-29', '2025-11-29T03:00:00.000Z'],
  ])('when --before %s then rows before %s (midnight in Asunción) go', (before, instant) => {
    expect(purgeCutoff(before, now, 12).toISOString()).toBe(instant);
  });

  it('when the date is the day after the last allowed one then it is refused naming the limit', () => {
    expect(() => purgeCutoff('2025-11-30', now, 12)).toThrow(
      expect.objectContaining({
        status: 400,
        publicMessage:
          'No se puede depurar hasta el 30/11/2025: la retención mínima es de 12 meses ' +
          '(AUDIT_RETENTION_MIN_MONTHS). La fecha más reciente permitida hoy es 29/11/2025.',
      }),
    );
  });

  it('when the minimum is counted back from a month end then the shorter month clamps', () => {
    const endOfMarch = new Date('2026-03-31T10:00:00-03:00');
    expect(purgeCutoff('2026-02-28', endOfMarch, 1).toISOString()).toBe('2026-02-28T03:00:00.000Z');
    expect(() => purgeCutoff('2026-03-01', endOfMarch, 1)).toThrow(
      expect.objectContaining({ publicMessage: expect.stringContaining('28/02/2026') }),
    );
  });

  it('when late in the evening the allowed date is still counted on Asunción’s calendar', () => {
    // 23:30 in Asunción is already the next day in UTC.
    const lateEvening = new Date('2026-11-29T23:30:00-03:00');
    expect(() => purgeCutoff('2025-11-30', lateEvening, 12)).toThrow(
      expect.objectContaining({ publicMessage: expect.stringContaining('29/11/2025.') }),
    );
  });

  it('when the date is in the future then it is refused as such', () => {
    expect(() => purgeCutoff('2026-11-30', now, 12)).toThrow(
      expect.objectContaining({
        publicMessage: 'La fecha 30/11/2026 está en el futuro: no se depura nada.',
      }),
    );
  });

  it.each(['2021-02-30', '2021-1-1', '01/01/2021', '', '2021-01-01T00:00'])(
    'when --before is "%s" then it is refused as an invalid date',
    (before) => {
      expect(() => purgeCutoff(before, now, 12)).toThrow(
        expect.objectContaining({
          code: 'invalid_input',
          publicMessage: `Fecha inválida "${before}": use una fecha real con el formato AAAA-MM-DD.`,
        }),
      );
    },
  );
});
