/**
 * A shared work queue: idle workers pull the next item, so a long task never holds up work queued
 * behind it. The limit is asked again whenever a slot frees up or `recheckMs` passes, so it can
 * change while the queue runs (adaptive concurrency).
 */
export async function runQueue<T>(
  items: readonly T[],
  limit: () => number,
  worker: (item: T) => Promise<void>,
  options: { signal?: AbortSignal; recheckMs?: number } = {},
): Promise<void> {
  let next = 0;
  let running = 0;
  await new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (timer) clearInterval(timer);
      options.signal?.removeEventListener('abort', pump);
      resolve();
    };
    const pump = (): void => {
      const stopped = options.signal?.aborted === true;
      while (!stopped && next < items.length && running < Math.max(1, limit())) {
        const item = items[next++] as T;
        running += 1;
        worker(item).then(
          () => {
            running -= 1;
            pump();
          },
          (error: unknown) => {
            if (timer) clearInterval(timer);
            options.signal?.removeEventListener('abort', pump);
            reject(error);
          },
        );
      }
      if (running === 0 && (stopped || next >= items.length)) finish();
    };
    timer = setInterval(pump, options.recheckMs ?? 1000);
    timer.unref();
    options.signal?.addEventListener('abort', pump, { once: true });
    pump();
  });
}
