export interface VmCounters {
  /** Pages swapped in / out since boot. */
  pswpin: number;
  pswpout: number;
  /** Pages scanned by reclaim (kswapd + direct + others) since boot. */
  pgscan: number;
  /** Pages scanned by direct reclaim only: the allocating task itself stalled. */
  pgscanDirect: number;
}

/** Parse /proc/vmstat. pgscan sums pgscan_kswapd/direct/khugepaged/proactive (not the anon/file split, which double counts). */
export function parseVmstat(text: string): VmCounters {
  const out: VmCounters = { pswpin: 0, pswpout: 0, pgscan: 0, pgscanDirect: 0 };
  // One regex pass over ~180 lines instead of splitting them all: this runs every tick.
  for (const m of text.matchAll(/^(pswpin|pswpout|pgscan_kswapd|pgscan_direct|pgscan_khugepaged|pgscan_proactive) (\d+)$/gm)) {
    const val = Number(m[2]);
    if (m[1] === 'pswpin') out.pswpin = val;
    else if (m[1] === 'pswpout') out.pswpout = val;
    else {
      out.pgscan += val;
      if (m[1] === 'pgscan_direct') out.pgscanDirect = val;
    }
  }
  return out;
}
