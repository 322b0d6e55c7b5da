import { csvCell, csvDocument, csvLine, neutralise } from '../../src/audit/csv';

describe('csv: cells for Excel (es-PY), formulas neutralised', () => {
  it.each(['=1+1', '+54 21', '-2', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://x")'])(
    'when a text cell starts like a formula (%j) then it gets a leading apostrophe',
    (text) => {
      expect(neutralise(text).startsWith("'")).toBe(true);
      expect(neutralise(text).slice(1)).toBe(text);
    },
  );

  it('when a text cell is ordinary then it is kept as it is', () => {
    expect(neutralise('Hospital Regional de Concepción')).toBe('Hospital Regional de Concepción');
    expect(neutralise('a=b')).toBe('a=b');
  });

  it('when a cell holds the separator, a quote or a line break then it is quoted', () => {
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('dijo "hola"')).toBe('"dijo ""hola"""');
    expect(csvCell('línea 1\nlínea 2')).toBe('"línea 1\nlínea 2"');
  });

  it('when a formula also holds a quote then it is neutralised and quoted', () => {
    expect(csvCell('=A1&"x"')).toBe('"\'=A1&""x"""');
  });

  it('when cells are numbers, dates or empty then numbers use the decimal comma', () => {
    expect(csvLine([45.5, 3, null, undefined, new Date('2026-11-20T12:00:00Z')])).toBe(
      '45,5;3;;;2026-11-20T12:00:00.000Z\r\n',
    );
    expect(csvCell(-2)).toBe('-2');
    expect(csvCell(Number.NaN)).toBe('');
  });

  it('when a document is written then it starts with the UTF-8 byte-order mark', () => {
    const doc = csvDocument([['Región'], ['Central']]);
    expect(doc.charCodeAt(0)).toBe(0xfeff);
    expect(doc.slice(1)).toBe('Región\r\nCentral\r\n');
  });
});
