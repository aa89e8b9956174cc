using System.Globalization;
using System.Net;
using System.Text;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Review;

/// <summary>The review station's HTML: server-rendered, with a few lines of script for the keyboard. No build step.</summary>
internal static class ReviewPage
{
    private const string Style =
        "body{font-family:sans-serif;margin:1rem;background:#111;color:#eee}a{color:#9cf}table{border-collapse:collapse}" +
        "td,th{padding:.2rem .6rem;border-bottom:1px solid #444;text-align:left}.frame{position:relative;display:inline-block}" +
        ".frame img{max-width:70vw;max-height:70vh;image-rendering:pixelated;min-width:320px}" +
        ".overlay{position:absolute;left:0;top:0;width:100%;height:100%;opacity:.8}kbd{border:1px solid #888;padding:0 .3rem}";

    // o/d/u send the verdict, h toggles the heatmap; after a verdict the page reloads with the same filters and shows the next case.
    private const string Script = """
        const current = document.getElementById('case');
        async function send(verdict) {
          if (!current || current.dataset.busy) { return; }
          current.dataset.busy = '1';
          const response = await fetch('/review/cases/' + encodeURIComponent(current.dataset.case) + '/verdict',
            { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'verdict=' + verdict });
          if (response.ok || response.status === 409) { location.reload(); return; }
          document.getElementById('status').textContent = await response.text();
          delete current.dataset.busy;
        }
        document.addEventListener('keydown', e => {
          if (e.target instanceof HTMLInputElement || e.ctrlKey || e.altKey || e.metaKey) { return; }
          const verdict = { o: 'ok', d: 'defect', u: 'unsure' }[e.key];
          if (verdict) { e.preventDefault(); send(verdict); }
          else if (e.key === 'h') { const h = document.getElementById('heatmap'); if (h) { h.hidden = !h.hidden; } }
        });
        document.querySelectorAll('button[data-verdict]').forEach(b => b.addEventListener('click', () => send(b.dataset.verdict)));
        """;

    public static string Queue(string reviewer, CaseFilter filter, CaseRecord? next, long open, IReadOnlyList<ModelAccuracy> accuracy)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <header>Reviewing as <b id="reviewer">{E(reviewer)}</b> · <span id="open">{open}</span> open for you
            <form method="post" action="/logout" style="display:inline"><button>Log out</button></form></header>
            <form method="get" action="/review">
            <input name="site" placeholder="site" value="{E(filter.Site)}"><input name="line" placeholder="line" value="{E(filter.Line)}">
            <input name="model" placeholder="model version" value="{E(filter.ModelVersion)}"><button>Filter</button></form>
            """);
        if (next is null)
        {
            html.Append("<p id=\"empty\">No open cases for you.</p>");
        }
        else
        {
            var id = Uri.EscapeDataString(next.Id);
            html.Append(CultureInfo.InvariantCulture, $"""
                <main id="case" data-case="{E(next.Id)}">
                <div class="frame"><img id="image" alt="case {E(next.Id)}" src="/review/cases/{id}/image">
                {(next.HasHeatmap ? $"<img id=\"heatmap\" class=\"overlay\" alt=\"heatmap\" src=\"/review/cases/{id}/heatmap\">" : "")}</div>
                <p>Case <b>{E(next.Id)}</b> from {E(next.DeviceId)} (site {E(next.Site)}, line {E(next.Line)}) at {next.CapturedAt:u}
                · {E(next.Model)} · {E(next.Decision)} · model says {E(next.ModelCall)} · level {E(next.AutomationLevel)}</p>
                <table id="probabilities"><tr><th>label</th><th>probability</th></tr>
                """);
            foreach (var (label, probability) in next.Probabilities.OrderByDescending(p => p.Value))
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(label)}</td><td>{probability:0.000}</td></tr>");
            }

            html.Append("""
                </table>
                <p><button data-verdict="ok"><kbd>o</kbd> ok</button> <button data-verdict="defect"><kbd>d</kbd> defect</button>
                <button data-verdict="unsure"><kbd>u</kbd> unsure (to another inspector)</button> · <kbd>h</kbd> heatmap on/off</p>
                <p id="status"></p></main>
                """);
        }

        html.Append("<h2>Per model version (95 % Wilson intervals)</h2><table id=\"accuracy\"><tr><th>model</th><th>cases</th><th>open</th>" +
            "<th>accuracy</th><th>escalated</th><th>automatic error</th></tr>");
        foreach (var model in accuracy)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(model.Model)}</td><td>{model.Cases}</td><td>{model.Open}</td><td>{Share(model.Accuracy)}</td><td>{Share(model.ShareEscalated)}</td><td>{Share(model.AutomaticErrorRate)}</td></tr>");
        }

        html.Append("</table>");
        return Document("Review", html.ToString(), Script);
    }

    private static string Share(WilsonInterval? share) => share is null
        ? "–"
        : string.Create(CultureInfo.InvariantCulture, $"{share.Share:P1} ({share.Low:P1}–{share.High:P1}, n={share.Trials})");

    private static string Document(string title, string body, string? script = null) =>
        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title><style>{Style}</style></head><body>{body}" +
        (script is null ? "" : $"<script>{script}</script>") + "</body></html>";

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
}
