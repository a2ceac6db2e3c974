import stringWidth from 'string-width';
import cliTruncate from 'cli-truncate';
import { ListrEventManager } from 'listr2';
import { CoalescingRenderer, ONE_COLUMN_SYMBOLS } from '../src/sync/coalescing-renderer.js';

/** A renderer whose format() can be called outside a run: listr2 loads its truncate function in render(). */
function renderer(): { format: (message: string, icon: string, level: number) => string[]; stock: (message: string, icon: string, level: number) => string[] } {
  const r = new CoalescingRenderer([], { formatOutput: 'truncate' } as never, new ListrEventManager()) as unknown as Record<string, unknown>;
  r['truncate'] = cliTruncate;
  const proto = Object.getPrototypeOf(CoalescingRenderer.prototype) as { format: (this: unknown, m: string, i: string, l: number) => string[] };
  return {
    format: (m, i, l) => (r['format'] as typeof proto.format).call(r, m, i, l),
    stock: (m, i, l) => proto.format.call(r, m, i, l),
  };
}

describe('CoalescingRenderer rows', () => {
  const columns = process.stdout.columns;
  afterEach(() => Object.defineProperty(process.stdout, 'columns', { value: columns, configurable: true }));

  test('every symbol the fast path trusts is one column wide, as listr2 measures it', () => {
    for (const c of [...ONE_COLUMN_SYMBOLS, '⠋', '⣿']) expect([c, stringWidth(c)]).toEqual([c, 1]);
  });

  test('rows of the view come out as listr2 itself would draw them, cut or not, at any width and level', () => {
    const { format, stock } = renderer();
    const rows = [
      '0 of 2,001 projects · 1,500 of 2,000 entries · 16.2 KiB of 25.4 KiB · 16.1 KiB/s · ETA 250 ms',
      '(batch 1) · 500 small projects',
      'alpha › raw (top level)',
      '100%  6.3 KiB  150.8 KiB/s  project-1998/notes.txt',
      'queued: 1 waiting (next: (root))',
      'trailing spaces   ',
      '   ',
    ];
    const icons = ['', '\x1b[33m⠋\x1b[39m', '\x1b[32m✔\x1b[39m', '\x1b[2m◼\x1b[22m', '\x1b[90m›\x1b[39m'];
    for (const width of [120, 60, 30, 12]) {
      Object.defineProperty(process.stdout, 'columns', { value: width, configurable: true });
      for (const row of rows) for (const icon of icons) for (const level of [0, 1, 2]) expect([width, row, icon, level, format(row, icon, level)]).toEqual([width, row, icon, level, stock(row, icon, level)]);
    }
  });

  test('rows it cannot measure itself (wide names, several lines) are left to listr2', () => {
    const { format, stock } = renderer();
    Object.defineProperty(process.stdout, 'columns', { value: 20, configurable: true });
    for (const row of ['プロジェクト・アルファ · 1 file', 'clip 🎬 final cut · 2 files', 'two\nlines']) expect(format(row, '⠋', 1)).toEqual(stock(row, '⠋', 1));
  });
});
