/** hosts.csv / hosts.arrow and alarms.csv (their columns: src/run-folder/files.ts): the writer. */
import { writeTable } from '../run-folder/tables.js';
import { ALARMS, HOSTS } from '../run-folder/files.js';
import type { AlarmEvent } from './alarms.js';
import type { HostRow } from './rates.js';
import type { HostRecording } from './recorder.js';

/** A figure that could not be measured is empty in the CSV and null in Arrow, never NaN or 0. */
const blankNaN = (row: HostRow) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' && !Number.isFinite(v) ? null : v])) as { [K in keyof HostRow]: HostRow[K] | null };

export async function writeHostFiles(dir: string, recording: HostRecording): Promise<string[]> {
  await Promise.all([writeTable(dir, HOSTS, recording.rows.map(blankNaN)), writeTable(dir, ALARMS, recording.alarms as AlarmEvent[])]);
  return ['hosts.csv', 'hosts.arrow', 'alarms.csv'];
}

/** What run.json records about the hosts (the rows themselves are in hosts.*). */
export function hostsJson(recording: HostRecording) {
  const { intervalMs, hosts, alarms, cost, malformedBatches } = recording;
  return { intervalMs, hosts, alarms, cost, ...(malformedBatches ? { malformedBatches } : {}) };
}
