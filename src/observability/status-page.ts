/*
 * The operators' status page: one HTML document and one script, no build step, no external
 * asset, so it works offline and behind any proxy. The script reads /status.json every five
 * seconds and builds the page with textContent only (a dead-letter reason is cidaas's or the
 * mapping's text and is never parsed as HTML). It never changes anything unless the sidecar
 * was started with `http.allowActions` and the operator types the action token.
 */

/** GET / */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>cidaas-sync</title><link rel="icon" href="data:,">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:10px 20px;display:flex;gap:18px;align-items:baseline}
header h1{font-size:18px;margin:0}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:14px;padding:16px 20px}
section{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:12px 14px}
section h2{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:#5a6478;margin:0 0 8px}
.big{font-size:24px;font-weight:600}
.bar{height:10px;background:#e4e8ee;border-radius:5px;overflow:hidden;margin:6px 0}
.bar>div{height:100%;background:#2f7de1}
table{border-collapse:collapse;width:100%}td{padding:2px 4px;vertical-align:top}td.n{text-align:right;white-space:nowrap}
.ok{color:#18794e}.bad{color:#c4320a}.muted{color:#6b7385}
.wide{grid-column:1/-1}
svg{width:100%;height:90px;background:#fafbfc;border:1px solid #eef0f3}
code{font-size:12px;word-break:break-all}
button{font-size:12px}
</style></head>
<body>
<header><h1>cidaas-sync</h1><span>phase <b id="phase">…</b></span><span>role <b id="role">…</b></span><span class="muted" id="updated"></span><span class="muted" id="version"></span></header>
<main>
<section><h2>Backfill</h2><div class="big" id="backfill">…</div><div class="bar"><div id="backfill-bar" style="width:0"></div></div><div id="backfill-detail" class="muted"></div></section>
<section><h2>Lag</h2><div class="big" id="lag">…</div><div id="lag-detail" class="muted"></div><svg id="lag-chart" viewBox="0 0 360 90" preserveAspectRatio="none"></svg><div class="muted">last hour</div></section>
<section><h2>Throughput (per minute)</h2><table>
<tr><td>pushes</td><td class="n" id="pushes">…</td></tr>
<tr><td>domain events</td><td class="n" id="events">…</td></tr>
<tr><td>429 answers</td><td class="n" id="throttled">…</td></tr>
<tr><td>batches allowed in flight</td><td class="n" id="concurrency">…</td></tr></table></section>
<section><h2>Users</h2><table>
<tr><td>live in cidaas</td><td class="n" id="users-live">…</td></tr>
<tr><td>deleted</td><td class="n" id="users-deleted">…</td></tr>
<tr><td>pending</td><td class="n" id="pending">…</td></tr>
<tr><td>last push</td><td class="n" id="last-push">…</td></tr></table></section>
<section><h2>Source</h2><table>
<tr><td>checkpoint</td><td class="n"><code id="checkpoint">…</code></td></tr>
<tr><td>checkpoint moved</td><td class="n" id="checkpoint-age">…</td></tr>
<tr><td>log retained for us</td><td class="n" id="retained">…</td></tr>
<tr><td>reachable</td><td class="n" id="reachable">…</td></tr></table>
<div id="tables" class="muted"></div></section>
<section><h2>Last verify</h2><div class="big" id="verify">…</div><div id="verify-detail" class="muted"></div></section>
<section class="wide"><h2>Dead letters <span id="dead-total"></span></h2><div id="actions"></div><div id="dead-letters"></div></section>
</main>
<script src="/status.js"></script>
</body></html>
`;

/** GET /status.js */
export const STATUS_PAGE_SCRIPT = `'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var set = function (id, text) { $(id).textContent = text; };
  var num = function (n) { return n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US'); };
  var secs = function (s) { if (s === null || s === undefined) return '–'; s = Math.round(s); return s < 120 ? s + ' s' : s < 7200 ? Math.round(s / 60) + ' min' : (s / 3600).toFixed(1) + ' h'; };
  var bytes = function (n) { return n === null || n === undefined ? '–' : n < 1048576 ? num(n) + ' bytes' : (n / 1048576).toFixed(1) + ' MB'; };
  var ago = function (iso) { return iso ? secs((Date.now() - Date.parse(iso)) / 1000) + ' ago' : 'never'; };
  var el = function (tag, text, cls) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
  var token = '';

  function chart(history) {
    var svg = $('lag-chart');
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    if (history.length < 2) return;
    var t0 = history[history.length - 1].t - 3600000;
    var max = Math.max(1, Math.max.apply(null, history.map(function (p) { return Math.max(p.lagSeconds, p.commitLagSeconds); })));
    var pts = history.filter(function (p) { return p.t >= t0; }).map(function (p) {
      return ((p.t - t0) / 10000).toFixed(1) + ',' + (88 - 84 * Math.max(p.lagSeconds, p.commitLagSeconds) / max).toFixed(1);
    });
    var line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
    line.setAttribute('points', pts.join(' '));
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', '#2f7de1');
    line.setAttribute('stroke-width', '1.5');
    svg.appendChild(line);
    var label = document.createElementNS('http://www.w3.org/2000/svg', 'text');
    label.setAttribute('x', '2'); label.setAttribute('y', '10'); label.setAttribute('font-size', '9'); label.setAttribute('fill', '#6b7385');
    label.textContent = 'max ' + secs(max);
    svg.appendChild(label);
  }

  function retry(body, button) {
    button.disabled = true;
    fetch('/actions/dlq-retry', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { return { status: r.status, body: j }; }); })
      .then(function (r) {
        button.textContent = r.status === 200 ? 'done: ' + r.body.results.map(function (x) { return x.outcome; }).join(', ') : 'refused (' + r.status + ')';
        refresh();
      }, function () { button.textContent = 'failed'; });
  }

  function deadLetters(d, actions) {
    set('dead-total', '(' + num(d.total) + (d.truncated ? ', first 10,000 grouped' : '') + ')');
    var box = $('dead-letters');
    while (box.firstChild) box.removeChild(box.firstChild);
    if (!d.groups.length) { box.appendChild(el('div', 'none', 'ok')); return; }
    var table = el('table');
    var head = el('tr');
    ['users', 'reason', 'keys'].forEach(function (h) { head.appendChild(el('td', h, 'muted')); });
    table.appendChild(head);
    d.groups.forEach(function (g) {
      var tr = el('tr');
      tr.appendChild(el('td', num(g.count), 'n'));
      tr.appendChild(el('td', g.reason));
      var keys = el('td');
      keys.appendChild(el('code', g.keys.join(', ') + (g.count > g.keys.length ? ', …' : '')));
      if (actions) {
        var b = el('button', 'retry these');
        b.addEventListener('click', function () { retry({ reason: g.reason }, b); });
        keys.appendChild(document.createTextNode(' '));
        keys.appendChild(b);
      }
      tr.appendChild(keys);
      table.appendChild(tr);
    });
    box.appendChild(table);
  }

  function actionsBox(enabled) {
    var box = $('actions');
    if (!enabled || box.firstChild) return;
    var input = el('input');
    input.type = 'password'; input.placeholder = 'action token'; input.autocomplete = 'off';
    input.addEventListener('input', function () { token = input.value; });
    box.appendChild(document.createTextNode('Retry needs the action token: '));
    box.appendChild(input);
  }

  function render(s) {
    var st = s.status;
    set('phase', s.phase); set('role', s.role);
    set('updated', 'updated ' + new Date(s.generatedAt).toLocaleTimeString());
    set('version', 'v' + s.version);
    var b = st.backfill;
    if (!b) { set('backfill', 'not started'); set('backfill-detail', ''); $('backfill-bar').style.width = '0'; }
    else {
      var pct = s.backfill && s.backfill.percent !== null ? s.backfill.percent : null;
      set('backfill', b.status === 'done' ? 'done' : (pct === null ? '' : pct + ' % ') + 'running');
      $('backfill-bar').style.width = (pct === null ? 0 : pct) + '%';
      set('backfill-detail', num(b.usersDone) + ' of ' + num(b.usersTotal === null ? null : Math.max(b.usersTotal, b.usersDone)) + ' users' +
        (s.backfill && s.backfill.usersPerSecond !== null ? ' · ' + num(s.backfill.usersPerSecond) + ' users/s' : '') +
        (s.backfill && s.backfill.etaSeconds !== null ? ' · ETA ' + secs(s.backfill.etaSeconds) : ''));
    }
    set('lag', secs(Math.max(s.lag.seconds, s.lag.commitSeconds)));
    set('lag-detail', 'oldest unpushed change ' + secs(s.lag.seconds) + ' · source commit lag ' + secs(s.lag.commitSeconds) + ' · ' + bytes(st.source.lagBytes) + ' of log behind');
    chart(s.history);
    set('pushes', num(s.rates.pushesPerMinute)); set('events', num(s.rates.eventsPerMinute));
    set('throttled', num(s.rates.throttledPerMinute) + ' (' + num(s.rates.throttledTotal) + ' in all)');
    set('concurrency', num(s.rates.concurrency));
    set('users-live', num(st.users ? st.users.live : null)); set('users-deleted', num(st.users ? st.users.deleted : null));
    set('pending', num(st.pendingUsers ? st.pendingUsers.users : null)); set('last-push', ago(st.lastPushAt));
    set('checkpoint', st.checkpoint ? st.checkpoint.position : 'none yet');
    set('checkpoint-age', s.lag.sinceAdvanceSeconds === null ? (st.checkpoint ? ago(st.checkpoint.updatedAt) : '–') : secs(s.lag.sinceAdvanceSeconds) + ' ago');
    set('retained', bytes(st.source.retainedBytes));
    $('reachable').textContent = st.source.reachable ? 'yes' : 'no: ' + (st.source.error || 'unknown');
    $('reachable').className = 'n ' + (st.source.reachable ? 'ok' : 'bad');
    set('tables', s.tables.length ? 'rows read: ' + s.tables.map(function (t) { return t.table + ' ' + num(t.rows); }).join(' · ') : '');
    var v = s.lastVerify;
    if (!v) { set('verify', 'not run yet'); set('verify-detail', 'cidaas-sync verify --config …'); $('verify').className = 'big muted'; }
    else {
      set('verify', !v.complete ? 'INCOMPLETE' : v.equal ? 'EQUAL' : 'DIFFERENCES');
      $('verify').className = 'big ' + (v.complete && v.equal ? 'ok' : 'bad');
      set('verify-detail', v.command + ' ' + ago(v.at) + ' · ' + num(v.checked) + ' of ' + num(v.legacyUsers) + ' users checked · ' + v.reports.join(', '));
    }
    actionsBox(s.actions);
    deadLetters(s.deadLetters, s.actions);
    document.body.dataset.loaded = 'true';
  }

  function refresh() {
    fetch('/status.json', { cache: 'no-store' }).then(function (r) { return r.json(); }).then(render, function () { set('updated', 'sidecar not answering'); });
  }
  refresh();
  setInterval(refresh, 5000);
})();
`;
