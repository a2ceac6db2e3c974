import { StringDecoder } from 'node:string_decoder';
import type { RsyncProgress } from './types.js';

/*
 * Parsers for what rsync prints on stdout when run with
 *   --info=progress2 --out-format='%i %n%L'
 * Recorded samples (rsync 3.5.0) live in libs/sync/test/fixtures/rsync/.
 *
 * stdout interleaves two kinds of records:
 *   - progress2 records, each started by `\r` and usually not ended by a newline:
 *       `\r      1,600,000  99%  213.52MB/s    0:00:00 (xfr#6, to-chk=2/12)`
 *     while a file is still in flight the parenthesised part is missing and the record is
 *     padded with trailing spaces; an itemize line can follow a progress record on the same
 *     "line" after a `\n`.
 *   - one itemize line per changed item (`>f+++++++++ a/f1`), plus a few plain messages
 *     (`created directory dst`, `IO error encountered -- skipping file deletion`,
 *     `cannot delete non-empty directory: x`) and, at the end, the --stats block.
 */

/** rsync's rate units are binary: `--bwlimit=1000` (KiB/s) shows as `1000.98kB/s`. */
const RATE_UNITS: Record<string, number> = {
  kB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};

/** Suffixes `-h` (human-readable level 2) puts on byte counts; that level uses powers of 1000. */
const SIZE_SUFFIX: Record<string, number> = { K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

const PROGRESS_RE = new RegExp(
  '^\\s*' +
    '(\\d[\\d,.]*)([KMGTP]?)' + // bytes: 1,234,567 (default), 1234567 (--no-h) or 1.23M (-h)
    '\\s+(\\d{1,3})%' + // percent of the currently known total
    '\\s+(\\d[\\d.,]*)(kB|MB|GB|TB)/s' + // rate, binary units
    '\\s+(\\d+:\\d{2}:\\d{2}|\\?\\?:\\?\\?:\\?\\?)' + // eta, or ??:??:?? when unknown
    // rsync >= 3.1 prints xfr#/to-chk/ir-chk; older ones xfer#/to-check/ir-check.
    '(?:\\s+\\(xfe?r#(\\d+),\\s*(ir|to)-ch(?:ec)?k=(\\d+)/(\\d+)\\))?' +
    '\\s*$',
);

/** Parses a byte count as rsync prints it (thousands separators or a -h suffix). */
export function parseRsyncNumber(text: string, suffix = ''): number {
  const mult = suffix ? (SIZE_SUFFIX[suffix] ?? 1) : 1;
  // With a suffix the dot is a decimal point (1.23M); without, `,` and `.` are separators.
  const digits = suffix ? text.replace(/,/g, '') : text.replace(/[,.]/g, '');
  return Math.round(Number(digits) * mult);
}

/**
 * Parses one `--info=progress2` record (already split off by {@link RsyncOutputSplitter}).
 * Returns undefined for anything else (itemize lines, messages, stats lines).
 */
export function parseProgressLine(line: string): RsyncProgress | undefined {
  const m = PROGRESS_RE.exec(line);
  if (!m) return undefined;
  const [, bytesText, suffix, pct, rateText, rateUnit, eta, xfr, chkKind, remaining, total] = m;
  if (bytesText === undefined || pct === undefined || rateText === undefined || rateUnit === undefined) {
    return undefined;
  }
  const progress: RsyncProgress = {
    bytes: parseRsyncNumber(bytesText, suffix),
    percent: Number(pct),
    // The rate is printed with %.2f; a locale could use `,` as the decimal mark.
    bytesPerSecond: Math.round(Number(rateText.replace(',', '.')) * (RATE_UNITS[rateUnit] ?? 1)),
  };
  if (eta !== undefined && !eta.startsWith('?')) progress.eta = eta;
  if (xfr !== undefined) progress.filesTransferred = Number(xfr);
  if (remaining !== undefined && total !== undefined) {
    progress.toCheck = {
      remaining: Number(remaining),
      total: Number(total),
      // ir-chk: incremental recursion is still building the file list, so total will grow.
      listComplete: chkKind === 'to',
    };
  }
  return progress;
}

/**
 * Splits raw rsync stdout into records on both `\r` and `\n` (progress2 separates its updates
 * with `\r`, everything else ends in `\n`), keeping an incomplete tail between chunks.
 * Empty and whitespace-only records (from `\r\n`, blank lines) are dropped. Buffers are decoded
 * as UTF-8 with a streaming decoder, so a multi-byte character split across chunks survives.
 */
export class RsyncOutputSplitter {
  private tail = '';
  private readonly decoder = new StringDecoder('utf8');

  /** Feeds one chunk; returns the records it completed (possibly none). */
  push(chunk: Buffer | string): string[] {
    const text = this.tail + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const parts = text.split(/[\r\n]/);
    this.tail = parts.pop() ?? '';
    return parts.filter((p) => p.trim() !== '');
  }

  /** Returns the last, unterminated record (rsync's final progress record often is one). */
  flush(): string[] {
    const rest = this.tail + this.decoder.end();
    this.tail = '';
    return rest
      .split(/[\r\n]/)
      .filter((p) => p.trim() !== '');
  }
}

/** Convenience: all records of a complete stdout capture. */
export function splitRsyncOutput(text: Buffer | string): string[] {
  const s = new RsyncOutputSplitter();
  return [...s.push(text), ...s.flush()];
}

export type ItemizeChangeType =
  | 'sent'
  | 'received'
  | 'local-change'
  | 'hardlink'
  | 'no-update'
  | 'message'
  | 'deleting';

export type ItemizeFileType = 'file' | 'dir' | 'symlink' | 'device' | 'special';

export interface ItemizeLine {
  /** The 11-character `%i` string, e.g. `>f.st......` or `*deleting  `. */
  itemize: string;
  changeType: ItemizeChangeType;
  /**
   * For `*` lines rsync prints no type: a path ending in `/` is a dir, anything else is
   * reported as 'file' (it may really be a symlink or special file).
   */
  fileType: ItemizeFileType;
  /**
   * Name as rsync printed it (`%n`), relative to the transfer root, directories end in `/`
   * (the root itself is `./`); rsync's `\#ooo` escapes of unprintable bytes are decoded.
   */
  path: string;
  /** Created by this run (all attribute positions `+`). */
  isNew: boolean;
  /** `%L`: symlink target (`link -> target`) or, with -H, hard-link target (`name => target`). */
  linkTarget?: string;
}

const CHANGE_TYPES: Record<string, ItemizeChangeType> = {
  '<': 'sent',
  '>': 'received',
  c: 'local-change',
  h: 'hardlink',
  '.': 'no-update',
};

const FILE_TYPES: Record<string, ItemizeFileType> = {
  f: 'file',
  d: 'dir',
  L: 'symlink',
  D: 'device',
  S: 'special',
};

// Attribute letters of YXcstpoguax; `+` new, `.` unchanged, ` ` identical (-ii), `?` unknown.
const ATTRS_RE = /^[.+ ?cstTpoguax]{9}$/;

/** rsync escapes unprintable bytes in names as `\#ooo` (octal); decode them back to text. */
function unescapeRsyncName(name: string): string {
  if (!name.includes('\\#')) return name;
  const bytes: number[] = [];
  for (let i = 0; i < name.length; ) {
    const esc = /^\\#([0-7]{3})/.exec(name.slice(i, i + 5));
    if (esc?.[1] !== undefined) {
      bytes.push(parseInt(esc[1], 8));
      i += 5;
    } else {
      const cp = name.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      bytes.push(...Buffer.from(ch, 'utf8'));
      i += ch.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Parses one `--out-format='%i %n%L'` line. Returns undefined for progress records, stats
 * lines and rsync's plain messages (`created directory x`, `IO error encountered ...`).
 */
export function parseItemizeLine(line: string): ItemizeLine | undefined {
  // `%i` is exactly 11 characters (messages like `*deleting` are padded), then one space.
  if (line.length < 13 || line[11] !== ' ') return undefined;
  const itemize = line.slice(0, 11);
  const rest = line.slice(12);
  const y = itemize[0] ?? '';

  if (y === '*') {
    const word = itemize.slice(1).trim();
    if (!/^[a-z-]+$/.test(word)) return undefined;
    const path = unescapeRsyncName(rest);
    return {
      itemize,
      changeType: word === 'deleting' ? 'deleting' : 'message',
      fileType: path.endsWith('/') ? 'dir' : 'file',
      path,
      isNew: false,
    };
  }

  const changeType = CHANGE_TYPES[y];
  const fileType = FILE_TYPES[itemize[1] ?? ''];
  const attrs = itemize.slice(2);
  if (!changeType || !fileType || !ATTRS_RE.test(attrs)) return undefined;

  const parsed: ItemizeLine = { itemize, changeType, fileType, path: rest, isNew: attrs === '+++++++++' };
  // %L: ` -> target` for symlinks, ` => target` for hard links. A name that itself contains
  // the arrow is ambiguous in rsync's output; split on the first one.
  const arrow = fileType === 'symlink' ? ' -> ' : changeType === 'hardlink' ? ' => ' : undefined;
  const at = arrow ? rest.indexOf(arrow) : -1;
  if (arrow && at >= 0) {
    parsed.path = rest.slice(0, at);
    parsed.linkTarget = unescapeRsyncName(rest.slice(at + arrow.length));
  }
  parsed.path = unescapeRsyncName(parsed.path);
  return parsed;
}
