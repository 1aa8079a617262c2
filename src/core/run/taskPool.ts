/**
 * Runs work items with at most `concurrency` in flight. Items are started in order; once `stop`
 * says so (cancellation, budget, a dead endpoint) no further item starts, and the items already
 * running are awaited — they end on their own or through the signal they were given.
 */
export async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>, stop: () => boolean): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !stop()) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker);
  await Promise.all(workers);
}
