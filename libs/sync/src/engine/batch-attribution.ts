import { topFolderOf } from '../plan/task.js';

/**
 * Splits what one batch rsync did by project, from its itemized lines (BATCH_OUT_FORMAT with
 * --info=name2: every item, changed or not, with its size). The counts follow rsync's own --stats
 * for a per-project rsync: entries include the project folder itself, sizes count everything but
 * folders, a transfer is a regular file whose data was sent.
 */
export interface ProjectCounts {
  filesTransferred: number;
  bytesTransferred: number;
  filesDeleted: number;
  filesTotal: number;
  bytesTotal: number;
}

/** `123 name` (the `%l %n` part of a batch line) as size and name; undefined when it is not one. */
export function splitSizedItem(item: string): { size: number; path: string } | undefined {
  const match = /^(\d+) /.exec(item);
  if (!match?.[1]) return undefined;
  return { size: Number(match[1]), path: item.slice(match[0].length) };
}

function emptyCounts(): ProjectCounts {
  return { filesTransferred: 0, bytesTransferred: 0, filesDeleted: 0, filesTotal: 0, bytesTotal: 0 };
}

export class BatchAttribution {
  private readonly byProject = new Map<string, ProjectCounts>();

  constructor(projects: readonly string[]) {
    for (const name of projects) this.byProject.set(name, emptyCounts());
  }

  /** One itemized line: path relative to the source root, rsync's 11-character itemize string, `%l`. */
  add(relPath: string, itemize: string, size: number): void {
    // The root folder itself (`./`) and anything outside the named projects belong to no project.
    const counts = this.byProject.get(topFolderOf(relPath));
    if (counts === undefined) return;
    if (itemize.startsWith('*')) {
      if (itemize.startsWith('*deleting')) counts.filesDeleted += 1;
      return;
    }
    counts.filesTotal += 1;
    if (itemize[1] === 'd') return;
    counts.bytesTotal += size;
    if ((itemize[0] === '>' || itemize[0] === '<') && itemize[1] === 'f') {
      counts.filesTransferred += 1;
      counts.bytesTransferred += size;
    }
  }

  counts(project: string): ProjectCounts {
    return { ...(this.byProject.get(project) ?? emptyCounts()) };
  }
}
