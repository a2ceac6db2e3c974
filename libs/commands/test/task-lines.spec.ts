import { LINKS_TASK_ID, ROOT_PROJECT, ROOT_TASK_ID, type SyncTask } from '@dailysync/sync';
import { taskLabel } from '../src/sync/task-lines.js';

const task = (t: Partial<SyncTask> & Pick<SyncTask, 'id' | 'project' | 'kind'>): SyncTask => ({ relPath: '', excludeTopLevelDirs: [], weight: 0, ...t });

// The live view's rows and queue line name tasks by these labels; ids are internal.
describe('taskLabel', () => {
  test('names the root pass and the link pass as the summary does, never by their ids', () => {
    expect(taskLabel(task({ id: ROOT_TASK_ID, project: ROOT_PROJECT, kind: 'root', excludeTopLevelDirs: 'all' }))).toBe('(root)');
    expect(taskLabel(task({ id: LINKS_TASK_ID, project: ROOT_PROJECT, kind: 'links' }))).toBe('(root) › hard links');
  });

  test('a project folder named "(root)" keeps its own name, a batch says how many projects it holds, a part says where it is', () => {
    expect(taskLabel(task({ id: '(root)', project: '(root)', kind: 'project', relPath: '(root)' }))).toBe('(root)');
    expect(taskLabel(task({ id: '(batch 1)', project: '(batch 1)', kind: 'batch', projects: ['a', 'b', 'c'], excludeTopLevelDirs: 'all' }))).toBe('(batch 1) · 3 small projects');
    expect(taskLabel(task({ id: 'alpha/raw', project: 'alpha', kind: 'subtree', relPath: 'alpha/raw' }))).toBe('alpha › raw');
  });
});
