/**
 * Alarms on host figures: `cpu>90 for 10s`, `mem>80`, `disk_read>50MB`, `net_out<1k for 5s`.
 * Parsing and evaluation are pure; an alarm fires for each stretch of a host's samples where the
 * condition held at least its duration. Recorded in alarms.csv and run.json's `alarms`.
 */
import { PipelineError } from '../errors.js';
import type { HostRow } from './rates.js';

export const ALARM_METRICS = ['cpu', 'iowait', 'mem', 'disk_read', 'disk_write', 'net_in', 'net_out'] as const;
export type AlarmMetric = (typeof ALARM_METRICS)[number];

export interface Alarm {
  /** As the user wrote it, for messages and the report. */
  text: string;
  metric: AlarmMetric;
  op: '>' | '<';
  threshold: number;
  durationMs: number;
}

/** One firing: a stretch of samples of one host where the condition held for the alarm's duration. */
export interface AlarmEvent {
  alarm: string;
  host: string;
  metric: AlarmMetric;
  op: '>' | '<';
  threshold: number;
  /** ms on the run's time axis (t_ms of hosts.csv): start of the first sample's interval, end of the last. */
  start_ms: number;
  end_ms: number;
  /** The most extreme value in the stretch (highest for >, lowest for <). */
  peak: number;
}

/** What each metric reads from a host row; percentages of all cores / of memory, rates per second. */
export const METRIC_VALUE: Record<AlarmMetric, (r: HostRow) => number> = {
  cpu: (r) => 100 - r.cpu_idle - r.cpu_iowait,
  iowait: (r) => r.cpu_iowait,
  mem: (r) => r.mem_used_percent,
  disk_read: (r) => r.disk_read_bytes_per_s,
  disk_write: (r) => r.disk_write_bytes_per_s,
  net_in: (r) => r.net_in_bytes_per_s,
  net_out: (r) => r.net_out_bytes_per_s,
};

const UNIT: Record<string, number> = { '': 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, kib: 1024, mib: 2 ** 20, gib: 2 ** 30 };
const DURATION: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000 };

/**
 * `cpu>90`, `iowait > 20 for 10s`, `disk_read>50MB/s for 1m`. cpu, iowait and mem are percents
 * (0-100); disk_* and net_* are bytes per second with an optional k / M / G (1000s) or KiB / MiB /
 * GiB suffix. Throws a usage error naming the option.
 */
export function parseAlarm(text: string, option = '--alarm'): Alarm {
  const m = /^\s*([a-z_]+)\s*([<>])\s*(\d+(?:\.\d+)?)\s*([a-z%]*)(?:\/s)?\s*(?:for\s+(\d+(?:\.\d+)?)\s*(ms|s|min|m))?\s*$/i.exec(text);
  const expected = `METRIC>VALUE or METRIC<VALUE [for DURATION], e.g. "cpu>90 for 10s" (metrics: ${ALARM_METRICS.join(', ')})`;
  if (!m) throw new PipelineError('USAGE', `${option}: expected ${expected}, got ${JSON.stringify(text)}`);
  const metric = m[1].toLowerCase() as AlarmMetric;
  if (!ALARM_METRICS.includes(metric)) throw new PipelineError('USAGE', `${option}: unknown metric ${JSON.stringify(m[1])} in ${JSON.stringify(text)}; expected one of ${ALARM_METRICS.join(', ')}`);
  const unit = m[4].toLowerCase();
  const percent = metric === 'cpu' || metric === 'iowait' || metric === 'mem';
  if (percent ? unit !== '' && unit !== '%' : !(unit in UNIT)) {
    throw new PipelineError('USAGE', `${option}: ${metric} takes ${percent ? 'a percent (0-100), no unit' : 'bytes per second with an optional k, M, G, KiB, MiB or GiB'}, got ${JSON.stringify(m[3] + m[4])}`);
  }
  const threshold = Number(m[3]) * (percent ? 1 : UNIT[unit]);
  if (percent && threshold > 100) throw new PipelineError('USAGE', `${option}: ${metric} is a percent (0-100), got ${threshold}`);
  const durationMs = m[5] ? Number(m[5]) * DURATION[m[6].toLowerCase()] : 0;
  return { text: text.trim(), metric, op: m[2] as '>' | '<', threshold, durationMs };
}

/** Every firing of every alarm over rows already on the run's clock (any host order). */
export function evaluateAlarms(alarms: readonly Alarm[], rows: readonly HostRow[]): AlarmEvent[] {
  const byHost = new Map<string, HostRow[]>();
  for (const r of rows) byHost.set(r.host, [...(byHost.get(r.host) ?? []), r]);
  const events: AlarmEvent[] = [];
  for (const alarm of alarms) {
    for (const [host, hostRows] of byHost) {
      const sorted = [...hostRows].sort((a, b) => a.t_ms - b.t_ms);
      let start: number | undefined;
      let end = 0;
      let peak = 0;
      const close = () => {
        if (start !== undefined && end - start >= alarm.durationMs) {
          events.push({ alarm: alarm.text, host, metric: alarm.metric, op: alarm.op, threshold: alarm.threshold, start_ms: start, end_ms: end, peak });
        }
        start = undefined;
      };
      for (const r of sorted) {
        const value = METRIC_VALUE[alarm.metric](r);
        // A sample with no figure (source missing) does not hold: it ends a stretch.
        const holds = Number.isFinite(value) && (alarm.op === '>' ? value > alarm.threshold : value < alarm.threshold);
        if (!holds) {
          close();
          continue;
        }
        if (start === undefined) {
          // The interval before the run's first sample may reach before the run began (t 0).
          start = Math.max(0, r.t_ms - r.interval_ms);
          peak = value;
        }
        end = r.t_ms;
        peak = alarm.op === '>' ? Math.max(peak, value) : Math.min(peak, value);
      }
      close();
    }
  }
  return events.sort((a, b) => a.start_ms - b.start_ms || a.host.localeCompare(b.host));
}
