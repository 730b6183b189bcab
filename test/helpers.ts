import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../src/version.js';

export const ROOT = resolve(PROJECT_ROOT);
export const SHARED = resolve(ROOT, '..', 'shared');
export const GOLDEN = join(SHARED, 'golden');
export const CHECKER = join(SHARED, 'tools', 'tfrecord_check.py');
/** Debian's interpreter, where python3-pil / scipy / torch land; another python3 may come first on PATH. */
export const PYTHON = '/usr/bin/python3';

const exec = promisify(execFile);

/** Runs the independent checker; returns its JSON and exit code. */
export async function runChecker(args: string[]): Promise<{ json: any; code: number }> {
  try {
    const { stdout } = await exec(PYTHON, [CHECKER, ...args], { maxBuffer: 1 << 28 });
    return { json: JSON.parse(stdout), code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; code?: number };
    return { json: e.stdout ? JSON.parse(e.stdout) : undefined, code: e.code ?? -1 };
  }
}

/** Runs the built CLI (npm test builds first). */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'pipeline.js'), ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'pipeline-test-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}
