import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { createRecommendServer } from '../../src/serve/server.js';
import { ROOT, withTempDir } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';

test('the form in headless Chromium: upload a table, pick the goal, read the recommendation, the table and the chart; a bad value shows the CLI message', { skip: !existsSync(CHROMIUM) && 'Debian chromium is not installed' }, async () => {
  await withTempDir(async (dir) => {
    // seconds = 2000/m + 10 + 0.8 m: the fastest is 50 workers; a hostile machine name must stay text.
    const csv = 'machine,workers,seconds\n' + [1, 2, 4, 8, 16, 32, 64].map((m) => `<b>x</b>,${m},${2000 / m + 10 + 0.8 * m}`).join('\n') + '\n';
    const file = join(dir, 'runs.csv');
    await writeFile(file, csv);
    const server = createRecommendServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && !/status of 400/.test(m.text()) && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('request', (r) => !r.url().startsWith(base) && problems.push(`outside request: ${r.url()}`));
      await page.goto(base);
      await page.setInputFiles('#file', file);
      await page.waitForFunction(() => (document.getElementById('table') as HTMLTextAreaElement).value.includes('workers'));
      await page.selectOption('#goal', 'time');
      await page.selectOption('#model', 'auto');
      await page.fill('#maxWorkers', '100');
      await page.fill('#pricePerWorkerHour', '0.5');
      await page.click('#submit');
      await page.waitForFunction(() => document.getElementById('status')!.textContent === 'done' || document.getElementById('status')!.textContent === 'error');
      assert.equal(await page.textContent('#error'), '');
      assert.match((await page.textContent('#recommended'))!, /^Recommended: 50 workers on <b>x<\/b>, 90 s/);
      assert.equal(await page.locator('#recommended b').count(), 0, 'the machine name is text, not markup');
      assert.equal(await page.locator('#measuredTable tbody tr').count(), 7);
      assert.equal(await page.locator('#candidateTable tr.mark td').nth(1).textContent(), '50');
      assert.match((await page.textContent('#notes'))!, /leave-one-out error/);
      const chart = await page.$eval('#chart svg', (svg) => ({ width: svg.getBoundingClientRect().width, points: svg.querySelectorAll('.mark-symbol path').length, lines: svg.querySelectorAll('.mark-line path').length }));
      assert.ok(chart.width > 200, 'the chart is drawn');
      assert.ok(chart.points >= 7, `a point per measured count (${chart.points})`);
      assert.ok(chart.lines >= 1, 'the model curve');

      await page.click('#nextButton');
      await page.waitForFunction(() => document.getElementById('next')!.textContent !== '');
      assert.match((await page.textContent('#next'))!, /Measure next: 50 workers|Nothing more to measure/);

      const shots = join(ROOT, 'reports', 'screenshots');
      await mkdir(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'serve.png'), fullPage: true });

      await page.fill('#maxWorkers', 'lots');
      await page.click('#submit');
      await page.waitForFunction(() => document.getElementById('status')!.textContent === 'error');
      assert.equal(await page.textContent('#error'), 'maxWorkers: expected a positive integer, got "lots"');

      // One worker is "1 worker".
      await page.fill('#maxWorkers', '1');
      await page.click('#submit');
      await page.waitForFunction(() => document.getElementById('status')!.textContent === 'done');
      assert.match((await page.textContent('#recommended'))!, /^Recommended: 1 worker on <b>x<\/b>, /);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
