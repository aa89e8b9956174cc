using System.Net;
using EdgeMl.Fleet.Security;

namespace EdgeMl.Fleet.Dashboard;

/// <summary>
/// The dashboard: one static page whose script reads the JSON API (devices, rollouts, telemetry series, alerts) and
/// reads it again on each <c>changed</c> event. Charts are inline SVG drawn by the script: no build step, and nothing
/// fetched from outside (line networks have no internet).
/// </summary>
internal static class DashboardPage
{
    private const string Style = """
        body{font-family:sans-serif;margin:1rem;background:#111;color:#eee}a{color:#9cf}h2{margin:1.2rem 0 .4rem}
        table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #444;text-align:left;vertical-align:top}
        .on{color:#6d6}.off{color:#e66}.muted{color:#999}.current{font-weight:bold;color:#fd6}
        .charts{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:0;background:#1b1b1b;padding:.5rem}figcaption{font-size:.9rem;margin-bottom:.3rem;max-width:380px}
        svg{width:380px;height:170px}svg text{fill:#aaa;font-size:10px}.legend span{margin-right:1rem}.rollout{border-left:3px solid #555;padding-left:.6rem;margin:.6rem 0}
        header form{display:inline}
        """;

    private const string Script = """
        const $ = id => document.getElementById(id);
        const colors = ['#4e9af1', '#f1a94e', '#6dd36d', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7'];
        const charts = [
          { id: 'chart-throughput', value: p => p.framesPerSecond, format: v => v.toFixed(1) },
          { id: 'chart-escalation', value: p => p.escalationRate, format: v => (100 * v).toFixed(1) + ' %' },
          { id: 'chart-latency', value: p => p.p95LatencyMs, format: v => v.toFixed(1) + ' ms' },
          { id: 'chart-drift', value: p => p.driftPsi, format: v => v.toFixed(2), title: p => Object.entries(p.drift || {}).map(([k, v]) => k + ' ' + v.toFixed(3)).join(', ') },
        ];

        async function getJson(path) {
          const response = await fetch(path, { headers: { Accept: 'application/json' } });
          if (response.status === 404) { return null; }
          if (response.status === 401) { location.href = '/login'; return null; }
          if (!response.ok) { throw new Error(path + ' answered ' + response.status); }
          return response.json();
        }

        function el(tag, attributes, ...children) {
          const node = document.createElement(tag);
          Object.entries(attributes || {}).forEach(([k, v]) => node.setAttribute(k, v));
          children.forEach(c => node.append(c instanceof Node ? c : document.createTextNode(c ?? '')));
          return node;
        }

        function svg(tag, attributes) {
          const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
          Object.entries(attributes).forEach(([k, v]) => node.setAttribute(k, v));
          return node;
        }

        const when = t => t ? new Date(t).toLocaleString() : '–';

        function table(rows, columns, id) {
          const t = el('table', id ? { id } : {}, el('tr', {}, ...columns.map(c => el('th', {}, c[0]))));
          rows.forEach(r => t.append(el('tr', r.attributes || {}, ...columns.map(c => el('td', {}, c[1](r))))));
          return t;
        }

        function text(value) {
          return value === null || value === undefined ? '–' : typeof value === 'object' ? JSON.stringify(value) : String(value);
        }

        function renderDevices(devices) {
          devices.forEach(d => d.attributes = { 'data-device': d.id });
          $('devices').replaceChildren(devices.length === 0 ? el('p', {}, 'No device enrolled yet.') : table(devices, [
            ['device', d => d.id],
            ['online', d => el('span', { class: d.online ? 'on' : 'off' }, d.online ? '● online' : '○ offline')],
            ['version', d => d.activeModel || '(no model)'],
            ['state', d => [d.state, d.reason].filter(Boolean).join(': ') || '–'],
            ['provider', d => d.executionProvider || '–'],
            ['agent', d => el('span', { class: 'agent' }, d.agentVersion || '–')],
            ['last report', d => when(d.lastReport)],
            ['tags', d => Object.entries(d.tags || {}).map(([k, v]) => k + '=' + v).join(' ')],
          ]));
        }

        // Waves come as the planned sizes ("1,10%,100%") or, where the API carries them, as objects with gate values:
        // every field is shown, so gate values against their baselines appear as soon as the API has them.
        function renderWaves(rollout) {
          if (Array.isArray(rollout.waves)) {
            const keys = [...new Set(rollout.waves.flatMap(w => Object.keys(w)))].filter(k => k !== 'gates');
            const columns = keys.map(k => [k, w => text(w[k])]);
            if (rollout.waves.some(w => Array.isArray(w.gates))) {
              columns.push(['gates', w => Array.isArray(w.gates) && w.gates.length > 0
                ? table(w.gates, [...new Set(w.gates.flatMap(g => Object.keys(g)))].map(k => [k, g => text(g[k])]))
                : '–']);
            }

            return table(rollout.waves.map((w, i) => ({ ...w, attributes: { class: i === rollout.currentWave ? 'current' : '' } })), columns);
          }

          const sizes = String(rollout.waves || '').split(',').filter(Boolean);
          return el('p', {}, 'waves: ', ...sizes.map((s, i) => el('span', { class: i === rollout.currentWave ? 'current' : 'muted' }, (i ? ' → ' : '') + s)));
        }

        function renderRollouts(rollouts) {
          $('rollouts').replaceChildren(...(rollouts.length === 0 ? [el('p', {}, 'No rollout yet.')] : rollouts.map(r => el('div', { class: 'rollout', 'data-rollout': r.id },
            el('b', {}, r.id), ' ', r.model, r.previousModel ? ' (from ' + r.previousModel + ')' : '', ' · ', r.mode, ' · ',
            el('span', { class: 'state' }, r.state), ' · wave ' + (r.currentWave + 1), r.reason ? ' · ' + r.reason : '',
            renderWaves(r)))));
        }

        function renderCharts(series) {
          const times = series.flatMap(s => s.points.map(p => Date.parse(p.start)));
          const t0 = Math.min(...times), t1 = Math.max(...times);
          const legend = series.map((s, i) => el('span', { style: 'color:' + colors[i % colors.length] }, '■ ' + s.model + ' ' + s.version + (s.role === 'active' ? '' : ' (' + s.role + ')')));
          $('legend').replaceChildren(...(series.length === 0 ? [el('span', { class: 'muted' }, 'No telemetry stored in this period.')] : legend));
          charts.forEach(chart => {
            const root = $(chart.id);
            root.replaceChildren();
            const values = series.flatMap(s => s.points.map(chart.value)).filter(v => v !== null && v !== undefined);
            const top = Math.max(...values, 0) * 1.1 || 1;
            const x = t => 30 + (t1 === t0 ? 170 : 340 * (t - t0) / (t1 - t0));
            const y = v => 150 - 140 * v / top;
            root.append(svg('line', { x1: 30, y1: 150, x2: 370, y2: 150, stroke: '#555' }));
            [[top, 14], [0, 150]].forEach(([v, at]) => { const label = svg('text', { x: 0, y: at }); label.textContent = chart.format(v); root.append(label); });
            if (times.length > 0) {
              [[t0, 30, 'start'], [t1, 370, 'end']].forEach(([t, at, anchor]) => {
                const label = svg('text', { x: at, y: 165, 'text-anchor': anchor }); label.textContent = new Date(t).toLocaleTimeString(); root.append(label);
              });
            }
            series.forEach((s, i) => {
              const points = s.points.filter(p => chart.value(p) !== null && chart.value(p) !== undefined);
              const color = colors[i % colors.length];
              root.append(svg('polyline', {
                'data-series': s.model + ' ' + s.version + ' ' + s.role, 'data-points': points.length, fill: 'none', stroke: color, 'stroke-width': 2,
                points: points.map(p => x(Date.parse(p.start)) + ',' + y(chart.value(p))).join(' '),
              }));
              points.forEach(p => {
                const dot = svg('circle', { cx: x(Date.parse(p.start)), cy: y(chart.value(p)), r: 2.5, fill: color });
                if (chart.title) { const tip = svg('title', {}); tip.textContent = chart.title(p); dot.append(tip); }
                root.append(dot);
              });
            });
          });
        }

        function renderAlerts(alerts) {
          const open = (alerts || []).filter(a => !a.clearedAt);
          $('alerts').replaceChildren(open.length === 0 ? el('p', { id: 'no-alerts' }, 'None.') : table(open, [
            ['severity', a => a.severity], ['kind', a => a.kind], ['device', a => a.deviceId || '–'],
            ['model', a => [a.modelName, a.modelVersion].filter(Boolean).join(' ') || '–'], ['message', a => a.message], ['raised', a => when(a.raisedAt)],
          ]));
        }

        async function refresh() {
          try {
            const [devices, rollouts, series, alerts] = await Promise.all([
              getJson('/api/devices'), getJson('/api/rollouts'), getJson('/api/telemetry/series?bucket=' + $('bucket').value), getJson('/api/alerts')]);
            renderDevices(devices || []);
            renderRollouts(rollouts || []);
            renderCharts(series || []);
            renderAlerts(alerts);
            $('updated').textContent = new Date().toLocaleTimeString();
            $('problem').textContent = '';
          } catch (e) {
            $('problem').textContent = e.message;
          }
        }

        $('bucket').addEventListener('change', refresh);
        const events = new EventSource('/api/events');
        events.addEventListener('ready', () => { $('live').textContent = 'live'; $('live').dataset.state = 'open'; });
        events.addEventListener('changed', refresh);
        events.onerror = () => { $('live').textContent = 'reconnecting…'; $('live').dataset.state = 'closed'; };
        refresh();
        """;

    public static string Render(Account account) => $"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>EdgeMl fleet</title><style>{Style}</style></head><body>
        <header>EdgeMl fleet · <b id="who">{WebUtility.HtmlEncode(account.Name)}</b> · <a href="/review">review station</a> ·
        <form method="post" action="{LoginEndpoints.LogoutPath}"><button>Log out</button></form> ·
        <span id="live" data-state="connecting">connecting…</span> · updated <span id="updated">–</span> <span id="problem" class="off"></span></header>
        <h2>Devices</h2><div id="devices"></div>
        <h2>Rollouts</h2><div id="rollouts"></div>
        <h2>Model versions over time</h2>
        <label>bucket <select id="bucket"><option>10s</option><option selected>1m</option><option>5m</option><option>1h</option></select></label>
        <div id="legend" class="legend"></div>
        <div class="charts">
        <figure><figcaption>Throughput (frames/s)</figcaption><svg id="chart-throughput" viewBox="0 0 380 170"></svg></figure>
        <figure><figcaption>Escalation rate</figcaption><svg id="chart-escalation" viewBox="0 0 380 170"></svg></figure>
        <figure><figcaption>p95 latency, end to end</figcaption><svg id="chart-latency" viewBox="0 0 380 170"></svg></figure>
        <figure><figcaption>Drift: largest PSI of brightness, contrast, sharpness, confidence against the manifest's reference (warning 0.1, alert 0.25)</figcaption><svg id="chart-drift" viewBox="0 0 380 170"></svg></figure>
        </div>
        <h2>Open alerts</h2><div id="alerts"></div>
        <script>{Script}</script></body></html>
        """;
}
