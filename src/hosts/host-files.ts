/** hosts.csv / hosts.arrow and alarms.csv: the columns, declared once, and the writer. Byte counts (mem_*_bytes, process_rss_bytes) are Int64, rates and times Float64. */
import { join } from 'node:path';
import { writeTable, type ColumnType } from '../run-folder/tables.js';
import type { AlarmEvent } from './alarms.js';
import type { HostRow } from './rates.js';
import type { HostRecording } from './recorder.js';

export const HOST_COLUMNS: Record<keyof HostRow, ColumnType> = {
  host: 'string', role: 'string', machine: 'string', t_ms: 'float', interval_ms: 'float',
  cpu_user: 'float', cpu_system: 'float', cpu_iowait: 'float', cpu_steal: 'float', cpu_idle: 'float', load1: 'float',
  mem_used_bytes: 'int64', mem_available_bytes: 'int64', mem_cache_bytes: 'int64', mem_used_percent: 'float',
  disk_read_bytes_per_s: 'float', disk_write_bytes_per_s: 'float', disk_read_ops_per_s: 'float', disk_write_ops_per_s: 'float', disk_busy_percent: 'float',
  net_in_bytes_per_s: 'float', net_out_bytes_per_s: 'float', net_in_packets_per_s: 'float', net_out_packets_per_s: 'float',
  lo_in_bytes_per_s: 'float', lo_out_bytes_per_s: 'float', process_cpu: 'float', process_rss_bytes: 'int64',
};

export const ALARM_COLUMNS: Record<string, ColumnType> = { host: 'string', alarm: 'string', metric: 'string', op: 'string', threshold: 'float', start_ms: 'float', end_ms: 'float', peak: 'float' };

/** A figure that could not be measured is empty in the CSV and null in Arrow, never NaN or 0. */
const blankNaN = (row: HostRow) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' && !Number.isFinite(v) ? null : v]));

export async function writeHostFiles(dir: string, recording: HostRecording): Promise<string[]> {
  await writeTable(join(dir, 'hosts'), recording.rows.map(blankNaN), HOST_COLUMNS);
  await writeTable(join(dir, 'alarms'), recording.alarms as AlarmEvent[], ALARM_COLUMNS, false);
  return ['hosts.csv', 'hosts.arrow', 'alarms.csv'];
}

/** What run.json records about the hosts (the rows themselves are in hosts.*). */
export function hostsJson(recording: HostRecording) {
  return { intervalMs: recording.intervalMs, hosts: recording.hosts, alarms: recording.alarms, cost: recording.cost, ...(recording.malformedBatches ? { malformedBatches: recording.malformedBatches } : {}) };
}
