/** Whether a process with this pid exists on this host (signal 0 probes without delivering). */
export type ProcessAliveCheck = (pid: number) => boolean;

export const isProcessAlive: ProcessAliveCheck = (pid) => {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};
