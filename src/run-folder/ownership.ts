/**
 * A run owns its output folder. Convert and speedtest write only into a folder that is new, empty,
 * or one of their own runs: `resume` continues it (convert), `overwrite` replaces it, removing every
 * file of the old run and nothing else. Anything else is a usage error saying what to add. The
 * folder is locked (lock.ts) before it is looked at, so two runs never share it.
 */
import { mkdir, readdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PipelineError } from '../errors.js';
import { acquireLock, LOCK_FILE, type Lock } from '../output/lock.js';
import { TEMPORARY } from '../output/temporary.js';
import { SPEEDTEST_FILES } from './files.js';
import { CONVERT_FILES, MANIFEST_FILE, PARTS_DIR } from './convert-files.js';
import { readManifest } from './manifest.js';

export type RunKind = 'convert' | 'speedtest';

/** How each kind of run recognises its folder and which files it writes there. */
interface KindRules {
  /** Names that mark a folder as this kind's run (checked by `isRun`). */
  isRun(dir: string, names: string[]): Promise<boolean>;
  /** The files (and folders) of an earlier run of this kind: what `overwrite` removes. */
  files(dir: string, names: string[]): Promise<string[]>;
}

/** Shards and indexes convert names (src/convert/shard-names.ts). */
// `part-00000-of-00004.tfrecord`, or TFDS-style `photos-train.tfrecord-00000-of-00004` (convert --split).
export const SHARD_FILE = /^(part-\d{5}-of-\d{5}\.(tfrecord(\.gz|\.zlib)?|idx)|[^/]+-[A-Za-z][A-Za-z0-9_]*\.tfrecord-\d{5}-of-\d{5}(\.gz|\.zlib|\.idx)?)$/;
async function readJson(path: string): Promise<any> {
  return JSON.parse(await readFile(path, 'utf8'));
}

const RULES: Record<RunKind, KindRules> = {
  convert: {
    async isRun(dir, names) {
      if (names.includes(PARTS_DIR)) return true;
      if (!names.includes(MANIFEST_FILE)) return false;
      const read = await readManifest(dir).catch(() => 'damaged' as const);
      // A damaged manifest beside our shard names is still our run (it is what --overwrite is for).
      return read === 'damaged' ? names.some((n) => SHARD_FILE.test(n)) : read.state === 'ours';
    },
    async files(dir, names) {
      const listed = new Set<string>();
      const read = await readManifest(dir).catch(() => undefined);
      // The schema keeps file names plain (no '/', no '..'): overwrite never leaves the folder.
      for (const s of read?.state === 'ours' ? read.manifest.shards : []) {
        listed.add(s.file);
        listed.add(s.index);
      }
      return names.filter((n) => CONVERT_FILES.has(n) || SHARD_FILE.test(n) || TEMPORARY.test(n) || listed.has(n));
    },
  },
  speedtest: {
    async isRun(dir, names) {
      if (!names.includes('run.json')) return false;
      const run = await readJson(join(dir, 'run.json')).catch(() => undefined);
      return run?.command === 'speedtest' || (run === undefined && names.includes('measurements.csv'));
    },
    async files(_dir, names) {
      return names.filter((n) => SPEEDTEST_FILES.has(n) || TEMPORARY.test(n));
    },
  },
};

/** The kind of run whose folder `dir` is (convert output or speed-test run), or undefined. */
export async function runHeldIn(dir: string): Promise<RunKind | undefined> {
  const names = await readdir(dir).catch(() => undefined);
  if (!names) return undefined;
  for (const kind of Object.keys(RULES) as RunKind[]) if (await RULES[kind].isRun(dir, names)) return kind;
  return undefined;
}

export interface ClaimOptions {
  kind: RunKind;
  /** Continue an earlier run of this kind (convert only). */
  resume?: boolean;
  /** Replace an earlier run of this kind. */
  overwrite?: boolean;
}

export interface OutputClaim {
  dir: string;
  /** The run's id (also in the lock): workers check it before they commit a file. */
  runId: string;
  /** 'new' (new or empty folder), 'resume' or 'overwrite' (an earlier run was there). */
  state: 'new' | 'resume' | 'overwrite';
  release(): Promise<void>;
}

/**
 * Takes the folder for a run: creates it, locks it, checks what is in it. On `overwrite` the old
 * run's files are removed here; on `resume` they are left for the command to judge.
 */
export async function claimOutput(dir: string, options: ClaimOptions): Promise<OutputClaim> {
  if (options.resume && options.overwrite) throw new PipelineError('USAGE', '--resume and --overwrite: expected one of the two, got both');
  const info = await stat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new PipelineError('USAGE', `--out: expected a folder, got a file: ${dir}`, { path: dir });
  let lock: Lock;
  try {
    await mkdir(dir, { recursive: true });
    lock = await acquireLock(dir, options.kind);
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    const e = error as NodeJS.ErrnoException;
    throw new PipelineError('OUTPUT', `cannot use output folder ${dir}: ${e.code ?? e.message}`, { path: dir, cause: error });
  }
  try {
    const state = await judge(dir, options);
    return { dir, runId: lock.info.runId, state, release: () => lock.release() };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function judge(dir: string, options: ClaimOptions): Promise<OutputClaim['state']> {
  const rules = RULES[options.kind];
  const names = (await readdir(dir)).filter((n) => n !== LOCK_FILE && !n.startsWith(`${LOCK_FILE}.`));
  // Leftovers of a killed run that never finished a file: nothing to keep.
  if (names.every((n) => TEMPORARY.test(n))) {
    await Promise.all(names.map((n) => rm(join(dir, n), { force: true })));
    return 'new';
  }
  if (await rules.isRun(dir, names)) {
    if (options.overwrite) {
      for (const name of await rules.files(dir, names)) await rm(join(dir, name), { recursive: true, force: true });
      return 'overwrite';
    }
    if (options.resume) return 'resume';
    const add = options.kind === 'convert' ? 'add --resume to continue it or --overwrite to replace it' : 'add --overwrite to replace it (its report included), or choose another --out';
    throw new PipelineError('USAGE', `${dir} holds an earlier ${options.kind} run: ${add}`, { path: dir });
  }
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? `, ... (${names.length} entries)` : '');
  const other = (Object.keys(RULES) as RunKind[]).find((k) => k !== options.kind);
  const what = other && (await RULES[other].isRun(dir, names)) ? `an earlier ${other} run` : `files that are not a ${options.kind} run's (${shown})`;
  throw new PipelineError('USAGE', `${dir} holds ${what}: choose a new or empty folder for --out${options.overwrite ? ' (--overwrite only replaces a run of the same command)' : ''}`, { path: dir });
}

/**
 * `convert --split`: the root holds one convert run per split (each claimed on its own). Anything
 * else there is refused, except split folders of an earlier run, which `overwrite` removes.
 */
export async function checkSplitRoot(dir: string, splits: readonly string[], options: { overwrite?: boolean }): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) return;
  if (!info.isDirectory()) throw new PipelineError('USAGE', `--out: expected a folder, got a file: ${dir}`, { path: dir });
  const others = (await readdir(dir)).filter((n) => !n.startsWith('.') && !splits.includes(n));
  const stale: string[] = [];
  for (const name of others) {
    const path = join(dir, name);
    const names = (await stat(path).catch(() => undefined))?.isDirectory() ? await readdir(path) : undefined;
    if (!names || !(await RULES.convert.isRun(path, names))) {
      throw new PipelineError('USAGE', `${dir} holds ${JSON.stringify(name)}, which is not a split of a convert run: choose a new or empty folder for --out`, { path: dir });
    }
    stale.push(name);
  }
  if (stale.length && !options.overwrite) {
    throw new PipelineError('USAGE', `${dir} holds split folder(s) of an earlier run that this --split does not name (${stale.join(', ')}): add --overwrite to remove them, or choose another --out`, { path: dir });
  }
  for (const name of stale) {
    const claim = await claimOutput(join(dir, name), { kind: 'convert', overwrite: true });
    await claim.release();
    // Empty now, unless it held files of the user's: then it stays.
    await rmdir(join(dir, name)).catch(() => undefined);
  }
}
