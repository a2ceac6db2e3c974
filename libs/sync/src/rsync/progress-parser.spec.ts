import { readFileSync } from 'node:fs';
import {
  parseItemizeLine,
  parseProgressLine,
  RsyncOutputSplitter,
  splitRsyncOutput,
} from './progress-parser.js';
import { parseStats } from './stats-parser.js';

// Recorded by libs/sync/test/fixtures/rsync/record.sh with real rsync 3.5.0.
const FIXTURES = new URL('../../test/fixtures/rsync/', import.meta.url);
const raw = (name: string): Buffer => readFileSync(new URL(`${name}.stdout.txt`, FIXTURES));
const records = (name: string): string[] => splitRsyncOutput(raw(name));
const progressOf = (name: string) => records(name).flatMap((r) => parseProgressLine(r) ?? []);
const itemsOf = (name: string) => records(name).flatMap((r) => parseItemizeLine(r) ?? []);

describe('parseProgressLine', () => {
  it('parses a complete progress2 record with to-chk', () => {
    expect(parseProgressLine('      1,600,000  99%  213.52MB/s    0:00:00 (xfr#6, to-chk=2/12)')).toEqual({
      bytes: 1_600_000,
      percent: 99,
      bytesPerSecond: Math.round(213.52 * 1024 ** 2),
      eta: '0:00:00',
      filesTransferred: 6,
      toCheck: { remaining: 2, total: 12, listComplete: true },
    });
  });

  it('parses ir-chk (file list still growing) and a trailing space', () => {
    expect(parseProgressLine('     1,234,567  45%   12.34MB/s    0:00:03 (xfr#12, ir-chk=1000/2000) ')).toMatchObject({
      bytes: 1_234_567,
      percent: 45,
      filesTransferred: 12,
      eta: '0:00:03',
      toCheck: { remaining: 1000, total: 2000, listComplete: false },
    });
  });

  it('parses records without the parenthesised part, kB/s and GB/s, unknown eta', () => {
    const inFlight = parseProgressLine('      1,081,344  36% 1000.98kB/s    0:00:01  ');
    expect(inFlight).toEqual({ bytes: 1_081_344, percent: 36, bytesPerSecond: Math.round(1000.98 * 1024), eta: '0:00:01' });
    expect(parseProgressLine(' 123,456,789,012  100%    1.50GB/s  123:04:05')).toMatchObject({
      bytes: 123_456_789_012,
      bytesPerSecond: Math.round(1.5 * 1024 ** 3),
      eta: '123:04:05',
    });
    const unknownEta = parseProgressLine('         32,768   0%    0.00kB/s  ??:??:??');
    expect(unknownEta).toEqual({ bytes: 32_768, percent: 0, bytesPerSecond: 0 });
  });

  it('accepts --no-h digits, -h suffixes and the pre-3.1 xfer#/to-check spelling', () => {
    expect(parseProgressLine('        1600000  99%  213.52MB/s    0:00:00 (xfr#6, to-chk=2/12)')?.bytes).toBe(1_600_000);
    expect(parseProgressLine('          1.60M  99%  213.52MB/s    0:00:00')?.bytes).toBe(1_600_000);
    expect(parseProgressLine('      1,600,000 100%  213.52MB/s    0:00:00 (xfer#6, to-check=2/12)')?.toCheck).toEqual({
      remaining: 2,
      total: 12,
      listComplete: true,
    });
  });

  it('rejects everything that is not a progress record', () => {
    for (const line of [
      '>f+++++++++ a/f1',
      'created directory t1/dst',
      'Number of files: 14 (reg: 7, dir: 4, link: 1, dev: 1, special: 1)',
      'sent 1,500,888 bytes  received 203 bytes  3,002,182.00 bytes/sec',
      'total size is 1,600,007  speedup is 1.07',
      '>f+++++++++ 50% 1.00MB/s 0:00:01', // a file name that merely looks like one
      '',
    ]) {
      expect(parseProgressLine(line)).toBeUndefined();
    }
  });
});

describe('RsyncOutputSplitter', () => {
  it('splits on \\r and \\n, and gives the same records however the stream is chunked', () => {
    const whole = raw('initial');
    const expected = splitRsyncOutput(whole);
    for (const size of [1, 3, 7, 64, 4096]) {
      const s = new RsyncOutputSplitter();
      const got: string[] = [];
      for (let i = 0; i < whole.length; i += size) got.push(...s.push(whole.subarray(i, i + size)));
      got.push(...s.flush());
      expect(got).toEqual(expected);
    }
    // One itemize line per entry: 4 dirs, 6 files, hard link, symlink, device, fifo.
    expect(expected.filter((r) => parseItemizeLine(r))).toHaveLength(14);
    expect(expected).toContain('created directory t1/dst');
    expect(expected.some((r) => r.includes('\r') || r.includes('\n') || r === '')).toBe(false);
  });

  it('keeps a partial tail until its end arrives and flushes an unterminated last record', () => {
    const s = new RsyncOutputSplitter();
    expect(s.push('\r   1,000  10%    1.00kB/s    0:00:09')).toEqual([]);
    expect(s.push('  \r   2,000  20%')).toEqual(['   1,000  10%    1.00kB/s    0:00:09  ']);
    expect(s.push('    1.00kB/s    0:00:08 (xfr#1, to-chk=1/2)\n>f+++++++++ b')).toEqual([
      '   2,000  20%    1.00kB/s    0:00:08 (xfr#1, to-chk=1/2)',
    ]);
    expect(s.flush()).toEqual(['>f+++++++++ b']);
    expect(s.flush()).toEqual([]);
  });

  it('does not break a UTF-8 character split across Buffer chunks', () => {
    const bytes = Buffer.from('>f+++++++++ café/ü.txt\n', 'utf8');
    const s = new RsyncOutputSplitter();
    const out: string[] = [];
    for (const b of bytes) out.push(...s.push(Buffer.from([b])));
    expect(out).toEqual(['>f+++++++++ café/ü.txt']);
  });
});

describe('progress records in recorded runs', () => {
  it('initial copy: final record matches --stats and the tree (6 files sent, hard link made locally)', () => {
    const p = progressOf('initial');
    const stats = parseStats(raw('initial').toString('utf8'));
    const last = p.at(-1);
    expect(last).toMatchObject({ bytes: 1_500_003, filesTransferred: 6, toCheck: { remaining: 0, total: 14, listComplete: true } });
    expect(last?.bytes).toBe(stats?.totalTransferredSizeBytes);
    expect(last?.filesTransferred).toBe(stats?.filesTransferred);
    // The first in-flight record has no parenthesised part.
    expect(p.some((r) => r.filesTransferred === undefined && r.bytes === 32_768)).toBe(true);
  });

  it('ir-chk: totals grow while incremental recursion lists dirs, then turn into to-chk', () => {
    const p = progressOf('ir-chk');
    const chk = p.flatMap((r) => r.toCheck ?? []);
    const ir = chk.filter((c) => !c.listComplete);
    expect(ir.length).toBeGreaterThan(10);
    expect(new Set(ir.map((c) => c.total)).size).toBeGreaterThan(1);
    for (let i = 1; i < chk.length; i++) expect(chk[i]!.total).toBeGreaterThanOrEqual(chk[i - 1]!.total);
    expect(chk.findIndex((c) => c.listComplete)).toBeGreaterThan(chk.findLastIndex((c) => !c.listComplete));
    // 120 dirs x 10 files + one 3,000,000-byte file; 1,322 entries with the dirs and the root.
    expect(p.at(-1)).toMatchObject({ bytes: 3_007_320, percent: 100, filesTransferred: 1201, toCheck: { remaining: 0, total: 1322 } });
  });

  it('--no-inc-recursive: the whole list is known from the start (to-chk only)', () => {
    const chk = progressOf('to-chk').flatMap((r) => r.toCheck ?? []);
    expect(chk.length).toBeGreaterThan(10);
    expect(chk.every((c) => c.listComplete && c.total === 1322)).toBe(true);
  });

  it('an unchanged tree still reports progress, with nothing transferred', () => {
    const p = progressOf('unchanged');
    expect(p.length).toBeGreaterThan(0);
    expect(p.every((r) => r.bytes === 0 && r.filesTransferred === 0)).toBe(true);
    expect(itemsOf('unchanged')).toEqual([]);
  });

  it('an interrupted run leaves only in-flight records', () => {
    const p = progressOf('interrupted');
    expect(p.length).toBeGreaterThan(0);
    expect(p.every((r) => r.filesTransferred === undefined && r.bytes < 3_000_000)).toBe(true);
  });

  it('every record of every recording is progress, itemize, stats or a known message', () => {
    const names = ['initial', 'unchanged', 'update', 'dry-run', 'max-delete', 'ir-chk', 'to-chk', 'vanished',
      'vanished-max-delete', 'missing-source', 'io-error-deletions', 'push', 'interrupted'];
    const other = /^(created directory |IO error encountered|cannot delete|Number of|Total |Literal data|Matched data|File list|sent |total size is )/;
    for (const name of names) {
      const unknown = records(name).filter((r) => !parseProgressLine(r) && !parseItemizeLine(r) && !other.test(r));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    }
  });
});

describe('parseItemizeLine', () => {
  it('initial copy: new files, dirs, symlink, device, fifo and a -H hard link', () => {
    const items = itemsOf('initial');
    const byPath = new Map(items.map((i) => [i.path, i]));
    expect(byPath.get('./')).toEqual({ itemize: 'cd+++++++++', changeType: 'local-change', fileType: 'dir', path: './', isNew: true });
    expect(byPath.get('a/f1')).toEqual({ itemize: '>f+++++++++', changeType: 'received', fileType: 'file', path: 'a/f1', isNew: true });
    expect(byPath.get('link')).toEqual({
      itemize: 'cL+++++++++', changeType: 'local-change', fileType: 'symlink', path: 'link', isNew: true, linkTarget: 'a/f1',
    });
    expect(byPath.get('null')).toMatchObject({ changeType: 'local-change', fileType: 'device' });
    expect(byPath.get('fifo')).toMatchObject({ changeType: 'local-change', fileType: 'special' });
    expect(byPath.get('hard')).toEqual({
      itemize: 'hf+++++++++', changeType: 'hardlink', fileType: 'file', path: 'hard', isNew: true, linkTarget: 'a/f1',
    });
    expect(items.filter((i) => i.changeType === 'received')).toHaveLength(6);
    expect(items.filter((i) => i.fileType === 'dir').map((i) => i.path)).toEqual(['./', 'a/', 'a/b/', 'c/']);
  });

  it('update with --delete: deletions, delta, permission-only and time-only changes', () => {
    const items = itemsOf('update');
    expect(items.filter((i) => i.changeType === 'deleting')).toEqual([
      { itemize: '*deleting  ', changeType: 'deleting', fileType: 'file', path: 'old-dir/sub/gone1', isNew: false },
      { itemize: '*deleting  ', changeType: 'deleting', fileType: 'dir', path: 'old-dir/sub/', isNew: false },
      { itemize: '*deleting  ', changeType: 'deleting', fileType: 'dir', path: 'old-dir/', isNew: false },
      { itemize: '*deleting  ', changeType: 'deleting', fileType: 'file', path: 'gone2', isNew: false },
    ]);
    const byPath = new Map(items.map((i) => [i.path, i]));
    expect(byPath.get('a/f2')).toMatchObject({ itemize: '>f.s.......', changeType: 'received', isNew: false });
    expect(byPath.get('a/f3')).toMatchObject({ itemize: '.f...p.....', changeType: 'no-update', isNew: false });
    expect(byPath.get('c/small')).toMatchObject({ itemize: '>f..t......', changeType: 'received' });
    expect(byPath.get('c/new')).toMatchObject({ changeType: 'received', isNew: true });
    expect(byPath.get('./')).toMatchObject({ itemize: '.d..t......', changeType: 'no-update', fileType: 'dir' });
  });

  it('push through a remote shell itemizes files as sent', () => {
    const items = itemsOf('push');
    expect(items.filter((i) => i.changeType === 'sent').map((i) => i.path)).toEqual(
      ['hard', 'a/f1', 'a/f2', 'a/f3', 'a/f4', 'a/f5', 'c/new', 'c/small'],
    );
  });

  it('max-delete: only one deletion happened', () => {
    expect(itemsOf('max-delete').filter((i) => i.changeType === 'deleting').map((i) => i.path)).toEqual(['extra4']);
  });

  it('decodes \\#ooo escapes and handles other * messages', () => {
    expect(parseItemizeLine('>f+++++++++ new\\#012line')?.path).toBe('new\nline');
    expect(parseItemizeLine('>f+++++++++ caf\\#303\\#251')?.path).toBe('café');
    expect(parseItemizeLine('*skipping   foo')).toMatchObject({ changeType: 'message', path: 'foo' });
  });

  it('rejects progress records and rsync messages', () => {
    for (const line of [
      'created directory t1/dst',
      'cannot delete non-empty directory: x',
      'IO error encountered -- skipping file deletion',
      '      1,600,000  99%  213.52MB/s    0:00:00 (xfr#6, to-chk=2/12)',
      'Number of files: 14',
      '>f+++++++++',
    ]) {
      expect(parseItemizeLine(line)).toBeUndefined();
    }
  });
});
