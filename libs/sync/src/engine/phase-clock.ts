/** Times consecutive phases of a run: each end() closes the phase that began at the previous one. */
export class PhaseClock<Phase extends string = 'discover' | 'plan' | 'guard' | 'transfer' | 'finish'> {
  private last = performance.now();
  private readonly spent: Partial<Record<Phase, number>> = {};

  end(phase: Phase): void {
    const now = performance.now();
    this.spent[phase] = Math.round((this.spent[phase] ?? 0) + now - this.last);
    this.last = now;
  }

  durations(): Partial<Record<Phase, number>> {
    return { ...this.spent };
  }
}
