/**
 * Reads a speed-test run folder: measurements, resources and hosts from Arrow, tasks and problems
 * from CSV, run.json. report, compare and recommend all read runs here (none imports another).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PipelineError } from '../errors.js';
import { HOSTS, MEASUREMENTS, PROBLEMS, RESOURCES, TASKS, type HostRow, type ProblemRow, type ResourceRow, type TaskRow } from './files.js';
import { damaged, readArrowTable, readCsvTable } from './read-table.js';
import type { MeasurementRow } from './files.js';
import { checkMeasurements } from './check-measurements.js';

export type { TaskRow } from './files.js';

export interface Run {
  dir: string;
  measurements: MeasurementRow[];
  resources: ResourceRow[];
  /** hosts.arrow (runs before host sampling have none). */
  hosts: HostRow[];
  tasks: TaskRow[];
  /** problems.csv: corrupt records and unreadable images met by the speed test. */
  problems: ProblemRow[];
  info: Record<string, any>;
  /** The run stopped before its grid was done (run.json, or measurements.arrow's metadata when run.json is gone). */
  interrupted: boolean;
  /** run.json is missing: options, versions and host figures are unknown. */
  infoMissing: boolean;
}

/** measurements.arrow's schema metadata key that records an interrupted run. */
export const INTERRUPTED_KEY = 'pipeline.interrupted';

async function runInfo(path: string): Promise<Record<string, any> | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const info = JSON.parse(text);
    if (info === null || typeof info !== 'object' || Array.isArray(info)) throw new Error(`expected an object, got ${JSON.stringify(info)?.slice(0, 40)}`);
    return info;
  } catch (error) {
    throw damaged(path, `not valid JSON (${(error as Error).message})`);
  }
}

export async function loadRun(dir: string): Promise<Run> {
  const metadata = new Map<string, string>();
  const measurements = await readArrowTable(dir, MEASUREMENTS, metadata);
  checkMeasurements(measurements as unknown as Record<string, unknown>[], join(dir, 'measurements.arrow'));
  // Optional files (older runs lack them); a damaged one is still an error.
  const optional = (error: unknown) => {
    if (error instanceof PipelineError && error.code === 'NOT_FOUND') return [];
    throw error;
  };
  // Files every run has: missing beside measurements.arrow, the folder is damaged (not an empty table).
  const required = (error: unknown): never => {
    if (error instanceof PipelineError && error.code === 'NOT_FOUND' && error.path) throw damaged(error.path, 'missing');
    throw error;
  };
  const resources = (await readArrowTable(dir, RESOURCES).catch(optional)) as ResourceRow[];
  const hosts = (await readArrowTable(dir, HOSTS).catch(optional)) as HostRow[];
  const tasks = await readCsvTable(dir, TASKS).catch(required);
  const problems = await readCsvTable(dir, PROBLEMS).catch(required);
  const info = await runInfo(join(dir, 'run.json'));
  const infoMissing = info === undefined;
  return { dir, measurements, resources, hosts, tasks, problems, info: info ?? {}, infoMissing, interrupted: info?.interrupted === true || metadata.get(INTERRUPTED_KEY) === 'true' };
}
