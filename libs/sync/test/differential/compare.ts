import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from './generate.js';

const run = promisify(execFile);

/** What the comparison looks at for one entry (everything rsync -aHAX --numeric-ids preserves). */
interface Facts {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtimeNs: bigint;
  size: bigint;
  content?: string;
  target?: string;
  ino: bigint;
}

/** A path for messages: printable, with invalid UTF-8 and control bytes shown as \xNN. */
export function show(p: Buffer): string {
  let out = '';
  for (const b of p) out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return out;
}

function typeOf(st: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): string {
  return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : 'other';
}

/** Every entry below `root` (and the root itself as ''), keyed by its relative path in latin1 (byte-exact). */
async function snapshot(root: string, ignoreTop: string): Promise<Map<string, Facts>> {
  const out = new Map<string, Facts>();
  const visit = async (abs: Buffer, rel: Buffer): Promise<void> => {
    const st = await fs.lstat(abs, { bigint: true });
    const facts: Facts = { type: typeOf(st), mode: Number(st.mode), uid: Number(st.uid), gid: Number(st.gid), mtimeNs: st.mtimeNs, size: st.isDirectory() ? 0n : st.size, ino: st.ino };
    if (st.isFile()) facts.content = createHash('sha256').update(await fs.readFile(abs)).digest('hex');
    if (st.isSymbolicLink()) facts.target = (await fs.readlink(abs, { encoding: 'buffer' })).toString('latin1');
    out.set(rel.toString('latin1'), facts);
    if (!st.isDirectory()) return;
    for (const name of await fs.readdir(abs, { encoding: 'buffer' })) {
      if (rel.length === 0 && name.toString('latin1') === ignoreTop) continue;
      await visit(join(abs, name), rel.length === 0 ? name : join(rel, name));
    }
  };
  await visit(Buffer.from(root), Buffer.alloc(0));
  return out;
}

/** For each file path: the other paths sharing its inode, as a sorted key (empty when alone). */
function linkGroups(tree: Map<string, Facts>): Map<string, string> {
  const byIno = new Map<bigint, string[]>();
  for (const [p, f] of tree) if (f.type === 'file') byIno.set(f.ino, [...(byIno.get(f.ino) ?? []), p]);
  const out = new Map<string, string>();
  for (const paths of byIno.values()) {
    const key = paths.length > 1 ? [...paths].sort().join('\0') : '';
    for (const p of paths) out.set(p, key);
  }
  return out;
}

/**
 * Extended attributes and ACLs of every entry, as getfattr dumps them (ACLs are the
 * system.posix_acl_* attributes), keyed by path. getfattr escapes odd bytes itself.
 */
async function attributeDump(root: string, ignoreTop: string): Promise<Map<string, string>> {
  const { stdout } = await run('getfattr', ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '.'], { cwd: root, maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' }).catch(
    (error: { stdout?: Buffer }) => ({ stdout: error.stdout ?? Buffer.alloc(0) }),
  );
  const out = new Map<string, string>();
  for (const block of stdout.toString('latin1').split('\n\n')) {
    const lines = block.split('\n').filter((l) => l !== '');
    const header = lines.shift();
    if (!header?.startsWith('# file: ')) continue;
    // getfattr names entries below `.` without the `./` (older versions kept it).
    const file = header.slice('# file: '.length).replace(/^\.\//, '');
    if (file === ignoreTop || file.startsWith(`${ignoreTop}/`)) continue;
    out.set(file, lines.sort().join('\n'));
  }
  return out;
}

/**
 * Differences between two trees in everything `rsync -aHAX --numeric-ids` keeps: type, content,
 * mode, owner, modification time (files, folders and links, to the nanosecond), link targets,
 * xattrs, ACLs and which paths share an inode. `ignoreTop` (the backup's own state folder) is
 * left out on both sides. Empty means equal.
 */
export async function compareTrees(a: string, b: string, options: { ignoreTop?: string; attributes?: boolean } = {}): Promise<string[]> {
  return [...(await differencesByEntry(a, b, options)).values()].flat().sort();
}

/** The key of an entry's xattrs and ACLs among differencesByEntry's (a path has no NUL byte). */
const ATTRIBUTES_KEY = '\0attributes ';

/** compareTrees' differences keyed by entry (its path; its xattrs and ACLs under a key of their own). */
async function differencesByEntry(a: string, b: string, options: { ignoreTop?: string; attributes?: boolean } = {}): Promise<Map<string, string[]>> {
  const ignore = options.ignoreTop ?? '.dailysync';
  const [ta, tb] = await Promise.all([snapshot(a, ignore), snapshot(b, ignore)]);
  const diffs = new Map<string, string[]>();
  const add = (key: string, text: string): void => void diffs.set(key, [...(diffs.get(key) ?? []), text]);
  const name = (p: string): string => show(Buffer.from(p, 'latin1')) || '(root)';
  for (const p of new Set([...ta.keys(), ...tb.keys()])) {
    const fa = ta.get(p);
    const fb = tb.get(p);
    if (!fa || !fb) {
      add(p, `${name(p)}: only in ${fa ? 'first' : 'second'}`);
      continue;
    }
    for (const key of ['type', 'mode', 'uid', 'gid', 'size', 'content', 'target'] as const) {
      if (fa[key] !== fb[key]) add(p, `${name(p)}: ${key} ${String(fa[key])} vs ${String(fb[key])}`);
    }
    if (fa.mtimeNs !== fb.mtimeNs) add(p, `${name(p)}: ${fa.type} mtime ${fa.mtimeNs} vs ${fb.mtimeNs}`);
  }
  const [ga, gb] = [linkGroups(ta), linkGroups(tb)];
  const members = (key: string | undefined): string => (key ? key.split('\0').map(name).join(' | ') : 'none');
  for (const [p, key] of ga) {
    if (gb.has(p) && gb.get(p) !== key) add(p, `${name(p)}: hard links ${members(key)} vs ${members(gb.get(p))}`);
  }
  if (options.attributes !== false) {
    const [xa, xb] = await Promise.all([attributeDump(a, ignore), attributeDump(b, ignore)]);
    for (const p of new Set([...xa.keys(), ...xb.keys()])) {
      if (xa.get(p) !== xb.get(p)) add(`${ATTRIBUTES_KEY}${p}`, `${p}: xattrs/ACLs ${JSON.stringify(xa.get(p) ?? '')} vs ${JSON.stringify(xb.get(p) ?? '')}`);
    }
  }
  return diffs;
}

/**
 * A copy against the one-rsync reference, with the source as the judge where their xattrs or ACLs
 * differ: an entry whose xattrs and ACLs in the copy equal the source's, where the reference's do
 * not, is rsync's own error, listed apart (seen: rsync 3.5.0 gives a sticky folder with an ACL
 * `group::---` on its first copy, where the source has `group::rwx`; safety.md). Every other
 * difference counts, whatever the source has: where one rsync and the source disagree on anything
 * else (a rewrite rsync's quick check skips, a deletion it skips after an I/O error), the contract is
 * rsync's result.
 */
export async function compareWithReference(copy: string, reference: string, source: string): Promise<{ differences: string[]; rsyncOwnErrors: string[] }> {
  const vsReference = await differencesByEntry(copy, reference);
  const differences: string[] = [];
  const rsyncOwnErrors: string[] = [];
  // Only xattrs and ACLs can be excused, so only theirs are read again, of the copy, the reference and the source.
  const judged = [...vsReference.keys()].some((entry) => entry.startsWith(ATTRIBUTES_KEY));
  const [xc, xr, xs] = judged ? await Promise.all([copy, reference, source].map((root) => attributeDump(root, '.dailysync'))) : [];
  for (const [entry, texts] of vsReference) {
    const file = entry.startsWith(ATTRIBUTES_KEY) ? entry.slice(ATTRIBUTES_KEY.length) : undefined;
    const rsyncsOwn = file !== undefined && xc?.get(file) === xs?.get(file) && xr?.get(file) !== xs?.get(file);
    (rsyncsOwn ? rsyncOwnErrors : differences).push(...texts);
  }
  return { differences: differences.sort(), rsyncOwnErrors: rsyncOwnErrors.sort() };
}

/**
 * The one-rsync reference the contract names, with times compared to the nanosecond: with its
 * default (whole seconds) rsync 3.5.0 leaves a folder's time unset when the folder's old time in
 * the destination (e.g. just created) and its source time fall in the same second, so a fresh
 * reference copy of a tree made a moment ago would itself be wrong. dailysync runs the same way.
 */
export const REFERENCE_RSYNC = ['-aHAX', '--numeric-ids', '--delete', '--modify-window=-1'];
