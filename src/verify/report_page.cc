#include "verify/report_page.h"

namespace orgtwin::verify {
namespace {

// The page around the data. The script reads the JSON from #report-data and fills each section;
// ids and classes are what the browser test looks for (tests/e2e/python/test_report.py).
constexpr std::string_view kHead = R"html(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>orgtwin report</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
header{background:#1d3557;color:#fff;padding:16px 28px}
header h1{margin:0;font-size:20px}
header .sub{opacity:.8;font-size:13px}
.badge{display:inline-block;padding:2px 10px;border-radius:10px;font-weight:600;margin-left:8px}
.ok{background:#2a9d8f;color:#fff}.bad{background:#e63946;color:#fff}
main{padding:12px 28px 40px;max-width:1400px}
section{background:#fff;border:1px solid #dde1e6;border-radius:6px;margin:14px 0;padding:12px 18px}
h2{font-size:16px;margin:4px 0 10px}
table{border-collapse:collapse}
th,td{border:1px solid #dde1e6;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4;font-weight:600;font-size:12px}
td.cell{cursor:pointer;text-align:center;min-width:70px;font-weight:600}
td.v-allowed{background:#f4a261}td.v-conditional{background:#ffe8a3}td.v-denied{background:#e9f5ec;color:#7a8a7f}
td.cell.sel{outline:3px solid #1d3557}
#evidence{margin-top:10px;padding:10px;border-left:4px solid #1d3557;background:#f3f6fa;white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:12px;min-height:2em}
ul.tree,ul.tree ul{list-style:none;margin:0;padding-left:18px}
ul.tree li{margin:2px 0}
.ou{font-weight:600}.acct{font-family:ui-monospace,monospace}
.sev-3{border-left:4px solid #e63946}.sev-2{border-left:4px solid #f4a261}.sev-1{border-left:4px solid #e9c46a}.sev-0{border-left:4px solid #adb5bd}
.finding{padding:4px 10px;margin:6px 0}.finding .ev{font-size:12px;color:#4a5560;font-family:ui-monospace,monospace}
.holds{color:#2a9d8f;font-weight:600}.fails{color:#e63946;font-weight:600}
svg text{font:11px ui-monospace,monospace}
.legend span{display:inline-block;margin-right:14px}
</style></head><body>
<header><h1 id="title">orgtwin report</h1><div class="sub" id="subtitle"></div></header>
<main>
<section><h2>Findings, most severe first</h2><div id="findings"></div></section>
<section><h2>Claims of the structure file (expect:)</h2><ul id="claims"></ul></section>
<section><h2>Capability matrix</h2>
<div class="legend"><span><b style="background:#f4a261">&nbsp;YES&nbsp;</b> allowed</span><span><b style="background:#ffe8a3">&nbsp;cond&nbsp;</b> allowed under conditions</span><span><b style="background:#e9f5ec">&nbsp;-&nbsp;</b> denied</span> Click a cell for its evidence.</div>
<table id="matrix"></table><div id="evidence">Click a cell.</div></section>
<section><h2>Organization</h2><ul class="tree" id="tree"></ul></section>
<section><h2>Who can reach each root user (minimal coalitions)</h2><div id="coalitions"></div></section>
<section><h2>Reach graph: keys held, roles assumed, escalations</h2>
<div class="legend"><span style="color:#6c757d">&#9472; holds keys</span><span style="color:#457b9d">&#9472; assumes a role</span><span style="color:#e63946">&#9472; escalation</span><span style="color:#9b2226">&#9472; root</span></div>
<div style="overflow:auto"><svg id="graph" xmlns="http://www.w3.org/2000/svg"></svg></div></section>
<section><h2>Alert paths (root logins)</h2><div id="alerts"></div></section>
<section><h2>Playbook</h2><table id="playbook"></table></section>
<section><h2>Not read, not modeled</h2><ul id="gaps"></ul></section>
</main>
<script type="application/json" id="report-data">)html";

constexpr std::string_view kTail = R"html(</script>
<script>
(function () {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const r = data.report, c = data.context;
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  document.getElementById('title').textContent = 'orgtwin report: ' + (c.name || c.file);
  const sub = document.getElementById('subtitle');
  sub.textContent = c.file + ' - ' + c.generated + ' - ' + r.api_calls + ' API calls, ' +
      r.decisions + ' policy decisions';
  sub.appendChild(el('span', {class: 'badge ' + (r.all_hold ? 'ok' : 'bad')},
      r.all_hold ? 'every claim holds' : 'claims fail'));

  const findings = document.getElementById('findings');
  const sev = ['note', 'escalation', 'high', 'root'];
  for (const f of r.findings) {
    const d = el('div', {class: 'finding sev-' + f.severity});
    d.appendChild(el('b', {}, '[' + sev[f.severity] + '] '));
    d.appendChild(document.createTextNode(f.title));
    for (const e of f.evidence) d.appendChild(el('div', {class: 'ev'}, e));
    findings.appendChild(d);
  }
  if (!r.findings.length) findings.textContent = 'none';

  const claims = document.getElementById('claims');
  for (const cl of r.claims) {
    const li = el('li');
    li.appendChild(el('span', {class: cl.understood && cl.holds ? 'holds' : 'fails'},
        !cl.understood ? 'NOT UNDERSTOOD ' : cl.holds ? 'holds ' : 'FAILS '));
    li.appendChild(document.createTextNode(cl.text + ' (' + cl.location + ')'));
    for (const e of cl.evidence) li.appendChild(el('div', {class: 'ev'}, e));
    claims.appendChild(li);
  }

  const matrix = document.getElementById('matrix'), evidence = document.getElementById('evidence');
  const head = el('tr');
  head.appendChild(el('th', {}, 'party'));
  head.appendChild(el('th', {}, 'account'));
  for (const cap of r.capabilities) head.appendChild(el('th', {}, cap.name));
  matrix.appendChild(head);
  const mark = {allowed: 'YES', conditional: 'cond', denied: '-'};
  const rows = {};
  for (const cell of r.cells) {
    const key = cell.party + '|' + cell.account;
    if (!rows[key]) {
      rows[key] = el('tr');
      rows[key].appendChild(el('th', {}, cell.party));
      rows[key].appendChild(el('th', {}, cell.account));
      matrix.appendChild(rows[key]);
    }
    const td = el('td', {class: 'cell v-' + cell.verdict, 'data-verdict': cell.verdict,
        'data-party': cell.party, 'data-account': cell.account,
        'data-capability': cell.capability}, mark[cell.verdict]);
    td.addEventListener('click', () => {
      for (const s of matrix.querySelectorAll('td.sel')) s.classList.remove('sel');
      td.classList.add('sel');
      const lines = [cell.party + ' in ' + cell.account + ': ' + cell.capability + ' ' +
          cell.verdict];
      if (cell.principal) lines.push('as ' + cell.principal + (cell.action ? ' (' + cell.action + ')' : ''));
      for (const s of cell.chain) lines.push('  - ' + s);
      for (const s of cell.statements) lines.push('  allowed by ' + s);
      if (cell.conditions.length) lines.push('  under conditions on ' + cell.conditions.join(', '));
      evidence.textContent = lines.join('\n');
    });
    rows[key].appendChild(td);
  }

  // The tree: the management account at the root, members under their OU paths.
  const tree = document.getElementById('tree');
  const root = el('li');
  const mgmt = r.accounts.filter(a => a.management);
  root.appendChild(el('span', {class: 'ou'}, 'Root' + (mgmt.length ? ' (management account ' +
      mgmt[0].key + ', ' + mgmt[0].id + ')' : '')));
  const rootList = el('ul');
  root.appendChild(rootList);
  tree.appendChild(root);
  const units = {'': rootList};
  const unitOf = path => {
    if (units[path]) return units[path];
    const cut = path.lastIndexOf('/');
    const parent = unitOf(cut < 0 ? '' : path.slice(0, cut));
    const li = el('li');
    li.appendChild(el('span', {class: 'ou'}, path.slice(cut + 1) + '/'));
    const ul = el('ul');
    li.appendChild(ul);
    parent.appendChild(li);
    return units[path] = ul;
  };
  for (const u of r.units) unitOf(u);
  const outside = [];
  for (const a of r.accounts) {
    if (a.management) continue;
    const li = el('li', {class: 'acct'}, a.key + '  ' + a.id + '  (' + a.roles + ' roles, ' +
        a.users + ' users)');
    if (a.member) unitOf(a.ou_path).appendChild(li); else outside.push(li);
  }
  if (outside.length) {
    const li = el('li');
    li.appendChild(el('span', {class: 'ou'}, 'Outside the organization'));
    const ul = el('ul');
    for (const o of outside) ul.appendChild(o);
    li.appendChild(ul);
    tree.appendChild(li);
  }

  const coalitions = document.getElementById('coalitions');
  for (const co of r.coalitions) {
    const d = el('div');
    d.appendChild(el('b', {}, co.account + ': '));
    d.appendChild(document.createTextNode(co.minimal.length ?
        co.minimal.map(m => '{' + m.join(' + ') + '}').join(', ') : 'no coalition of the parties'));
    const ul = el('ul');
    for (const n of co.notes) ul.appendChild(el('li', {}, n));
    d.appendChild(ul);
    coalitions.appendChild(d);
  }

  // The graph, laid out in layers by distance from the parties.
  const svg = document.getElementById('graph'), NS = 'http://www.w3.org/2000/svg';
  const layer = {}, order = [];
  const parties = [...new Set(r.edges.map(e => e.party))].map(p => 'party ' + p);
  for (const p of parties) { layer[p] = 0; order.push(p); }
  for (let changed = true, round = 0; changed && round < 50; ++round) {
    changed = false;
    for (const e of r.edges) {
      if (layer[e.from] === undefined) continue;
      const next = layer[e.from] + 1;
      if (layer[e.to] === undefined) { layer[e.to] = next; order.push(e.to); changed = true; }
    }
  }
  const columns = {};
  for (const n of order) (columns[layer[n]] = columns[layer[n]] || []).push(n);
  const pos = {}, W = 250, H = 30;
  let height = 0, width = 0;
  for (const l in columns) {
    columns[l].forEach((n, i) => { pos[n] = {x: 10 + l * W, y: 20 + i * H}; });
    height = Math.max(height, 40 + columns[l].length * H);
    width = Math.max(width, 10 + (+l + 1) * W);
  }
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  const colour = {holds: '#6c757d', assume: '#457b9d', escalation: '#e63946', root: '#9b2226'};
  const short = n => n.startsWith('party ') ? n : n.replace(/^arn:aws:(iam|sts)::/, '');
  for (const e of r.edges) {
    if (!pos[e.from] || !pos[e.to]) continue;
    const line = document.createElementNS(NS, 'line');
    line.setAttribute('x1', pos[e.from].x + 200); line.setAttribute('y1', pos[e.from].y);
    line.setAttribute('x2', pos[e.to].x); line.setAttribute('y2', pos[e.to].y);
    line.setAttribute('stroke', colour[e.kind] || '#333');
    line.setAttribute('stroke-width', e.kind === 'escalation' ? 2.5 : 1.2);
    line.setAttribute('class', 'edge edge-' + e.kind);
    const title = document.createElementNS(NS, 'title');
    title.textContent = e.party + ': ' + e.how;
    line.appendChild(title);
    svg.appendChild(line);
  }
  for (const n of order) {
    const g = document.createElementNS(NS, 'g');
    g.setAttribute('class', 'node');
    const rect = document.createElementNS(NS, 'rect');
    rect.setAttribute('x', pos[n].x); rect.setAttribute('y', pos[n].y - 10);
    rect.setAttribute('width', 200); rect.setAttribute('height', 20); rect.setAttribute('rx', 4);
    rect.setAttribute('fill', n.startsWith('party ') ? '#1d3557' : n.endsWith(':root') ? '#9b2226' : '#eef1f4');
    const text = document.createElementNS(NS, 'text');
    text.setAttribute('x', pos[n].x + 6); text.setAttribute('y', pos[n].y + 4);
    text.setAttribute('fill', n.startsWith('party ') || n.endsWith(':root') ? '#fff' : '#1d232a');
    const label = short(n);
    text.textContent = label.length > 32 ? label.slice(0, 15) + '...' + label.slice(-14) : label;
    const title = document.createElementNS(NS, 'title');
    title.textContent = n;
    g.appendChild(rect); g.appendChild(text); g.appendChild(title);
    svg.appendChild(g);
  }

  const alerts = document.getElementById('alerts');
  for (const p of r.alert_paths) {
    const d = el('div');
    d.appendChild(el('b', {}, 'A root login in ' + p.account));
    const ul = el('ul');
    ul.appendChild(el('li', {}, 'recorded by: ' + (p.trails.join('; ') || 'no trail')));
    ul.appendChild(el('li', {}, 'matched by: ' + (p.rules.join('; ') || 'no rule')));
    for (const s of p.deliveries) {
      ul.appendChild(el('li', {}, 'delivered by ' + s.protocol + ' to ' + s.endpoint +
          (s.confirmed ? ' (confirmed)' : ' (pending confirmation)')));
    }
    d.appendChild(ul);
    alerts.appendChild(d);
  }
  if (!r.alert_paths.length) alerts.textContent = 'the file names no alerts';

  const playbook = document.getElementById('playbook');
  const ph = el('tr');
  for (const h of ['task', 'title', 'owner', 'state', 'note']) ph.appendChild(el('th', {}, h));
  playbook.appendChild(ph);
  for (const t of c.playbook || []) {
    const tr = el('tr', {class: 'task task-' + t.status});
    for (const v of [t.id, t.title, t.owner, t.status, t.note]) tr.appendChild(el('td', {}, v));
    playbook.appendChild(tr);
  }

  const gaps = document.getElementById('gaps');
  for (const u of r.unread) gaps.appendChild(el('li', {}, 'not read: ' + u));
  for (const n of r.not_modeled) gaps.appendChild(el('li', {}, 'not modeled: ' + n));
  document.body.setAttribute('data-rendered', 'yes');
})();
</script></body></html>
)html";

}  // namespace

std::string ReportPage(const boost::json::object& report, const boost::json::object& context) {
  std::string data =
      boost::json::serialize(boost::json::object{{"report", report}, {"context", context}});
  // Inside <script> the only sequence that ends the element early is "</"; JSON allows "<\/".
  std::string escaped;
  escaped.reserve(data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    escaped += data[i];
    if (data[i] == '<' && i + 1 < data.size() && data[i + 1] == '/') escaped += '\\';
  }
  std::string page(kHead);
  page += escaped;
  page += kTail;
  return page;
}

}  // namespace orgtwin::verify
