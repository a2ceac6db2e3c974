import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Deterministic PRNG (mulberry32): one seed gives one tree and one sequence of nights. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

/** Names that have broken backup tools: option-like, control characters, globs, temp-file look-alikes, invalid UTF-8. */
const NAME_POOL: Buffer[] = [
  'alpha', 'Beta 2', 'data', 'src', 'docs', 'cam', 'x',
  '-rf dash', 'new\nline', 'glob*[x]?', 'back\\slash', 'tab\there', 'ümlaut', 'trailing ', ' lead',
  '(root)', '#hash', ';semi', '.hidden', '.notes.backup', '.thesis.tex.orig01', '$(echo hi)', "qu'ote",
].map((s) => Buffer.from(s));
const INVALID_UTF8: Buffer[] = [Buffer.from([0x6c, 0x61, 0x74, 0xe9]), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from([0x63, 0x61, 0x66, 0xc3])];

const ODD_IDS = [0, 1000, 12345, 65534, 4000000];

export function join(dir: Buffer, name: Buffer): Buffer {
  return Buffer.concat([dir, Buffer.from('/'), name]);
}

function isUtf8(b: Buffer): boolean {
  return Buffer.from(b.toString('utf8')).equals(b);
}

export interface Entry {
  path: Buffer;
  kind: 'file' | 'dir' | 'link';
  /** Depth below the root: 1 = project level. */
  depth: number;
}

/** Every entry below `root` (not the root itself), names as bytes. */
export async function listEntries(root: Buffer): Promise<Entry[]> {
  const out: Entry[] = [];
  const walk = async (dir: Buffer, depth: number): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true, encoding: 'buffer' })) {
      const name = e.name as unknown as Buffer;
      const p = join(dir, name);
      const kind = e.isDirectory() ? 'dir' : e.isSymbolicLink() ? 'link' : 'file';
      out.push({ path: p, kind, depth });
      if (kind === 'dir') await walk(p, depth + 1);
    }
  };
  await walk(root, 1);
  return out;
}

export class TreeGenerator {
  constructor(
    readonly root: Buffer,
    readonly rnd: Random,
    /** Whether setfattr/setfacl work here (checked once). */
    readonly xattrs: boolean,
    readonly acls: boolean,
  ) {}

  name(): Buffer {
    const base = this.rnd.chance(0.08) ? this.rnd.pick(INVALID_UTF8) : this.rnd.pick(NAME_POOL);
    return this.rnd.chance(0.5) ? Buffer.concat([base, Buffer.from(`_${this.rnd.int(0, 99)}`)]) : base;
  }

  private async freeName(dir: Buffer): Promise<Buffer> {
    for (;;) {
      const p = join(dir, this.name());
      try {
        await fs.lstat(p);
      } catch {
        return p;
      }
    }
  }

  content(): Buffer {
    const size = this.rnd.chance(0.1) ? this.rnd.int(20_000, 70_000) : this.rnd.int(0, 300);
    const b = Buffer.alloc(size);
    for (let i = 0; i < size; i += 97) b[i] = this.rnd.int(0, 255);
    return b;
  }

  async addFile(dir: Buffer): Promise<Buffer> {
    const p = await this.freeName(dir);
    if (this.rnd.chance(0.05)) {
      // Sparse: a hole with a little data after it.
      const fh = await fs.open(p, 'w');
      await fh.write(Buffer.from('tail'), 0, 4, this.rnd.int(100_000, 400_000));
      await fh.close();
    } else {
      await fs.writeFile(p, this.content());
    }
    await this.attributes(p, 'file');
    return p;
  }

  async addDir(dir: Buffer): Promise<Buffer> {
    const p = await this.freeName(dir);
    await fs.mkdir(p);
    await this.attributes(p, 'dir');
    return p;
  }

  async addLink(dir: Buffer, entries: readonly Entry[]): Promise<Buffer> {
    const p = await this.freeName(dir);
    const choice = this.rnd.int(0, 3);
    const target =
      choice === 0 && entries.length > 0
        ? Buffer.concat([Buffer.from('../'), this.rnd.pick(entries).path.subarray(this.root.length + 1)])
        : choice === 1
          ? Buffer.from('/etc/hostname')
          : choice === 2
            ? Buffer.from('dangling/nowhere')
            : this.name();
    await fs.symlink(target, p);
    if (this.rnd.chance(0.3)) await fs.lchown(p, this.rnd.pick(ODD_IDS), this.rnd.pick(ODD_IDS));
    return p;
  }

  /** Modes, owners, xattrs and ACLs of a new or changed entry. */
  async attributes(p: Buffer, kind: 'file' | 'dir'): Promise<void> {
    if (this.rnd.chance(0.3)) {
      const modes = kind === 'dir' ? [0o755, 0o2775, 0o700, 0o1777, 0o2750] : [0o644, 0o600, 0o755, 0o640, 0o4755, 0o444];
      await fs.chmod(p, this.rnd.pick(modes));
    }
    if (this.rnd.chance(0.25)) await fs.lchown(p, this.rnd.pick(ODD_IDS), this.rnd.pick(ODD_IDS));
    if (!isUtf8(p)) return; // setfattr/setfacl take names through argv (strings).
    const text = p.toString('utf8');
    if (this.xattrs && this.rnd.chance(0.1)) await run('setfattr', ['-h', '-n', `user.k${this.rnd.int(0, 3)}`, '-v', `v${this.rnd.int(0, 999)}`, '--', text]);
    if (this.acls && this.rnd.chance(0.06)) {
      const spec = `u:${this.rnd.pick([1000, 4242])}:r${this.rnd.chance(0.5) ? 'w' : '-'}x`;
      await run('setfacl', kind === 'dir' && this.rnd.chance(0.5) ? ['-m', spec, '-d', '-m', spec, '--', text] : ['-m', spec, '--', text]);
    }
  }

  /** A fresh NAS-like tree: a few projects (one much bigger, so it splits), files, links and odd names at every level. */
  async initial(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true });
    const projects = this.rnd.int(4, 7);
    for (let i = 0; i < projects; i++) {
      const project = await this.addDir(this.root);
      await this.fill(project, i === 0 ? 3 : this.rnd.int(1, 2), i === 0 ? 12 : 5);
    }
    for (let i = this.rnd.int(1, 3); i > 0; i--) await this.addFile(this.root);
    for (let i = this.rnd.int(6, 14); i > 0; i--) await this.addHardLink();
    for (let i = this.rnd.int(2, 5); i > 0; i--) await this.addLink(this.rnd.pick(await this.dirs()), await listEntries(this.root));
    await this.retime();
  }

  private async fill(dir: Buffer, depth: number, width: number): Promise<void> {
    for (let i = this.rnd.int(1, width); i > 0; i--) await this.addFile(dir);
    if (depth === 0) return;
    for (let i = this.rnd.int(1, 3); i > 0; i--) {
      const sub = await this.addDir(dir);
      if (this.rnd.chance(0.1)) continue; // an empty folder
      await this.fill(sub, depth - 1, width);
    }
  }

  async dirs(): Promise<Buffer[]> {
    return [this.root, ...(await listEntries(this.root)).filter((e) => e.kind === 'dir').map((e) => e.path)];
  }

  /** A second name for an existing file: in the same folder, another part of the project, another project or the root. */
  async addHardLink(): Promise<void> {
    const files = (await listEntries(this.root)).filter((e) => e.kind === 'file');
    if (files.length === 0) return;
    const target = this.rnd.pick(files).path;
    await fs.link(target, await this.freeName(this.rnd.pick(await this.dirs())));
  }

  /** Random times (with sub-second parts) on files, links and folders; folders last, deepest first. */
  async retime(): Promise<void> {
    const entries = await listEntries(this.root);
    const when = (): number => 1_500_000_000 + this.rnd.int(0, 300_000_000) + this.rnd.int(0, 999_999) / 1e6;
    for (const e of entries) {
      if (e.kind === 'dir' || !this.rnd.chance(0.7)) continue;
      const t = when();
      if (e.kind === 'link') await fs.lutimes(e.path, t, t);
      else await fs.utimes(e.path, t, t);
    }
    for (const e of entries.filter((x) => x.kind === 'dir').sort((a, b) => b.depth - a.depth)) {
      if (this.rnd.chance(0.6)) await fs.utimes(e.path, when(), when());
    }
  }

  /** One night of changes a NAS sees, including the rare ones (whole projects gone or renamed, type changes). */
  async night(): Promise<string[]> {
    const done: string[] = [];
    const count = this.rnd.int(3, 12);
    for (let i = 0; i < count; i++) {
      const entries = await listEntries(this.root);
      const files = entries.filter((e) => e.kind === 'file');
      const dirs = entries.filter((e) => e.kind === 'dir');
      const projects = dirs.filter((e) => e.depth === 1);
      const anything = entries.length > 0 ? this.rnd.pick(entries) : undefined;
      const op = this.rnd.int(0, 15);
      try {
        if (op === 0 && files.length > 0) {
          const f = this.rnd.pick(files).path;
          await fs.writeFile(f, this.content());
          done.push('modify');
        } else if (op === 1) {
          await this.addFile(this.rnd.pick(await this.dirs()));
          done.push('add file');
        } else if (op === 2 && files.length > 0) {
          await fs.rm(this.rnd.pick(files).path);
          done.push('delete file');
        } else if (op === 3 && dirs.length > 0) {
          await fs.rm(this.rnd.pick(dirs).path, { recursive: true });
          done.push('delete dir');
        } else if (op === 4 && anything) {
          const parent = this.rnd.pick(await this.dirs());
          if (!parent.subarray(0, anything.path.length + 1).equals(Buffer.concat([anything.path, Buffer.from('/')])) && !parent.equals(anything.path)) {
            await fs.rename(anything.path, await this.freeName(parent));
            done.push(`rename ${anything.kind}`);
          }
        } else if (op === 5 && projects.length > 0) {
          await fs.rm(this.rnd.pick(projects).path, { recursive: true });
          done.push('remove project');
        } else if (op === 6 && projects.length > 0) {
          await fs.rename(this.rnd.pick(projects).path, await this.freeName(this.root));
          done.push('rename project');
        } else if (op === 7 && anything) {
          // Type change at any level: whatever it was becomes a file, a folder or a link.
          await fs.rm(anything.path, { recursive: true });
          const to = this.rnd.int(0, 2);
          if (to === 0) await fs.writeFile(anything.path, this.content());
          else if (to === 1) {
            await fs.mkdir(anything.path);
            await this.addFile(anything.path);
          } else await fs.symlink(this.name(), anything.path);
          done.push(`${anything.kind}->${['file', 'dir', 'link'][to]} at depth ${anything.depth}`);
        } else if (op === 8) {
          await this.addHardLink();
          done.push('add hard link');
        } else if (op === 9 && files.length > 0) {
          // Break a hard link (or just rewrite a file): a new inode under the same name.
          const f = this.rnd.pick(files).path;
          const data = await fs.readFile(f);
          const tmp = Buffer.concat([f, Buffer.from('.brk')]);
          await fs.writeFile(tmp, data);
          await fs.rename(tmp, f);
          done.push('break link');
        } else if (op === 10 && anything && anything.kind !== 'link') {
          await this.attributes(anything.path, anything.kind);
          done.push('attributes');
        } else if (op === 11) {
          const project = await this.addDir(this.root);
          await this.fill(project, this.rnd.int(0, 2), 4);
          done.push('add project');
        } else if (op === 12) {
          await this.addLink(this.rnd.pick(await this.dirs()), entries);
          done.push('add symlink');
        } else if (op === 13 && projects.length > 0) {
          // A project replaced by a file or a symlink.
          const p = this.rnd.pick(projects).path;
          await fs.rm(p, { recursive: true });
          if (this.rnd.chance(0.5)) await fs.writeFile(p, this.content());
          else await fs.symlink(Buffer.from('elsewhere'), p);
          done.push('project->non-folder');
        } else if (op === 14 && files.length > 0) {
          // Touch: new time, same content and size.
          const t = Date.now() / 1000 - this.rnd.int(0, 1000);
          await fs.utimes(this.rnd.pick(files).path, t, t);
          done.push('touch');
        } else if (op === 15) {
          for (let k = 0; k < 3; k++) await this.addHardLink();
          done.push('add hard links');
        }
      } catch (error) {
        // An operation that does not fit the tree (e.g. renaming into a file) is skipped.
        done.push(`skipped (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    await this.retime();
    return done;
  }
}

/** Whether user.* xattrs and ACLs can be set on this filesystem with the installed tools. */
export async function fsSupport(dir: string): Promise<{ xattrs: boolean; acls: boolean }> {
  const probe = `${dir}/.probe`;
  await fs.writeFile(probe, '');
  const ok = async (cmd: string, args: string[]): Promise<boolean> => run(cmd, [...args, probe]).then(() => true, () => false);
  const result = { xattrs: await ok('setfattr', ['-n', 'user.probe', '-v', '1']), acls: await ok('setfacl', ['-m', 'u:1000:r']) };
  await fs.rm(probe);
  return result;
}
