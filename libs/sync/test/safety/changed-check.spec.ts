import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { runBackup } from '../../src/engine/backup.js';
import { ConfigError } from '../../src/errors.js';
import { parseChangedCheck } from '../../src/options.js';
import { checksCopies } from '../../src/safety/changed-during-copy.js';
import { makeTempDir, writeTree } from '../helpers/tree.js';
import { whenCopyStarts } from '../helpers/when-copy-starts.js';

const LATENCYFS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../bench/latencyfs.py');
const SIZE = 1_500_000;

/** `backing` seen through a FUSE mount at `mnt` (bench/latencyfs.py, no added latency): a filesystem that is not one of this machine's disks, as a NAS mount is not. */
async function fuseMount(backing: string, mnt: string): Promise<() => Promise<void>> {
  await fs.mkdir(mnt, { recursive: true });
  const daemon = spawn('python3', [LATENCYFS, backing, mnt, '--latency-ms', '0', '--attr-timeout', '0'], { stdio: 'ignore' });
  const unmount = async (): Promise<void> => {
    await execa('fusermount', ['-u', mnt], { reject: false });
    daemon.kill();
  };
  for (let i = 0; i < 100; i++) {
    if ((await fs.readFile('/proc/mounts', 'utf8')).includes(` ${mnt} fuse`)) return unmount;
    await new Promise((r) => setTimeout(r, 100));
  }
  await unmount();
  throw new Error(`latencyfs did not mount ${mnt}`);
}

describe('--changed-check: when copies are looked at again', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-changed-check-'));
  });
  afterEach(() => cleanup());

  test('the policy: auto checks a source on this machine\'s disks only; always also a NAS mount; off never; none without both sides as paths', () => {
    expect(checksCopies('auto', true, true)).toBe(true);
    expect(checksCopies('auto', true, false)).toBe(false);
    expect(checksCopies('always', true, false)).toBe(true);
    expect(checksCopies('off', true, true)).toBe(false);
    expect(checksCopies('always', false, true)).toBe(false);
    expect(parseChangedCheck(undefined)).toBe('auto');
    expect(parseChangedCheck('always')).toBe('always');
    expect(() => parseChangedCheck('sometimes')).toThrow(ConfigError);
    expect(() => parseChangedCheck('sometimes')).toThrow(/--changed-check "sometimes" is not valid: give auto .*, always or off/);
  });

  /** Backs up `source` (whose `alpha/growing.log` lives at `backingFile`) while that file grows mid-copy. */
  async function backUpWhileGrowing(source: string, backingFile: string, changedCheck: 'auto' | 'always' | 'off') {
    const dest = path.join(dir, `backup-${changedCheck}`);
    // 1.5 MB at 1000 KiB/s takes about 1.5 s; the file grows in the middle of the copy.
    const writer = whenCopyStarts(dest, 'growing.log', () => fs.appendFile(backingFile, 'appended line\n'));
    const report = await runBackup({ source, dest, include: ['alpha'], bwlimitKiB: 1000, changedCheck });
    await writer;
    const alpha = report.projects.find((p) => p.name === 'alpha');
    const copy = await fs.readFile(path.join(dest, 'alpha/growing.log'));
    return { report, alpha, copy, final: await fs.readFile(backingFile) };
  }

  test('off: one copy, not looked at again, so a file written during it stays as rsync read it', async () => {
    const source = path.join(dir, 'prod');
    await writeTree(source, { 'alpha/growing.log': Buffer.alloc(SIZE, 'x') });
    const { report, alpha, copy, final } = await backUpWhileGrowing(source, path.join(source, 'alpha/growing.log'), 'off');
    expect(report.changedCheck).toEqual({ mode: 'off', checked: false });
    expect(alpha?.status).toBe('ok');
    expect(alpha?.attempts).toBe(1);
    expect(copy.length).toBe(SIZE);
    expect(final.length).toBeGreaterThan(SIZE);
  });

  test('a source on a NAS-like mount: auto does not look again (two lookups per copied file there), always does and copies the file again', async () => {
    const backing = path.join(dir, 'nas-backing');
    const source = path.join(dir, 'nas');
    await writeTree(backing, { 'alpha/growing.log': Buffer.alloc(SIZE, 'x') });
    const unmount = await fuseMount(backing, source);
    try {
      const auto = await backUpWhileGrowing(source, path.join(backing, 'alpha/growing.log'), 'auto');
      expect(auto.report.changedCheck).toEqual({ mode: 'auto', checked: false });
      expect(auto.alpha?.attempts).toBe(1);
      expect(auto.copy.length).toBe(SIZE);

      await fs.writeFile(path.join(backing, 'alpha/growing.log'), Buffer.alloc(SIZE, 'y'));
      const always = await backUpWhileGrowing(source, path.join(backing, 'alpha/growing.log'), 'always');
      expect(always.report.changedCheck).toEqual({ mode: 'always', checked: true });
      expect(always.alpha?.status).toBe('ok');
      expect(always.alpha?.attempts).toBeGreaterThanOrEqual(2);
      expect(always.alpha?.attemptLog?.[0]?.cause).toMatch(/1 file\(s\) changed while being copied: growing\.log/);
      expect(always.copy.equals(always.final)).toBe(true);
    } finally {
      await unmount();
    }
  });
});
