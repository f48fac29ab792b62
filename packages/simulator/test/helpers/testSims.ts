import { afterEach } from 'vitest';
import type { SimulatorOptions } from '../../src/index.js';
import { startTestSim, type TestSim } from './http.js';

/**
 * For the calling test file: a function starting test simulators, each closed after the test
 * that started it (closing earlier is allowed: `close` is idempotent).
 */
export function useTestSims(): (options?: SimulatorOptions) => Promise<TestSim> {
  let running: TestSim[] = [];
  afterEach(async () => {
    await Promise.all(running.map((t) => t.sim.close()));
    running = [];
  });
  return async (options = {}) => {
    const t = await startTestSim(options);
    running.push(t);
    return t;
  };
}
