import { parseLocation } from '../location/location.js';
import { linkDestFor } from '../rsync/args.js';
import type { SyncTask } from '../plan/task.js';
import { formatSnapshotName, parseSnapshotFolder } from './naming.js';
import { applyRetention, parseRetentionPolicy } from './retention.js';

const at = (iso: string) => ({ name: iso, time: new Date(iso) });

describe('snapshot names', () => {
  test('are UTC, sortable and without colons, and only dailysync names parse', () => {
    expect(formatSnapshotName(new Date('2026-12-02T01:30:45.678Z'))).toBe('2026-12-02T013045Z');
    expect(parseSnapshotFolder('2026-12-02T013045Z')?.state).toBe('complete');
    expect(parseSnapshotFolder('2026-12-02T013045Z.partial')?.state).toBe('partial');
    expect(parseSnapshotFolder('2026-12-02T013045Z.pruning')?.name).toBe('2026-12-02T013045Z');
    for (const other of ['latest', '2026-02-31T000000Z', '2026-12-02T01:30:45Z', '2026-12-02T013045Z.old', 'alpha']) expect(parseSnapshotFolder(other)).toBeUndefined();
  });
});

describe('retention rules (restic forget semantics)', () => {
  test('daily counts days that have snapshots, not calendar days, and keeps the newest of each', () => {
    const snaps = ['2026-12-01T01:00Z', '2026-12-01T13:00Z', '2026-12-05T01:00Z', '2026-12-09T01:00Z', '2026-12-09T02:00Z'].map(at);
    const d = applyRetention(snaps, { keepDaily: 3 });
    expect(d.keep.map((k) => k.snapshot.name)).toEqual(['2026-12-09T02:00Z', '2026-12-05T01:00Z', '2026-12-01T13:00Z']);
  });

  test('weekly uses ISO weeks across a year end; monthly calendar months; a snapshot kept by two rules is kept once', () => {
    // 2026-12-31 (Thursday) and 2027-01-03 (Sunday) are both in ISO week 2026-W53.
    const snaps = ['2026-12-20T01:00Z', '2026-12-31T01:00Z', '2027-01-03T01:00Z', '2027-01-04T01:00Z'].map(at);
    const weekly = applyRetention(snaps, { keepWeekly: 2 });
    expect(weekly.keep.map((k) => [k.snapshot.name, k.reasons])).toEqual([
      ['2027-01-04T01:00Z', ['weekly 2027-W01']],
      ['2027-01-03T01:00Z', ['weekly 2026-W53']],
    ]);
    const both = applyRetention(snaps, { keepMonthly: 2, keepLast: 1 });
    expect(both.keep.map((k) => [k.snapshot.name, k.reasons])).toEqual([
      ['2027-01-04T01:00Z', ['last 1', 'monthly 2027-01']],
      ['2026-12-31T01:00Z', ['monthly 2026-12']],
    ]);
    expect(both.remove.map((s) => s.name)).toEqual(['2027-01-03T01:00Z', '2026-12-20T01:00Z']);
  });

  test('no rule keeps everything; invalid counts are refused with the fix', () => {
    expect(applyRetention([at('2026-12-01T01:00Z'), at('2026-12-02T01:00Z')], {}).remove).toEqual([]);
    expect(() => parseRetentionPolicy({ keepLast: '0', keepDaily: undefined, keepWeekly: undefined, keepMonthly: undefined })).toThrow(/--keep-last "0" is not valid: give a whole number/);
    expect(parseRetentionPolicy({ keepLast: '3', keepDaily: 7, keepWeekly: undefined, keepMonthly: undefined })).toEqual({ keepLast: 3, keepDaily: 7 });
  });
});

describe('--link-dest per task', () => {
  const task = (relPath: string): SyncTask => ({ id: relPath || '(root)', project: relPath.split('/')[0] || '(root)', kind: relPath ? 'subtree' : 'root', relPath, excludeTopLevelDirs: [], weight: 1 });
  test('is absolute for a local backup and climbs back up the task depth for a remote one', () => {
    const local = { dest: '/backup/snapshots/2026-12-02T013000Z.partial', destLocation: parseLocation('dest', '/backup/snapshots/2026-12-02T013000Z.partial') };
    expect(linkDestFor(task('gamma/edit'), '../2026-12-01T013000Z', local)).toBe('/backup/snapshots/2026-12-01T013000Z/gamma/edit');
    const remoteDest = 'rsync://nas/backup/snapshots/2026-12-02T013000Z.partial';
    const remote = { dest: remoteDest, destLocation: parseLocation('dest', remoteDest) };
    expect(linkDestFor(task(''), '../2026-12-01T013000Z', remote)).toBe('../2026-12-01T013000Z');
    expect(linkDestFor(task('gamma'), '../2026-12-01T013000Z', remote)).toBe('../../2026-12-01T013000Z/gamma');
    expect(linkDestFor(task('gamma/edit/raw'), '../..', remote)).toBe('../../../../../gamma/edit/raw');
  });
});
