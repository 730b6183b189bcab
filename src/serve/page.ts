/**
 * The form page of `pipeline serve`: paste or upload a measurement table, pick the goal, weights,
 * budget and price; the page posts to the API and shows the table, the recommendation and the
 * scaling chart. One self-contained page (no network beyond its own server); values from the
 * answer are written with textContent, never as HTML.
 */
const SCRIPT = String.raw`
const $ = (id) => document.getElementById(id);
const fmt = (x) => (typeof x === 'number' ? Number(x.toPrecision(4)).toString() : String(x));
const workers = (n) => n + (n === 1 ? ' worker' : ' workers');
function body() {
  const b = { table: $('table').value };
  for (const k of ['goal', 'model', 'alpha', 'beta', 'budget', 'pricePerWorkerHour', 'candidates', 'maxWorkers', 'where']) {
    const v = $(k).value.trim();
    if (v !== '') b[k] = v;
  }
  return b;
}
async function post(path, b) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
  const text = await res.text();
  if (!res.ok) throw new Error(JSON.parse(text).error);
  return text;
}
function table(el, columns, rows) {
  el.replaceChildren();
  const head = el.createTHead().insertRow();
  for (const c of columns) head.appendChild(document.createElement('th')).textContent = c;
  const tb = el.createTBody();
  for (const r of rows) {
    const tr = tb.insertRow();
    if (r.__mark) tr.className = 'mark';
    for (const c of columns) tr.insertCell().textContent = fmt(r[c] ?? '');
  }
}
function clear() {
  for (const id of ['error', 'recommended', 'notes', 'next']) $(id).textContent = '';
  for (const id of ['measuredTable', 'candidateTable']) $(id).replaceChildren();
  $('chart').replaceChildren();
}
async function recommend(event) {
  event.preventDefault();
  clear();
  $('status').textContent = 'working...';
  try {
    const b = body();
    const rec = JSON.parse(await post('/api/recommend', b));
    const r = rec.recommended;
    $('recommended').textContent = r
      ? 'Recommended: ' + workers(r.workers) + (r.machine === 'default' ? '' : ' on ' + r.machine) + ', ' + fmt(r.predictedSeconds) + ' s, cost ' + fmt(r.cost) + ' (' + (r.measured ? 'measured' : 'predicted by ' + r.predictedFrom) + '; answer from the ' + rec.basis + ')'
      : 'No candidate fits the budget.';
    table($('measuredTable'), ['machine', 'workers', 'seconds', 'runs'], rec.measured);
    table($('candidateTable'), ['machine', 'workers', 'predictedSeconds', 'cost', 'objective', 'predictedFrom', 'extrapolation'],
      rec.candidates.map((c) => ({ ...c, __mark: r && c.machine === r.machine && c.workers === r.workers })));
    for (const n of [...rec.fits.map((f) => 'fit ' + (f.machine === 'default' ? '' : f.machine + ': ') + (f.chosen ?? 'none') + '; leave-one-out error ' + (f.models.map((m) => m.model + ' ' + (m.looError === null ? 'not checked' : (m.looError * 100).toFixed(1) + '%')).join(', ') || 'not checked')), ...rec.notes]) {
      $('notes').appendChild(document.createElement('li')).textContent = n;
    }
    const svg = await post('/api/chart', b);
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    $('chart').appendChild(document.importNode(doc.documentElement, true));
    $('status').textContent = 'done';
  } catch (e) {
    $('error').textContent = e.message;
    $('status').textContent = 'error';
  }
}
async function next() {
  $('error').textContent = '';
  try {
    const a = JSON.parse(await post('/api/next', body()));
    $('next').textContent = (a.next ? 'Measure next: ' + workers(a.next.workers) + (a.next.machine === 'default' ? '' : ' on ' + a.next.machine) : 'Nothing more to measure') + '. ' + a.reason;
  } catch (e) {
    $('error').textContent = e.message;
  }
}
$('file').addEventListener('change', async () => {
  const f = $('file').files[0];
  if (f) $('table').value = await f.text();
});
$('form').addEventListener('submit', recommend);
$('nextButton').addEventListener('click', next);
`;

export function formPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pipeline: choosing a cluster size</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:980px;padding:0 1rem;color:#222}
label{display:inline-block;margin:.3rem 1rem .3rem 0}textarea{width:100%;font-family:monospace}
input[type=text],input[type=number]{width:7rem}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}tr.mark{background:#e6f4e6;font-weight:bold}
#error{color:#b00020;font-weight:bold}#recommended{font-size:1.15rem;font-weight:bold}
</style></head><body>
<h1>Choosing a cluster size</h1>
<p>One row per measured run: <code>workers</code> (or <code>nodes</code>), <code>seconds</code> (or <code>throughput</code>), optional <code>machine</code>, <code>price_per_hour</code>, other columns.</p>
<form id="form">
<textarea id="table" name="table" rows="10" placeholder="workers,seconds&#10;1,1000&#10;2,540&#10;4,300&#10;8,190"></textarea><br>
<label>or upload a CSV / JSON Lines file <input id="file" type="file" accept=".csv,.jsonl,.json,.txt,text/csv"></label><br>
<label>goal <select id="goal"><option value="time">time</option><option value="cost">cost</option><option value="weighted">weighted</option></select></label>
<label>alpha <input id="alpha" type="text" inputmode="decimal"></label>
<label>beta <input id="beta" type="text" inputmode="decimal"></label>
<label>budget <input id="budget" type="text" inputmode="decimal"></label>
<label>price per worker-hour <input id="pricePerWorkerHour" type="text" inputmode="decimal" placeholder="1"></label><br>
<label>model <select id="model"><option value="">table alone unless predictions are asked</option><option value="auto">auto (leave-one-out)</option><option value="ernest">ernest</option><option value="amdahl">amdahl</option><option value="usl">usl</option><option value="none">none</option></select></label>
<label>candidates <input id="candidates" type="text" placeholder="4,8,16,32"></label>
<label>max workers <input id="maxWorkers" type="text"></label>
<label>where <input id="where" type="text" placeholder="batch_size=64"></label><br>
<button id="submit" type="submit">Recommend</button> <button id="nextButton" type="button">What to measure next</button> <span id="status"></span>
</form>
<p id="error" role="alert"></p>
<p id="recommended"></p>
<p id="next"></p>
<ul id="notes"></ul>
<div id="chart"></div>
<h2>Measured</h2><table id="measuredTable"></table>
<h2>Candidates</h2><table id="candidateTable"></table>
<script>${SCRIPT}</script>
</body></html>
`;
}
