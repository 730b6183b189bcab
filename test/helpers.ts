import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../src/version.js';

export const ROOT = resolve(PROJECT_ROOT);
/** TFRecord files made outside the project (origin and licence in its README.md). */
export const GOLDEN = join(ROOT, 'test', 'fixtures', 'golden');
/** The tests' own independent checker (Python standard library; shares no code with src/). */
export const CHECKER = join(ROOT, 'test', 'tools', 'tfrecord_check.py');
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
export function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
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

/** The bundled photos `copies` times over (a, b, c, ... prefixes): a run that lasts long enough to interrupt. */
export async function biggerDataset(dir: string, copies: number): Promise<string> {
  const photos = join(ROOT, 'fixtures', 'photos');
  const input = join(dir, 'in');
  for (let c = 0; c < copies; c++) {
    const prefix = String.fromCharCode(97 + c);
    for (const cls of (await readdir(photos, { withFileTypes: true })).filter((d) => d.isDirectory())) {
      await mkdir(join(input, cls.name), { recursive: true });
      for (const f of await readdir(join(photos, cls.name))) await cp(join(photos, cls.name, f), join(input, cls.name, `${prefix}-${f}`));
    }
  }
  return input;
}

/** Polls `check` until it holds (or fails after `ms`). */
export async function waitFor(check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting for a condition');
    await sleep(10);
  }
}
