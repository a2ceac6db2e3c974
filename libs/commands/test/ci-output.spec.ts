import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ROOT_PROJECT } from '@dailysync/sync';
import { xmlEscape } from '../src/output/junit.js';
import { makeTempDir, projectTree, treeDifferences, writeTree } from '../../sync/test/helpers/tree.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../apps/backup/bin/dailysync.js');
const dailysync = (args: string[]) => execa(process.execPath, [BIN, ...args], { reject: false });

interface ParsedCase {
  name: string;
  time: string;
  failure: { message: string; type: string; text: string } | null;
  skipped: string | null;
}

/** Parses JUnit XML with a real XML parser (Python's), which also proves it is well-formed. */
async function parseJunit(file: string): Promise<{ suite: Record<string, string>; cases: ParsedCase[] }> {
  const script = `
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suite = root.find('testsuite')
cases = []
for c in suite.findall('testcase'):
    f = c.find('failure'); s = c.find('skipped')
    cases.append({'name': c.get('name'), 'time': c.get('time'),
      'failure': None if f is None else {'message': f.get('message'), 'type': f.get('type'), 'text': f.text},
      'skipped': None if s is None else s.get('message')})
print(json.dumps({'suite': dict(suite.attrib), 'cases': cases}))
`;
  const { stdout } = await execa('python3', ['-c', script, file]);
  return JSON.parse(stdout);
}

describe('CI outputs of dailysync sync', () => {
  let dir: string;
  let source: string;
  let dest: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-ci-'));
    source = path.join(dir, 'prod');
    dest = path.join(dir, 'prod_backup');
    await writeTree(source, projectTree(['alpha', 'beta', 'gamma', 'old <&> "stuff"']));
  });
  afterEach(() => cleanup());

  test('--junit: one test case per project, failure with the error, skipped for excluded', async () => {
    // A non-empty folder in the backup where beta has a file cannot be replaced without --delete: beta's rsync fails (exit 23).
    await writeTree(dest, { 'beta/sub 0/file-0.dat/keep.txt': 'a folder in the backup\n' });
    const junit = path.join(dir, 'out/junit.xml');
    const r = await dailysync(['sync', '--source', source, '--dest', dest, '--exclude', 'old*', '--junit', junit]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`JUnit XML written to ${junit}`);
    const { suite, cases } = await parseJunit(junit);
    expect(suite).toMatchObject({ tests: '5', failures: '1', skipped: '1', errors: '0' });
    expect(cases.map((c) => c.name).sort()).toEqual([ROOT_PROJECT, 'alpha', 'beta', 'gamma', 'old <&> "stuff"'].sort());
    const byName = new Map(cases.map((c) => [c.name, c]));
    expect(byName.get('alpha')).toMatchObject({ failure: null, skipped: null });
    expect(byName.get('beta')?.failure?.type).toMatch(/^rsync exit \d+$/);
    expect(byName.get('beta')?.failure?.message).toMatch(/\S/);
    expect(byName.get('old <&> "stuff"')?.skipped).toMatch(/\S/);
    expect(await treeDifferences(path.join(source, 'gamma'), path.join(dest, 'gamma'))).toEqual([]);
  });

  test('--json: stdout is only JSON lines, plan first, report last, start and finish per task', async () => {
    const r = await dailysync(['sync', '--source', source, '--dest', dest, '--json']);
    expect(r.exitCode).toBe(0);
    const events = r.stdout.split('\n').map((line) => JSON.parse(line) as { event: string; time: string; task?: string; result?: { status: string; filesTransferred: number }; report?: { ok: boolean; projects: unknown[] } });
    expect(events[0]?.event).toBe('plan');
    expect(events.at(-1)?.event).toBe('report');
    expect(events.at(-1)?.report?.ok).toBe(true);
    expect(events.at(-1)?.report?.projects).toHaveLength(5);
    const planned = (events[0] as unknown as { tasks: Array<{ id: string; project: string; projects?: string[] }> }).tasks;
    const tasks = planned.map((t) => t.id);
    // Every project is planned, on its own or named by a batch task that shares one rsync.
    expect(planned.flatMap((t) => t.projects ?? [t.project]).sort()).toEqual([ROOT_PROJECT, 'alpha', 'beta', 'gamma', 'old <&> "stuff"'].sort());
    for (const id of tasks) {
      expect(events.filter((e) => e.event === 'task-start' && e.task === id)).toHaveLength(1);
      const finish = events.filter((e) => e.event === 'task-finish' && e.task === id);
      expect(finish).toHaveLength(1);
      expect(finish[0]?.result?.status).toBe('ok');
    }
    for (const e of events) expect(Number.isNaN(Date.parse(e.time))).toBe(false);
    // The human summary moved to stderr.
    expect(r.stderr).toMatch(/OK: 5 ok/);
    for (const project of ['alpha', 'beta', 'gamma']) expect(await treeDifferences(path.join(source, project), path.join(dest, project))).toEqual([]);
  });

  test('xmlEscape keeps XML well-formed for any project name', () => {
    expect(xmlEscape('a<b>&"c\'')).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
    expect(xmlEscape('bell\u0007 tab\t')).toBe('bell\uFFFD tab\t');
    expect(xmlEscape('lone \uD800 ok \uD83D\uDE00')).toBe('lone \uFFFD ok \uD83D\uDE00');
  });
});
