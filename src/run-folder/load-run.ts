/**
 * Reads a speed-test run folder: measurements, resources and hosts from Arrow, tasks and problems
 * from CSV, run.json. report, compare and recommend all read runs here (none imports another).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { parse } from 'csv-parse/sync';
import { PipelineError } from '../errors.js';
import type { MeasurementRow } from '../speedtest/task.js';
import type { ResourceRow } from '../monitor/resource-monitor.js';
import type { HostRow } from '../hosts/rates.js';

export interface TaskRow {
  task: number;
  worker: number;
  dataset: string;
  cache: string;
  batch_size: number;
  batch_number: number;
  start_ms: number;
  end_ms: number;
  rows: number;
  images: number;
}

export interface Run {
  dir: string;
  measurements: MeasurementRow[];
  resources: ResourceRow[];
  /** hosts.arrow (runs before host sampling have none). */
  hosts: HostRow[];
  tasks: TaskRow[];
  /** problems.csv: corrupt records and unreadable images met by the speed test. */
  problems: { task: number; source: string; offset: number; error: string }[];
  info: Record<string, any>;
}

const ARROW_MAGIC = Buffer.from('ARROW1');

/** A damaged run file: one line naming it (exit 3), never a stack or a silently empty table. */
function damaged(path: string, what: string): PipelineError {
  return new PipelineError('DATA', `${path}: ${what}; the run folder is damaged, rerun pipeline speedtest (with --overwrite)`, { path });
}

async function arrowRows<T>(path: string): Promise<T[]> {
  const bytes = await readFile(path).catch(() => {
    throw new PipelineError('NOT_FOUND', `${path}: missing; expected a run folder written by pipeline speedtest`, { path });
  });
  // An Arrow IPC file starts and ends with "ARROW1": a truncated one would otherwise read as 0 rows.
  if (bytes.length < 2 * ARROW_MAGIC.length || !bytes.subarray(0, 6).equals(ARROW_MAGIC) || !bytes.subarray(-6).equals(ARROW_MAGIC)) {
    throw damaged(path, `not a complete Arrow IPC file (${bytes.length} bytes, truncated or corrupt)`);
  }
  try {
    // Int64 counters come back as bigint: numbers here (exact below 2^53, far above any byte count).
    return tableFromIPC(bytes).toArray().map((row) => Object.fromEntries(Object.entries(row.toJSON()).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])) as T);
  } catch (error) {
    throw damaged(path, `unreadable Arrow IPC file (${(error as Error).message})`);
  }
}

async function csvRows<T>(path: string): Promise<T[]> {
  const text = await readFile(path).catch(() => '');
  try {
    return parse(text, { columns: true, cast: true }) as T[];
  } catch (error) {
    throw damaged(path, `not valid CSV (${(error as Error).message})`);
  }
}

async function runInfo(path: string): Promise<Record<string, any>> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return {};
  try {
    const info = JSON.parse(text);
    if (info === null || typeof info !== 'object' || Array.isArray(info)) throw new Error(`expected an object, got ${JSON.stringify(info)?.slice(0, 40)}`);
    return info;
  } catch (error) {
    throw damaged(path, `not valid JSON (${(error as Error).message})`);
  }
}

export async function loadRun(dir: string): Promise<Run> {
  const measurements = await arrowRows<MeasurementRow>(join(dir, 'measurements.arrow'));
  // Optional files (older runs lack them); a damaged one is still an error.
  const optional = (error: unknown) => {
    if (error instanceof PipelineError && error.code === 'NOT_FOUND') return [];
    throw error;
  };
  const resources = await arrowRows<ResourceRow>(join(dir, 'resources.arrow')).catch(optional);
  const hosts = await arrowRows<HostRow>(join(dir, 'hosts.arrow')).catch(optional);
  const tasks = await csvRows<TaskRow>(join(dir, 'tasks.csv'));
  const problems = await csvRows<Run['problems'][number]>(join(dir, 'problems.csv'));
  const info = await runInfo(join(dir, 'run.json'));
  return { dir, measurements, resources, hosts, tasks, problems, info };
}
