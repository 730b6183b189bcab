/**
 * Chart rendering, for every page that shows one (report, compare, the host report, serve): a
 * Vega-Lite specification rendered headless to SVG by Vega (no browser, no canvas) and to PNG by
 * sharp (librsvg). The specifications themselves are built beside their pages.
 */
import sharp from 'sharp';
import type { TopLevelSpec } from 'vega-lite';

/**
 * A Vega-Lite specification as plain JSON. Public (`ReportOptions.extraCharts`), so it is our own
 * type: vega-lite's typings do not compile under `exactOptionalPropertyTypes` without
 * `skipLibCheck`, and a user's TypeScript must not have to load them.
 */
export type ChartSpec = object;

/** A chart of a page: its file name (charts/<name>.svg / .png), caption and specification. */
export interface Chart {
  name: string;
  title: string;
  /** A Vega-Lite (v6) specification, checked by vega-lite when the chart is drawn. */
  spec: ChartSpec;
}

/** Shared look: legends wide enough for "tfrecord / cache off", axes not forced through zero. */
const CONFIG = { legend: { labelLimit: 320 }, scale: { zero: false }, font: 'DejaVu Sans, Verdana, sans-serif' };

export async function renderSvg(spec: ChartSpec): Promise<string> {
  // Loaded here, not at the top: vega's module graph has a top-level await, which would stop
  // `require('tfrecord-pipeline')` (require(esm) refuses such graphs) for users who never draw a chart.
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile({ ...spec, config: { ...CONFIG, ...(spec as { config?: object }).config } } as TopLevelSpec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 144 }).png().toBuffer();
}
