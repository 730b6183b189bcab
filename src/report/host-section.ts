/**
 * The report's host parts, as HTML and Markdown: alarms (shown at the top), the "what bound the
 * run" line, per-host means and peaks, and the hosts-over-time figure. Kept apart from html.ts so
 * the page's other sections change independently.
 */
import type { AlarmEvent } from '../hosts/alarms.js';
import type { CostFigure } from '../hosts/recorder.js';
import type { Bound, HostFigures } from './host-figures.js';
import { fmt, markdownTable } from '../format/text.js';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `<style>
.alarms{border:2px solid #c62828;background:#fdecea;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
.alarms h2{border:none;margin:.2rem 0;color:#c62828;font-size:1.1rem}
.bound{border-left:4px solid #4c78a8;background:#f0f5fb;padding:.5rem 1rem;margin:1rem 0}
.bound details{font-size:.85rem;color:#444}
</style>`;

function alarmValue(a: AlarmEvent, x: number): string {
  if (a.metric === 'cpu' || a.metric === 'iowait' || a.metric === 'mem') return `${fmt(x, 3)}%`;
  return `${fmt(x / 1e6, 3)} MB/s`;
}

export function alarmLines(alarms: readonly AlarmEvent[]): string[] {
  return alarms.map((a) => `${a.alarm} on ${a.host}: ${fmt(a.start_ms / 1000, 3)} s to ${fmt(a.end_ms / 1000, 3)} s, peak ${alarmValue(a, a.peak)}`);
}

const HEADER = ['host', 'role', 'machine', 'samples', 'CPU % mean', 'CPU % peak', 'iowait %', 'steal %', 'load mean', 'mem used % peak', 'disk read MB/s mean / peak', 'disk write MB/s mean / peak', 'disk busy %', 'net in MB/s mean / peak', 'net out MB/s mean / peak', 'loopback in MB/s', 'dropped samples', 'sampler cost % of a core'];

function cells(f: HostFigures): string[] {
  const mb = (x: { mean: number; peak: number }) => `${fmt(x.mean / 1e6, 3)} / ${fmt(x.peak / 1e6, 3)}`;
  return [
    f.host,
    f.role,
    f.machine,
    String(f.samples),
    fmt(f.cpu.mean, 3),
    fmt(f.cpu.peak, 3),
    fmt(f.iowait.mean, 2),
    fmt(f.steal.mean, 2),
    fmt(f.load.mean, 3),
    fmt(f.memUsedPercent.peak, 3),
    mb(f.diskRead),
    mb(f.diskWrite),
    fmt(f.diskBusy.mean, 3),
    mb(f.netIn),
    mb(f.netOut),
    fmt(f.loopbackIn.mean / 1e6, 3),
    String(f.droppedSamples),
    fmt(100 * f.samplerFraction, 2),
  ];
}

/** Alarms and the bound line: the first thing on the page. */
export function hostTopHtml(alarms: readonly AlarmEvent[], bound: Bound | undefined, cost?: CostFigure): string {
  const parts = [STYLE];
  if (alarms.length) parts.push(`<div class="alarms" id="alarms"><h2>${alarms.length} alarm${alarms.length > 1 ? 's' : ''} fired</h2><ul>${alarmLines(alarms).map((l) => `<li>${escape(l)}</li>`).join('')}</ul></div>`);
  if (bound) parts.push(`<div class="bound" id="what-bound"><b>What bound the run:</b> ${escape(bound.headline)}<details><summary>figures</summary><ul>${bound.evidence.map((e) => `<li>${escape(e)}</li>`).join('')}</ul></details></div>`);
  if (cost) parts.push(`<p id="cost"><b>Cost:</b> ${escape(costLine(cost))}</p>`);
  return parts.join('\n');
}

export const costLine = (c: CostFigure) =>
  `${fmt(c.cost, 4)} (${(c.perHost ?? []).map((p) => `${p.host}: ${fmt(p.hours, 3)} h at ${fmt(p.pricePerHour, 4)}`).join('; ')})` +
  ((c.unmatched ?? []).length ? `; no samples from ${c.unmatched.join(', ')}, priced but not billed` : '');

export function hostSectionHtml(figures: readonly HostFigures[], chart: { svg: string; title: string } | undefined, sharedMachines: string[]): string {
  const table = `<table><thead><tr>${HEADER.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${figures
    .map((f) => `<tr>${cells(f).map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
  return `<h2 id="hosts">Hosts</h2>
<p>Means and peaks per host over the run (CPU as a percent of all the host's cores; network without loopback).</p>
${sharedMachines.map((m) => `<p class="note">${escape(m)}</p>`).join('\n')}
${table}
${chart ? `<figure id="hosts-over-time"><figcaption>${escape(chart.title)}</figcaption>${chart.svg}</figure>` : ''}`;
}

export function hostMarkdown(
  figures: readonly HostFigures[],
  alarms: readonly AlarmEvent[],
  bound: Bound | undefined,
  sharedMachines: string[],
  cost?: CostFigure,
): string {
  return [
    '## Hosts',
    ...(alarms.length ? ['**Alarms fired:**', ...alarmLines(alarms).map((l) => `- ${l}`)] : ['No alarm fired.']),
    ...(bound ? [`**What bound the run:** ${bound.headline}`] : []),
    ...(cost ? [`**Cost:** ${costLine(cost)}`] : []),
    ...sharedMachines.map((m) => `> ${m}`),
    markdownTable(HEADER, figures.map(cells)),
  ].join('\n\n');
}

/** "worker-a and worker-b run on one machine (vm): ..." for each machine with several hosts. */
export function sharedMachineNotes(figures: readonly HostFigures[]): string[] {
  const byMachine = new Map<string, string[]>();
  for (const f of figures) if (f.machine) byMachine.set(f.machine, [...(byMachine.get(f.machine) ?? []), f.host]);
  return [...byMachine]
    .filter(([, hosts]) => hosts.length > 1)
    .map(([machine, hosts]) => `${hosts.join(', ')} run on one machine (${machine}): they are processes of one host, so their CPU, memory, disk and network figures are that machine's, shown under each name (only the process columns differ).`);
}
