import { networkMatcher, sourceOf } from '../../src/domain/passwords/source';

describe('the source an attempt counts against', () => {
  it.each([
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::ffff:1.2.3.4', '0:0:0:0::/64'],
    ['10.1.2.3', '10.1.2.3'],
    [null, 'unknown'],
  ])('when the address is %j then the source is %j', (ip, source) => {
    expect(sourceOf(ip)).toBe(source);
  });

  it('when addresses lie in the trusted ranges then they are trusted, others not', () => {
    const trusted = networkMatcher([
      { address: '10.77.0.0', prefix: 16, family: 'ipv4' },
      { address: '2800:a0::', prefix: 48, family: 'ipv6' },
    ]);
    expect([trusted('10.77.3.4'), trusted('10.78.0.1'), trusted('2800:a0:0:5::9')]).toEqual([
      true,
      false,
      true,
    ]);
    expect([trusted('2800:a1::1'), trusted(null), trusted('nonsense')]).toEqual([
      false,
      false,
      false,
    ]);
  });
});
