/**
 * A lock file that keeps two runs of one benchmark from overlapping on a shared machine: both
 * would compete for the same two cores and report figures that describe neither.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';

function isAlive(pid: number): boolean {
  try {
    // Signal 0 only asks whether the process exists; nothing is sent to it.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock at `path` for this process and returns its release. Throws, naming the holder,
 * when a live process holds it; a lock left by a process that is gone is taken over.
 */
export async function acquireBenchLock(path: string, what: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
      throw new Error(`another ${what} is running (pid ${holder}, ${path}); wait for it to finish`);
    }
    await rm(path, { force: true });
  }
  throw new Error(`could not take ${path}`);
}
