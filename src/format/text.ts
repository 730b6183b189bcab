/** Numbers and tables as the pages (report, compare, the host section) print them. Pure. */
import { FIGURE_DIGITS } from '../options/report.js';

export function fmt(x: number | null | undefined, digits: number = FIGURE_DIGITS): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '';
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
