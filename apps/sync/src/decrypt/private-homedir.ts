import { createProcessTempDir, sweepDeadProcessTempDirs, type ProcessAliveCheck } from '@grin/books';

/**
 * gpg home directories of decryptors are named `grin-gpg-<pid>-<random>`, so that a start-up sweep
 * can tell the ones of dead processes (a SIGKILLed sync never runs `close()`) from live ones.
 */
const PREFIX = 'grin-gpg-';

/** Create a private (0700) gpg home directory for this process under `parent`. */
export function createPrivateHomedir(parent: string): Promise<string> {
  return createProcessTempDir(parent, PREFIX);
}

/** Remove the gpg home directories under `parent` of processes that no longer exist; returns them. */
export function sweepStaleHomedirs(parent: string, isAlive?: ProcessAliveCheck): Promise<string[]> {
  return sweepDeadProcessTempDirs(parent, PREFIX, isAlive);
}
