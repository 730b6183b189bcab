/** Shared helpers of the benchmarks: timing, results files, peers. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/version.js';

export const BENCH_OUT = join(PROJECT_ROOT, 'reports', 'bench');
/**
 * The Python comparison peers are not part of this repository: they come from PIPELINE_PEERS, or a
 * `shared/peers` folder beside the checkout (this workspace's). Without them a peer is skipped.
 */
export const PEERS = process.env.PIPELINE_PEERS ?? join(PROJECT_ROOT, '..', 'shared', 'peers');
export const PYTHON = '/usr/bin/python3';
export const SCRATCH = join(tmpdir(), 'pipeline-bench');

/** Best (shortest) of `runs` timings, in seconds, with the value of the last run. */
export async function bestOf<T>(runs: number, fn: () => Promise<T>): Promise<{ seconds: number; value: T; all: number[] }> {
  const all: number[] = [];
  let value!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    value = await fn();
    all.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { seconds: Math.min(...all), value, all };
}

export function writeResult(name: string, result: object): string {
  mkdirSync(BENCH_OUT, { recursive: true });
  const path = join(BENCH_OUT, `${name}.json`);
  const machine = { cpu: cpus()[0]?.model, cores: cpus().length, memoryBytes: totalmem(), node: process.version };
  writeFileSync(path, JSON.stringify({ name, date: new Date().toISOString(), machine, ...result }, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
  return path;
}

/** Installs an npm peer into a scratch folder (never into the project) and returns its folder. */
export function npmPeer(spec: string): string {
  const dir = join(SCRATCH, 'peers', spec.replace(/[^a-z0-9.@-]/gi, '_'));
  if (!existsSync(join(dir, 'node_modules'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, spec], { stdio: 'ignore' });
  }
  return dir;
}

/**
 * Runs a Python peer with Debian's interpreter and returns its stdout (JSON). When the peers folder
 * is absent it says so on stderr and returns `{"skipped": reason}`: that peer's figures and ratios
 * come out null in the results, and the rest of the benchmark still runs.
 */
export function pythonPeer(script: string, args: string[]): string {
  if (!existsSync(join(PEERS, script))) {
    const reason = `peer ${script} not found in ${PEERS} (set PIPELINE_PEERS): skipped`;
    console.error(`bench: ${reason}`);
    return JSON.stringify({ skipped: reason });
  }
  return execFileSync(PYTHON, [join(PEERS, script), ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Runs a command under /usr/bin/time: its JSON stdout, the CPU seconds of the whole process tree,
 * and the wall seconds from its start to its exit (the whole process: interpreter start-up and
 * module loading included, which a command's own clock leaves out).
 */
export function timed(command: string, args: string[], json = true): { json: Record<string, number>; cpuSeconds: number; wallSeconds: number } {
  const started = performance.now();
  const run = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wallSeconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${run.stderr}`);
  const [, user, system] = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(run.stderr) ?? [];
  return { json: json ? JSON.parse(run.stdout) : {}, cpuSeconds: Number(user) + Number(system), wallSeconds };
}

