import { EventEmitter } from 'node:events';
import type { ProcessLike } from '../../src/index.js';

/** A process-like emitter for signal/exit tests; kill() is recorded, not performed. */
export class FakeProcess extends EventEmitter implements ProcessLike {
  readonly pid = 4242;
  readonly kills: Array<{ pid: number; signal: string }> = [];

  kill(pid: number, signal: 'SIGINT' | 'SIGTERM'): boolean {
    this.kills.push({ pid, signal });
    return true;
  }
}
