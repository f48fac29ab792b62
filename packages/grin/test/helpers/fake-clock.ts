/** A manual clock plus a sleep that records requested durations and advances the clock instantly. */
export function fakeTime(start = Date.parse('2025-01-01T00:00:00Z')) {
  let now = start;
  const sleeps: number[] = [];
  return {
    clock: () => now,
    advance(ms: number) {
      now += ms;
    },
    sleeps,
    sleep: (ms: number, signal?: AbortSignal): Promise<void> => {
      if (signal?.aborted) return Promise.reject(signal.reason);
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}
