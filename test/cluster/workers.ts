/** `pipeline worker` processes for the cluster tests: one way to start them, one way to stop them. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

const BIN = join(ROOT, 'bin', 'pipeline.js');

export interface WorkerProcess extends ChildProcess {
  /** With `holdAt`: resolves once the worker's thread holds at that image (src/pool/test-hold.ts). */
  held?: Promise<void>;
}

/**
 * A worker on `url`: one thread, a job lock of 3 s (a killed worker's job is retried within
 * seconds, not the default 30), quiet. `holdAt`: its thread holds at that image until killed.
 */
export function startWorker(url: string, options: { threads?: number; name?: string; extra?: string[]; holdAt?: number } = {}): WorkerProcess {
  const args = [BIN, 'worker', '--redis', url, '--workers', String(options.threads ?? 1), '--lock-ms', '3000', '--quiet'];
  if (options.name) args.push('--name', options.name);
  const env = options.holdAt ? { ...process.env, PIPELINE_TEST_HOLD_IMAGE: String(options.holdAt) } : process.env;
  const child: WorkerProcess = spawn(process.execPath, [...args, ...(options.extra ?? [])], { stdio: ['ignore', 'ignore', options.holdAt ? 'pipe' : 'ignore'], env });
  if (options.holdAt) {
    let text = '';
    child.held = new Promise((resolve, reject) => {
      child.stderr!.on('data', (d) => {
        text += d;
        if (text.includes(`pipeline: test hold: image ${options.holdAt}\n`)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`worker ended (exit ${code}) before holding: ${text}`)));
    });
    child.held.catch(() => undefined);
  }
  return child;
}

/** SIGTERM (finish the running jobs, then exit); SIGKILL after 15 s. */
export async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  await Promise.all(workers.map(async (w) => {
    if (w.exitCode !== null || w.signalCode !== null) return;
    w.kill('SIGTERM');
    const timer = setTimeout(() => w.kill('SIGKILL'), 15_000);
    await once(w, 'exit');
    clearTimeout(timer);
  }));
}

/** SIGKILL, and wait until it is gone. */
export async function killWorker(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return;
  worker.kill('SIGKILL');
  await once(worker, 'exit');
}
