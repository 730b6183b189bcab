/** The report's host parts for one run: figures, bound line, alarms, the hosts-over-time chart (SVG and PNG). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AlarmEvent } from '../hosts/alarms.js';
import { renderSvg, svgToPng } from '../charts/render.js';
import { hostsOverTime } from './host-charts.js';
import { hostFigures, threadBusyShare, whatBound, type Bound, type HostFigures } from './host-figures.js';
import { hostMarkdown, hostSectionHtml, hostTopHtml, sharedMachineNotes } from './host-section.js';
import type { Run } from '../run-folder/load-run.js';

export interface HostParts {
  figures: HostFigures[];
  bound: Bound;
  alarms: AlarmEvent[];
  top: string;
  section: string;
  markdown: string;
  files: string[];
}

/** Undefined for runs without hosts.arrow (made before host sampling). Writes charts/hosts-over-time.{svg,png}. */
export async function hostParts(run: Run, out: string): Promise<HostParts | undefined> {
  if (run.hosts.length === 0) return undefined;
  const figures = hostFigures(run.hosts, run.info.hosts?.hosts ?? []);
  const bound = whatBound(figures, threadBusyShare(run.tasks));
  const alarms: AlarmEvent[] = run.info.alarms ?? [];
  const chart = hostsOverTime(run.hosts, run.tasks);
  const svg = await renderSvg(chart.spec);
  await writeFile(join(out, 'charts', `${chart.name}.svg`), svg);
  await writeFile(join(out, 'charts', `${chart.name}.png`), await svgToPng(svg));
  const shared = sharedMachineNotes(figures);
  return {
    figures, bound, alarms,
    top: hostTopHtml(alarms, bound, run.info.hosts?.cost),
    section: hostSectionHtml(figures, { svg, title: chart.title }, shared),
    markdown: hostMarkdown(figures, alarms, bound, shared, run.info.hosts?.cost),
    files: [`charts/${chart.name}.svg`, `charts/${chart.name}.png`],
  };
}
