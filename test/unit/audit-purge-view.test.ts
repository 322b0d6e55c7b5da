import { describeDetails } from '../../src/areas/audit/details-view';
import { ACTION_LABELS, labelOf } from '../../src/domain/audit/labels';

/** The purge's own admin_events row (src/domain/audit/purge.ts), as the auditors' screens show it. */
describe('audit.purge on the administrative actions page', () => {
  it('when the purge row is shown then its action and details read in Spanish', () => {
    expect(labelOf(ACTION_LABELS, 'audit.purge')).toBe('Depurar la auditoría (retención)');
    const lines = describeDetails({
      cutoffDate: '2021-01-01',
      cutoff: '2021-01-01T03:00:00.000Z',
      operator: 'postgres',
      chains: {
        login_events: { rowsRemoved: 5, firstId: '6', prevHash: 'ab12' },
        admin_events: { rowsRemoved: 0, firstId: null, prevHash: null },
      },
    });
    expect(lines).toEqual([
      'Depurado antes del: 01/01/2021',
      'Corte: 01/01/2021 00:00',
      'Usuario del sistema: postgres',
      'Cadenas: Historial de ingresos: Registros eliminados: 5, Continúa en el registro: 6, ' +
        'Hash anterior: ab12, Acciones administrativas: Registros eliminados: 0, ' +
        'Continúa en el registro: —, Hash anterior: —',
    ]);
  });
});
