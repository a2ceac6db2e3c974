export interface MemInfo {
  totalBytes: number;
  /** MemAvailable: the kernel's estimate of memory usable without swapping. */
  availableBytes: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
}

/** Parse /proc/meminfo (values in kB). */
export function parseMeminfo(text: string): MemInfo {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)/.exec(line);
    if (m?.[1] && m[2]) kb.set(m[1], Number(m[2]));
  }
  const b = (k: string): number => (kb.get(k) ?? 0) * 1024;
  // MemAvailable exists since 3.14; approximate with free + cached before that.
  const available = kb.has('MemAvailable') ? b('MemAvailable') : b('MemFree') + b('Cached') + b('Buffers');
  return {
    totalBytes: b('MemTotal'),
    availableBytes: available,
    swapTotalBytes: b('SwapTotal'),
    swapFreeBytes: b('SwapFree'),
  };
}
