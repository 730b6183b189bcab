/**
 * The cluster over time: per host, CPU stacked (user / system / iowait / steal), network in / out
 * and disk read / write, above the task timeline, all on one time axis (seconds since the run's
 * start on the driver's clock). One Vega-Lite figure, so the panels line up.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { HostRow } from '../run-folder/files.js';
import type { Chart } from '../charts/render.js';
import type { TaskRow } from '../run-folder/files.js';

/** Most points a host's series keeps: longer runs are averaged over consecutive samples. */
const MAX_POINTS = 300;
const WIDTH = 620;

const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);

/** Consecutive rows averaged in groups so a host has at most `max` points (peaks soften; the table keeps them). */
export function downsample(rows: readonly HostRow[], max = MAX_POINTS): HostRow[] {
  if (rows.length <= max) return [...rows];
  const size = Math.ceil(rows.length / max);
  const out: HostRow[] = [];
  for (let i = 0; i < rows.length; i += size) {
    const group = rows.slice(i, i + size);
    const avg = { ...group[group.length - 1] } as Record<string, unknown>;
    for (const [k, v] of Object.entries(avg)) {
      if (typeof v === 'number' && k !== 't_ms') avg[k] = group.reduce((s, r) => s + num((r as unknown as Record<string, unknown>)[k]), 0) / group.length;
    }
    out.push(avg as unknown as HostRow);
  }
  return out;
}

/** The facet label: name, role, and the machine when it differs (two workers on one machine show it). */
export const hostLabel = (r: Pick<HostRow, 'host' | 'role' | 'machine'>) => `${r.host} (${r.role}${r.machine && r.machine !== r.host ? ` on ${r.machine}` : ''})`;

export function hostsOverTime(rows: readonly HostRow[], tasks: readonly TaskRow[]): Chart {
  const hosts = [...new Set(rows.map((r) => r.host))];
  const points = hosts.flatMap((h) => downsample(rows.filter((r) => r.host === h)));
  const end = Math.max(...rows.map((r) => r.t_ms / 1000), ...tasks.map((t) => t.end_ms / 1000), 1);
  const x = { field: 't', type: 'quantitative', title: 'seconds since the run started', scale: { domain: [0, end], nice: false } };
  const long = (parts: [string, (r: HostRow) => number][], scale = 1) =>
    points.flatMap((r) => parts.map(([part, get]) => ({ host: hostLabel(r), t: (r.t_ms - r.interval_ms / 2) / 1000, part, value: num(get(r)) / scale })));
  const panel = (title: string, values: object[], mark: object, y: object, color: object) => ({
    title,
    data: { values },
    facet: { row: { field: 'host', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelOrient: 'top', labelFontWeight: 'bold' } } },
    spec: { width: WIDTH, height: 70, mark, encoding: { x, y, color: { field: 'part', type: 'nominal', title: null, ...color } } },
  });
  const vconcat: object[] = [
    panel('CPU, % of all cores', long([['user', (r) => r.cpu_user], ['system', (r) => r.cpu_system], ['iowait', (r) => r.cpu_iowait], ['steal', (r) => r.cpu_steal]]),
      { type: 'area', interpolate: 'step-after' }, { field: 'value', type: 'quantitative', stack: 'zero', title: '%', scale: { domain: [0, 100] } },
      { scale: { domain: ['user', 'system', 'iowait', 'steal'], range: ['#4c78a8', '#f58518', '#e45756', '#b279a2'] } }),
    panel('Network, MB/s (loopback apart)', long([['net in', (r) => r.net_in_bytes_per_s], ['net out', (r) => r.net_out_bytes_per_s], ['loopback in', (r) => r.lo_in_bytes_per_s]], 1e6),
      { type: 'line', interpolate: 'step-after' }, { field: 'value', type: 'quantitative', title: 'MB/s', scale: { zero: true } },
      { scale: { domain: ['net in', 'net out', 'loopback in'], range: ['#54a24b', '#eeca3b', '#bab0ac'] } }),
    panel('Disk, MB/s', long([['read', (r) => r.disk_read_bytes_per_s], ['write', (r) => r.disk_write_bytes_per_s]], 1e6),
      { type: 'line', interpolate: 'step-after' }, { field: 'value', type: 'quantitative', title: 'MB/s', scale: { zero: true } },
      { scale: { domain: ['read', 'write'], range: ['#72b7b2', '#ff9da6'] } }),
  ];
  if (tasks.length) {
    vconcat.push({
      title: 'Tasks per worker thread (on the driver\'s clock)',
      // Threads named with their host where tasks.csv says it (runs since host sampling).
      data: { values: tasks.map((t: TaskRow & { host?: string }) => ({ thread: t.host ? `${t.host}: thread ${t.worker}` : `thread ${t.worker}`, start: t.start_ms / 1000, end: t.end_ms / 1000, part: `${t.dataset} / cache ${t.cache}` })) },
      width: WIDTH,
      height: { step: 14 },
      mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5 },
      encoding: { y: { field: 'thread', type: 'nominal', title: null }, x: { ...x, field: 'start' }, x2: { field: 'end' }, color: { field: 'part', type: 'nominal', title: null } },
    });
  }
  return {
    name: 'hosts-over-time',
    title: 'Hosts over time: CPU, network and disk per host, with the task timeline (one time axis)',
    spec: { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', vconcat, resolve: { scale: { color: 'independent' } }, spacing: 18 } as unknown as TopLevelSpec,
  };
}
