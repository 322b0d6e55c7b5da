import type { Request } from 'express';
import { clientIp, normaliseIp } from '../../src/web/request-meta';

const req = (ip: string | undefined, peer: string | undefined) =>
  ({ ip, socket: { remoteAddress: peer } }) as unknown as Request;

describe('normaliseIp', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:10.0.0.1', '10.0.0.1'],
    ['2001:db8::1', '2001:db8::1'],
    ['::1', '::1'],
    [' 10.0.0.2 ', '10.0.0.2'],
  ])('when the value is %s then %s is stored', (value, stored) => {
    expect(normaliseIp(value)).toBe(stored);
  });

  it.each([
    '<script>',
    'unknown',
    'host.example.org',
    '203.0.113.7:443',
    '999.1.1.1',
    '::ffff:host',
    '',
    undefined,
  ])('when the value is %j then nothing is stored', (value) => {
    expect(normaliseIp(value)).toBeNull();
  });
});

describe('clientIp', () => {
  it('when the forwarded address is an IP then it is the one', () => {
    expect(clientIp(req('203.0.113.7', '127.0.0.1'))).toBe('203.0.113.7');
  });

  it('when the forwarded address is not an IP then the socket peer is used', () => {
    expect(clientIp(req('<b>x</b>', '::ffff:127.0.0.1'))).toBe('127.0.0.1');
  });

  it('when neither is an IP then null', () => {
    expect(clientIp(req('x', undefined))).toBeNull();
  });
});
