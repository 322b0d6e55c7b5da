import { accessRow, decodeKey, encodeKey } from '../../src/areas/me/access-history';
import type { OwnLoginEventRecord } from '../../src/storage/login-events';

describe('Mis accesos: rows and page links', () => {
  const row: OwnLoginEventRecord = {
    id: '42',
    occurredAt: new Date('2026-11-19T12:00:00.123Z'),
    key: '2026-11-19T12:00:00.123456Z',
    method: 'classic',
    outcome: 'failure',
    reason: 'bad_password',
    establishmentName: null,
    ip: null,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  };

  it('when a row is a failure then it reads as a failed attempt with its reason in Spanish', () => {
    expect(accessRow(row)).toEqual({
      when: '19/11/2026 09:00',
      failed: true,
      result: 'Intento fallido',
      detail: 'Contraseña incorrecta',
      method: 'Usuario y contraseña',
      establishment: '—',
      ip: '—',
      browser: 'Firefox · Linux',
    });
  });

  it('when a page link is made then it reads back to the same position, to the microsecond', () => {
    expect(decodeKey(encodeKey(row))).toEqual({ at: '2026-11-19T12:00:00.123456Z', id: '42' });
  });

  it.each([
    undefined,
    '',
    'x',
    '2026-11-19T12:00:00Z~1',
    '2026-13-19T12:00:00.123456Z~1',
    "2026-11-19T12:00:00.123456Z~1'",
  ])('when the page link is %j then it is refused', (value) => expect(decodeKey(value)).toBeNull());
});
