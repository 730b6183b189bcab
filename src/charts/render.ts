/**
 * Chart rendering, for every page that shows one (report, compare, the host report, serve): a
 * Vega-Lite specification rendered headless to SVG by Vega (no browser, no canvas) and to PNG by
 * sharp (librsvg). The specifications themselves are built beside their pages.
 */
import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** A chart of a page: its file name (charts/<name>.svg / .png), caption and specification. */
export interface Chart {
  name: string;
  title: string;
  spec: TopLevelSpec;
}

/** Shared look: legends wide enough for "tfrecord / cache off", axes not forced through zero. */
const CONFIG = { legend: { labelLimit: 320 }, scale: { zero: false }, font: 'DejaVu Sans, Verdana, sans-serif' };

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
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
