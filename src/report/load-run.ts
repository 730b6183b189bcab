/** Reads a speed-test run folder: measurements and resources from Arrow, tasks from CSV, run.json. */
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

async function arrowRows<T>(path: string): Promise<T[]> {
  const bytes = await readFile(path).catch(() => {
    throw new PipelineError('NOT_FOUND', `${path}: missing; expected a run folder written by pipeline speedtest`, { path });
  });
  // Int64 counters come back as bigint: numbers here (exact below 2^53, far above any byte count).
  return tableFromIPC(bytes).toArray().map((row) => Object.fromEntries(Object.entries(row.toJSON()).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])) as T);
}

export async function loadRun(dir: string): Promise<Run> {
  const measurements = await arrowRows<MeasurementRow>(join(dir, 'measurements.arrow'));
  const resources = await arrowRows<ResourceRow>(join(dir, 'resources.arrow')).catch(() => []);
  const hosts = await arrowRows<HostRow>(join(dir, 'hosts.arrow')).catch(() => []);
  const tasks = parse(await readFile(join(dir, 'tasks.csv')).catch(() => ''), { columns: true, cast: true }) as TaskRow[];
  const problems = parse(await readFile(join(dir, 'problems.csv')).catch(() => ''), { columns: true, cast: true }) as Run['problems'];
  const info = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8').catch(() => '{}'));
  return { dir, measurements, resources, hosts, tasks, problems, info };
}
