import { lastLoginMessage } from '../../src/areas/home/last-login-notice';

const previous = {
  at: new Date('2026-11-20T12:12:00Z').getTime(),
  ip: '10.0.0.5',
  establishmentName: 'Hospital Regional de Luque',
};

describe('lastLoginMessage: the one-time notice after a login', () => {
  it('when there is a previous login and 3 failures since then both are told, as a warning', () => {
    expect(lastLoginMessage({ previous, failures: 3 })).toEqual({
      kind: 'warning',
      sentences: [
        'Su último ingreso fue el 20/11/2026 09:12 desde 10.0.0.5 (Hospital Regional de Luque).',
        'Desde entonces hubo 3 intentos fallidos con su usuario.',
        'Si no fue usted, cambie su contraseña y avise al administrador del HIS.',
      ],
    });
  });

  it('when there was exactly one failure then the singular is used', () => {
    expect(lastLoginMessage({ previous, failures: 1 })!.sentences[1]).toBe(
      'Desde entonces hubo 1 intento fallido con su usuario.',
    );
  });

  it('when there were no failures then it says so, as information', () => {
    const message = lastLoginMessage({ previous, failures: 0 })!;
    expect(message.kind).toBe('info');
    expect(message.sentences).toEqual([
      'Su último ingreso fue el 20/11/2026 09:12 desde 10.0.0.5 (Hospital Regional de Luque).',
      'Desde entonces no hubo intentos fallidos con su usuario.',
    ]);
  });

  it('when the previous login has no IP nor establishment then those parts are left out', () => {
    expect(
      lastLoginMessage({
        previous: { ...previous, ip: null, establishmentName: null },
        failures: 0,
      })!.sentences[0],
    ).toBe('Su último ingreso fue el 20/11/2026 09:12.');
  });

  it('when this is the first login then nothing is shown, unless there were failures before it', () => {
    expect(lastLoginMessage({ previous: null, failures: 0 })).toBeNull();
    expect(lastLoginMessage({ previous: null, failures: 2 })!.sentences[0]).toBe(
      'Antes de este ingreso hubo 2 intentos fallidos con su usuario.',
    );
  });
});
