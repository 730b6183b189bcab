import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { report } from '../../src/report/report.js';
import { ROOT, withTempDir } from '../helpers.js';
import { smallRun } from './small-run.js';

const CHROMIUM = '/usr/bin/chromium';

test('report.html in headless Chromium: charts render with their marks, no console errors, screenshot written', { skip: !existsSync(CHROMIUM) && 'Debian chromium is not installed' }, async () => {
  await withTempDir(async (dir) => {
    const run = await smallRun(dir);
    const result = await report({ run });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('request', (r) => !r.url().startsWith('file:') && problems.push(`network request: ${r.url()}`));
      await page.goto(pathToFileURL(join(run, 'report.html')).href);
      const figures = await page.$$eval('figure', (els) => els.map((f) => ({
        id: f.id,
        width: f.querySelector('svg')?.getBoundingClientRect().width ?? 0,
        rects: f.querySelectorAll('svg .mark-rect path').length,
        points: f.querySelectorAll('svg .mark-symbol path').length,
        lines: f.querySelectorAll('svg .mark-line path').length,
        areas: f.querySelectorAll('svg .mark-area path').length,
      })));
      assert.deepEqual(figures.map((f) => f.id), result.charts);
      for (const f of figures) assert.ok(f.width > 100, `${f.id} is drawn`);
      const byId = Object.fromEntries(figures.map((f) => [f.id, f]));
      assert.ok(byId['bars-batch_size'].rects >= 4 * 3, 'a bar per series and batch size');
      assert.ok(byId['scatter-batch_size'].points >= 60, 'a point per pass');
      assert.ok(byId['scatter-batch_size'].lines >= 4, 'a fitted line per series');
      assert.ok(byId['cpu-over-time'].lines >= 3);
      assert.ok(byId['memory-over-time'].areas >= 1);
      assert.ok(byId['task-timeline'].rects >= 24, 'a bar per task');
      assert.ok(byId['where-time-goes'].rects >= 4 * 3, 'a stacked bar per dataset / cache');
      // Small multiples: one panel (with its own y axis) per dataset / cache.
      const yAxes = await page.$$eval('#scatter-batch_size svg .role-axis-title', (els) => els.filter((e) => e.textContent === 'images/s').length);
      assert.equal(yAxes, 4, 'four panels, each with its own y axis');
      assert.equal(await page.locator('table').first().isVisible(), true);
      // Hosts: the alarm box and the bound line at the top, the per-host figure with stacked CPU areas and lines.
      assert.ok(byId['hosts-over-time'].areas >= 1, 'CPU stacked per host');
      assert.ok(byId['hosts-over-time'].lines >= 4, 'network and disk lines');
      assert.ok(byId['hosts-over-time'].rects >= 12, 'the task timeline under the hosts');
      assert.match(await page.locator('#alarms').innerText(), /cpu>1 on /);
      assert.match(await page.locator('#what-bound').innerText(), /What bound the run: \w+/);
      const top = await page.$$eval('body > *', (els) => els.slice(0, 6).map((e) => e.id).filter(Boolean));
      assert.deepEqual(top.slice(0, 2), ['alarms', 'what-bound'], 'alarms first, under the title');
      assert.deepEqual(problems, []);
      const shots = join(ROOT, 'reports', 'screenshots');
      await mkdir(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'report.png'), fullPage: true });
      assert.ok(existsSync(join(shots, 'report.png')));
      await page.locator('#hosts-over-time').screenshot({ path: join(shots, 'hosts.png') });
    } finally {
      await browser.close();
    }
  });
});
