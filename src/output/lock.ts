/**
 * The output folder's lock: `.pipeline.lock` holds the run's id, pid, host and command. It is
 * created atomically (a hard link of a complete file: it never exists half-written), removed when
 * the run ends, and taken over when the process that holds it is dead (same host, pid gone or
 * reused). A lock held from another host cannot be checked and is respected.
 */
import { randomUUID } from 'node:crypto';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PipelineError } from '../errors.js';

export const LOCK_FILE = '.pipeline.lock';

export interface LockInfo {
  runId: string;
  command: string;
  pid: number;
  host: string;
  /** /proc start time of the process: tells a reused pid from the holder. */
  processStart?: string;
  started: string;
}

export interface Lock {
  info: LockInfo;
  release(): Promise<void>;
}

export async function acquireLock(dir: string, command: string): Promise<Lock> {
  const info: LockInfo = {
    runId: randomUUID(),
    command,
    pid: process.pid,
    host: hostname(),
    processStart: processStart(process.pid),
    started: new Date().toISOString(),
  };
  const path = join(dir, LOCK_FILE);
  const tmp = `${path}.${info.runId}`;
  try {
    // Inside the try: a full disk must not leave an empty temporary lock behind.
    await writeFile(tmp, JSON.stringify(info) + '\n');
    for (let attempt = 0; ; attempt++) {
      try {
        await publish(tmp, path, info);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await readLock(dir);
      if (holder && !isStale(holder)) throw heldError(dir, holder);
      if (attempt > 3) throw heldError(dir, holder);
      // Dead holder (or an unreadable lock): remove it only if it is still the one we judged.
      const again = await readLock(dir);
      if (again?.runId === holder?.runId) await rm(path, { force: true });
    }
  } finally {
    await rm(tmp, { force: true });
  }
  return {
    info,
    async release() {
      if ((await readLock(dir))?.runId === info.runId) await rm(path, { force: true });
    },
  };
}

/** A hard link publishes a complete file atomically; where links are not supported, an exclusive create. */
async function publish(tmp: string, path: string, info: LockInfo): Promise<void> {
  try {
    await link(tmp, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
    await writeFile(path, JSON.stringify(info) + '\n', { flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
      // Created but not written (a full disk): an empty lock would look like another run's.
      if (e.code !== 'EEXIST') await rm(path, { force: true });
      throw e;
    });
  }
}

export async function readLock(dir: string): Promise<LockInfo | undefined> {
  try {
    const value = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as LockInfo;
    return typeof value?.runId === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** True when the run that holds the lock is gone (only checkable on this host). */
export function isStale(lock: LockInfo): boolean {
  if (lock.host !== hostname()) return false;
  try {
    process.kill(lock.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const start = processStart(lock.pid);
  return Boolean(lock.processStart && start && start !== lock.processStart);
}

function heldError(dir: string, holder: LockInfo | undefined): PipelineError {
  const who = holder ? `${holder.command} run ${holder.runId} (pid ${holder.pid} on ${holder.host}, since ${holder.started})` : 'another run';
  return new PipelineError('USAGE', `${dir} is in use by ${who}: wait for it to end, or, if that process is gone, remove ${join(dir, LOCK_FILE)}`, { path: dir });
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); undefined off Linux. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
