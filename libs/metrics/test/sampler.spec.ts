import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startSampler } from '../src/sampler.js';
import type { Sample } from '../src/types.js';

const dir = mkdtempSync(join(tmpdir(), 'metrics-sampler-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const exited = (c: ChildProcess): Promise<number | null> => new Promise((res) => c.on('exit', (code) => res(code)));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const treeCpuSeconds = (ss: Sample[]): number => ss.reduce((a, s) => a + (s.tree ? s.tree.cpuCores * s.seconds : 0), 0);
const treeWriteBytes = (ss: Sample[]): number => ss.reduce((a, s) => a + (s.tree ? s.tree.writeBytesPerSec * s.seconds : 0), 0);

describe('startSampler on a real process tree', () => {
  it('attributes the CPU and write bytes of dd and sha256sum to the tree', async () => {
    const file = join(dir, 'tmpfile');
    // The work starts only once the sampler has its baseline (the go file), and the shell stays 1 s
    // after it, so a late timer on a busy machine still samples every byte before the root exits.
    const go = join(dir, 'go');
    const child = spawn('sh', ['-c', `while [ ! -e ${go} ]; do sleep 0.02; done; dd if=/dev/zero of=${file} bs=1M count=200 conv=fsync 2>/dev/null; sha256sum ${file} >/dev/null; sleep 1`], { stdio: 'ignore' });
    const seen: Sample[] = [];
    const sampler = startSampler({ rootPid: child.pid, paths: { source: dir, dest: dir }, intervalMs: 200, onSample: (s) => seen.push(s) });
    writeFileSync(go, '');
    expect(await exited(child)).toBe(0);
    await sleep(250); // one more tick after the exit
    const series = await sampler.stop();
    expect(series.samples.length).toBeGreaterThan(2);
    expect(seen.length).toBeGreaterThanOrEqual(series.samples.length - 1); // stop() may add a final sample
    expect(sampler.latest()).toBe(series.samples[series.samples.length - 1]);
    expect(series.rootPid).toBe(child.pid);
    const wall = (series.endedAt - series.startedAt) / 1000;
    const cpu = treeCpuSeconds(series.samples);
    // sha256 of 200 MB alone takes a few tenths of a second; the tree cannot exceed every core all the time.
    expect(cpu).toBeGreaterThan(0.2);
    expect(cpu).toBeLessThanOrEqual(series.facts.cores * wall + 0.05);
    const written = treeWriteBytes(series.samples);
    expect(written).toBeGreaterThan(190e6);
    expect(written).toBeLessThan(260e6);
    const comms = new Set(series.samples.map((s) => s.tree?.top?.comm).filter(Boolean));
    expect([...comms].some((c) => c === 'dd' || c === 'sha256sum')).toBe(true);
    // The tree's share can never exceed the machine's busy share by more than rounding of tick counts.
    for (const s of series.samples) if (s.tree) expect(s.tree.cpuPctOfMachine).toBeLessThanOrEqual(s.cpu.busyPct + 15);
    // Static facts: /tmp resolves to a block device counted in /proc/diskstats.
    expect(series.facts.cores).toBeGreaterThan(0);
    expect(series.facts.source?.kind).toBe('local');
    expect(series.facts.source?.devices.length).toBeGreaterThan(0);
  });

  it('counts a child that started and exited between two samples (reaped into cutime and io)', async () => {
    const file = join(dir, 'short');
    // dd and sha256sum live and die inside the first 2.5 s interval; only sh and sleep remain.
    const child = spawn('sh', ['-c', `sleep 0.2; dd if=/dev/zero of=${file} bs=1M count=60 conv=fsync 2>/dev/null; sha256sum ${file} >/dev/null; sleep 3`], { stdio: 'ignore' });
    const sampler = startSampler({ rootPid: child.pid, intervalMs: 2500 });
    await sleep(2700);
    const first = sampler.latest();
    child.kill();
    await exited(child);
    await sampler.stop();
    if (!first?.tree) throw new Error('no tree sample after 2.7 s');
    expect(first.tree.pids).toBe(2); // sh + sleep: the workers are gone
    expect(first.tree.cpuCores * first.seconds).toBeGreaterThan(0.05);
    expect(first.tree.writeBytesPerSec * first.seconds).toBeGreaterThan(55e6);
  });

  // The sampler's CPU cost depends on the machine's load: measured by
  // libs/metrics/scenarios/sampler-overhead.ts (docs/benchmarks.md), not asserted here.

  it('lists the block devices in the series unless told not to (a run that keeps no series skips lsblk)', async () => {
    const without = await startSampler({ paths: { source: dir, dest: dir }, intervalMs: 50, blockDevices: false }).stop();
    expect(without.facts.blockDevices).toEqual([]);
    const withList = await startSampler({ paths: { source: dir, dest: dir }, intervalMs: 50 }).stop();
    // This machine has at least the disk its temporary folder is on.
    expect(withList.facts.blockDevices.length).toBeGreaterThan(0);
    expect(withList.facts.blockDevices.every((d) => typeof d.name === 'string' && d.name !== '')).toBe(true);
  });

  it('never keeps the process alive (unref timer)', async () => {
    const script = "import { startSampler } from './libs/metrics/src/index.ts'; startSampler({ intervalMs: 100 });";
    const child = spawn('npx', ['tsx', '-e', script], { cwd: fileURLToPath(new URL('../../../', import.meta.url)), stdio: 'ignore' });
    // A held-open process never exits; the bound only has to exceed tsx's start-up on a busy machine
    // (over 10 s seen on a loaded 2-core box), so it is generous rather than tight.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 100_000)));
    const code = await Promise.race([exited(child), timeout]);
    clearTimeout(timer);
    if (code === 'timeout') child.kill('SIGKILL');
    expect(code).toBe(0);
  }, 120_000);
});
