import { readFileSync } from 'node:fs';
import { parseStats } from './stats-parser.js';

// Recorded by libs/sync/test/fixtures/rsync/record.sh with real rsync 3.5.0.
const FIXTURES = new URL('../../test/fixtures/rsync/', import.meta.url);
const stdout = (name: string): string => readFileSync(new URL(`${name}.stdout.txt`, FIXTURES), 'utf8');

/**
 * Bytes sent/received include protocol overhead that varies a little between reruns of
 * record.sh, so they are checked against rsync's own summary line in the same recording.
 */
const summary = (name: string) => {
  const m = /^sent ([\d,]+) bytes {2}received ([\d,]+) bytes/m.exec(stdout(name));
  if (!m?.[1] || !m[2]) throw new Error(`no summary line in ${name}`);
  return { bytesSent: Number(m[1].replace(/,/g, '')), bytesReceived: Number(m[2].replace(/,/g, '')) };
};

describe('parseStats on recorded runs', () => {
  it('initial copy of the t1 tree (7 regular files incl. a hard link, 4 dirs, link, dev, fifo)', () => {
    expect(parseStats(stdout('initial'))).toEqual({
      filesTotal: 14,
      regularFiles: 7,
      directories: 4,
      filesCreated: 14,
      filesDeleted: 0,
      // The -H hard link is created locally, not transferred.
      filesTransferred: 6,
      // f1..f5 = 1,500,000 + c/small 3 + hard 100,000 + symlink target "a/f1" 4.
      totalFileSizeBytes: 1_600_007,
      totalTransferredSizeBytes: 1_500_003,
      literalDataBytes: 1_500_003,
      matchedDataBytes: 0,
      ...summary('initial'),
    });
    expect(summary('initial').bytesSent).toBeGreaterThan(1_500_003);
  });

  it('update with --delete and delta transfer: created/deleted counts and matched data', () => {
    expect(parseStats(stdout('update'))).toEqual({
      filesTotal: 15,
      regularFiles: 8,
      directories: 4,
      filesCreated: 1, // c/new
      filesDeleted: 4, // old-dir/, old-dir/sub/, old-dir/sub/gone1, gone2
      filesTransferred: 3, // a/f2, c/new, c/small
      totalFileSizeBytes: 1_654_103,
      totalTransferredSizeBytes: 254_099, // 250,000 + 4,096 + 3
      literalDataBytes: 4_199,
      matchedDataBytes: 249_900, // f2 grew from 200,000 bytes: most of it matched
      ...summary('update'),
    });
    // Delta transfer: far fewer bytes on the wire than the 254,099 bytes of changed files.
    expect(summary('update').bytesSent).toBeLessThan(20_000);
  });

  it('dry run reports what would change but no data', () => {
    expect(parseStats(stdout('dry-run'))).toMatchObject({
      filesCreated: 1,
      filesDeleted: 1,
      filesTransferred: 3,
      totalTransferredSizeBytes: 254_099,
      literalDataBytes: 0,
      matchedDataBytes: 0,
    });
  });

  it('thousands separators, including inside the breakdown (reg: 1,201, dir: 121)', () => {
    for (const name of ['ir-chk', 'to-chk']) {
      expect(parseStats(stdout(name))).toMatchObject({
        filesTotal: 1_322,
        regularFiles: 1_201,
        directories: 121,
        filesCreated: 1_322,
        filesTransferred: 1_201,
        totalFileSizeBytes: 3_007_320,
      });
    }
  });

  it('max-delete stop: one deletion counted', () => {
    expect(parseStats(stdout('max-delete'))).toMatchObject({ filesDeleted: 1, filesTransferred: 0 });
  });

  it('vanished file still counts as transferred in rsync 3.5.0', () => {
    expect(parseStats(stdout('vanished'))).toMatchObject({ filesTotal: 3, regularFiles: 2, filesTransferred: 2 });
  });

  it('missing source: a stats block of zeros', () => {
    expect(parseStats(stdout('missing-source'))).toEqual({
      filesTotal: 0, regularFiles: 0, directories: 0, filesCreated: 0, filesDeleted: 0, filesTransferred: 0,
      totalFileSizeBytes: 0, totalTransferredSizeBytes: 0, literalDataBytes: 0, matchedDataBytes: 0,
      ...summary('missing-source'),
    });
  });

  it('is undefined without a stats block', () => {
    expect(parseStats(stdout('bad-option'))).toBeUndefined();
    expect(parseStats(stdout('interrupted'))).toBeUndefined();
    expect(parseStats('')).toBeUndefined();
  });
});

describe('parseStats on other spellings', () => {
  it('reads pre-3.1 "Number of files transferred", --no-h digits and -h suffixes; missing lines are 0', () => {
    expect(
      parseStats('Number of files: 1234567\nNumber of files transferred: 12\nTotal file size: 1.50G bytes\n'),
    ).toMatchObject({
      filesTotal: 1_234_567,
      regularFiles: 0,
      filesTransferred: 12,
      totalFileSizeBytes: 1_500_000_000,
      bytesSent: 0,
    });
  });
});
