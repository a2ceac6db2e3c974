/**
 * A shared work queue: idle workers pull the next item, so a long task never holds up work queued
 * behind it. The limit is asked again whenever a slot frees up or `recheckMs` passes, so it can
 * change while the queue runs (adaptive concurrency).
 */
export async function runQueue<T>(
  items: readonly T[],
  limit: () => number,
  worker: (item: T) => Promise<void>,
  options: {
    signal?: AbortSignal;
    recheckMs?: number;
    /** Whether an item may start now (e.g. its dependencies are done); items are otherwise taken in order. */
    isReady?: (item: T) => boolean;
  } = {},
): Promise<void> {
  const pending = [...items];
  let running = 0;
  const takeNext = (): T | undefined => {
    const index = options.isReady ? pending.findIndex((item) => options.isReady!(item)) : 0;
    // With nothing running, waiting cannot make anything ready: run the first item rather than stall.
    const chosen = index >= 0 ? index : running === 0 ? 0 : -1;
    return chosen >= 0 && chosen < pending.length ? pending.splice(chosen, 1)[0] : undefined;
  };
  await new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (timer) clearInterval(timer);
      resolve();
    };
    const pump = (): void => {
      const stopped = options.signal?.aborted === true;
      while (!stopped && pending.length > 0 && running < Math.max(1, limit())) {
        const item = takeNext();
        if (item === undefined) break;
        running += 1;
        worker(item).then(
          () => {
            running -= 1;
            pump();
          },
          (error: unknown) => {
            if (timer) clearInterval(timer);
            reject(error);
          },
        );
      }
      if (running === 0 && (stopped || pending.length === 0)) finish();
    };
    timer = setInterval(pump, options.recheckMs ?? 1000);
    timer.unref();
    options.signal?.addEventListener('abort', pump, { once: true });
    pump();
  });
}
