import { ConfigError, loadConfig } from '../../src/config';

describe('TRUST_PROXY', () => {
  it('when unset then only the loopback proxy (nginx on the same host) is trusted', () => {
    expect(loadConfig({}).trustProxy).toEqual(['loopback']);
  });

  it.each([
    ['10.0.0.5', ['10.0.0.5']],
    ['loopback, 10.1.0.0/16', ['loopback', '10.1.0.0/16']],
    ['192.168.0.0/255.255.0.0', ['192.168.0.0/255.255.0.0']],
    ['fd00::/8,::1', ['fd00::/8', '::1']],
    ['uniquelocal', ['uniquelocal']],
    ['none', []],
    ['false', []],
  ])('when it is %s then Express is given %j', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each(['true', '1', '2', '*', 'nginx.local', '10.0.0.1/33', '10.0.0.1/8/8', 'loopback,true'])(
    'when it is %s then the configuration is refused at boot, naming the variable',
    (value) => {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(ConfigError);
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
    },
  );
});
