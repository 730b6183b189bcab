/** The scaling chart of an answer as SVG (the page shows it; rendered by src/charts/). */
import { renderSvg } from '../charts/render.js';
import type { Recommendation } from '../recommend/recommend.js';
import { scalingSpec } from '../scaling/chart.js';

export async function chartSvg(rec: Recommendation): Promise<string> {
  const series = rec.fits.map((fit) => {
    const chosen = fit.models.find((m) => m.model === fit.chosen);
    const counts = rec.candidates.filter((c) => c.machine === fit.machine).map((c) => c.workers);
    return {
      machine: fit.machine,
      measured: rec.measured.filter((p) => p.machine === fit.machine).map((p) => ({ workers: p.workers, seconds: p.seconds })),
      model: chosen ? { model: chosen.model, theta: chosen.theta, scale: fit.scale ?? 1 } : null,
      maxWorkers: Math.max(fit.measuredWorkers[1], ...counts),
      recommended: rec.recommended?.machine === fit.machine ? rec.recommended.workers : undefined,
    };
  });
  return renderSvg(scalingSpec(`Seconds against workers (${rec.goal}): measured and the chosen model per machine`, series));
}
