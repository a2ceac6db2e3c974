import { parseFsTypes, parseMaxShrink, validateMarkerName } from './guards.js';
import { parseDeletionBudget, type DeletionBudget } from './max-delete.js';

/** What a caller may set about the safety guards (part of BackupOptions). */
export interface SafetyOptionsInput {
  /** Refuse the whole run when it would delete more than this: a count (500) or a percent of the backup ("5%"). */
  maxDelete?: number | string;
  /** With --delete, refuse a source that lost more than this percent of its entries since the last good run (default 50; 100 = off). */
  maxShrinkPercent?: number | string;
  /** File that must exist in the source root (proves the share is mounted). */
  sourceMarker?: string;
  /** File that must exist in the backup root. */
  destMarker?: string;
  /** Filesystem types the backup root must be on (e.g. nfs4, cifs); empty = any. */
  destFsTypes?: string[] | string;
}

export interface SafetyOptions {
  maxDelete: DeletionBudget | null;
  maxShrinkPercent: number;
  sourceMarker: string | null;
  destMarker: string | null;
  destFsTypes: string[];
}

export const DEFAULT_SAFETY_OPTIONS: SafetyOptions = { maxDelete: null, maxShrinkPercent: 50, sourceMarker: null, destMarker: null, destFsTypes: [] };

/** Validates the safety options; throws ConfigError naming the bad one. */
export function resolveSafetyOptions(raw: SafetyOptionsInput): SafetyOptions {
  return {
    maxDelete: parseDeletionBudget(raw.maxDelete),
    maxShrinkPercent: parseMaxShrink(raw.maxShrinkPercent),
    sourceMarker: validateMarkerName('source-marker', raw.sourceMarker),
    destMarker: validateMarkerName('dest-marker', raw.destMarker),
    destFsTypes: parseFsTypes(raw.destFsTypes),
  };
}
