import fs from 'node:fs/promises';
import path from 'node:path';
import { discoverProjects } from '../discovery/discover.js';
import { ROOT_TASK_ID, type SyncTask } from '../plan/task.js';
import { writeTaskRules } from './task-rules.js';
import { listBackupTop } from './backup-top.js';
import { makeTempDir } from '../../test/helpers/tree.js';

const rootTask: SyncTask = { id: ROOT_TASK_ID, project: '(root)', kind: 'root', relPath: '', excludeTopLevelDirs: 'all', weight: 0 };

/** The rules of a written filter file, one string per NUL-separated rule. */
async function rulesOf(task: SyncTask | undefined): Promise<string[]> {
  if (task?.filterFile === undefined) throw new Error('no filter file');
  return (await fs.readFile(task.filterFile, 'latin1')).split('\0').filter((r) => r !== '');
}

describe("the root pass's rules", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir('dailysync-rules-')));
  afterEach(() => cleanup());

  test('with the backup root listed, they grow with the backup-only folders, not with the projects', async () => {
    const source = path.join(dir, 'src');
    const dest = path.join(dir, 'dst');
    for (let i = 0; i < 300; i++) await fs.mkdir(path.join(source, `p${i}`), { recursive: true });
    for (const name of ['p0', 'p1', 'gone', 'scratch-old', '.dailysync']) await fs.mkdir(path.join(dest, name), { recursive: true });
    await fs.writeFile(path.join(dest, 'file-only-here'), 'x');
    const discovery = await discoverProjects(source, [], ['scratch*']);
    const top = await listBackupTop({ dest, destLocation: { kind: 'local', path: dest } }, true);
    const folders = top?.folders;
    expect(folders?.map(String).sort()).toEqual(['.dailysync', 'gone', 'p0', 'p1', 'scratch-old']);
    expect(top?.others.map(String)).toEqual(['file-only-here']);
    const rules = await writeTaskRules([rootTask], discovery, { exclude: ['scratch*'] }, undefined, undefined, folders);
    try {
      // The state folder and the pattern first (they protect), then the backup-only folders, then every other folder left out.
      const written = await rulesOf(rules.tasks[0]);
      expect(written.slice(0, 2)).toEqual(['- /.dailysync/', '- /scratch*/']);
      // rsync matches the pattern's rule first: scratch-old stays protected, as with one rule per project.
      expect(written.slice(2, -1).sort()).toEqual(['+ /gone/', '+ /scratch-old/']);
      expect(written.at(-1)).toBe('- /*/');
    } finally {
      await rules.remove();
    }
    // Not listed (a remote backup root): one rule per project, as before.
    const perProject = await writeTaskRules([rootTask], discovery, { exclude: [] }, undefined, undefined, undefined);
    try {
      expect(await rulesOf(perProject.tasks[0])).toHaveLength(301);
    } finally {
      await perProject.remove();
    }
  });
});
