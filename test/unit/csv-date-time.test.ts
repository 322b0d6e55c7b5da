import fc from 'fast-check';
import dayjs from 'dayjs';
import { csvDateTime } from '../../src/web/csv-export';
import { ZONE } from '../../src/shared/time';

/** The export's date column: one cached Intl formatter instead of dayjs's tz() on every row. */
describe('csvDateTime', () => {
  it.each([
    // Summer time (UTC-3) and winter time (UTC-4) until October 2024, UTC-3 all year since.
    ['2021-01-01T03:00:00Z', '2021-01-01 00:00:00'],
    ['2021-07-01T04:00:00Z', '2021-07-01 00:00:00'],
    ['2021-07-01T03:59:59Z', '2021-06-30 23:59:59'],
    ['2026-11-20T12:12:00Z', '2026-11-20 09:12:00'],
    ['2026-12-31T23:30:00Z', '2026-12-31 20:30:00'],
  ])('when the instant is %s then it is written %s (Asunción)', (instant, written) => {
    expect(csvDateTime(new Date(instant))).toBe(written);
  });

  it('when any instant from 2000 to 2040 is written then it reads as dayjs in Asunción reads it', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2040-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        (date) => {
          expect(csvDateTime(date)).toBe(dayjs(date).tz(ZONE).format('YYYY-MM-DD HH:mm:ss'));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
