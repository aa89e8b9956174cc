using System.Net.Http.Headers;
using System.Text;
using EdgeMl.Fleet.Storage;

namespace EdgeMl.Fleet.Alerts;

/// <summary>POSTs each alert as JSON to <see cref="AlertOptions.Webhook"/>; any answer but 2xx is a failure to retry.</summary>
internal sealed class WebhookAlertSink(HttpClient client, Uri webhook) : IAlertSink
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    public string Name => "webhook " + webhook.GetLeftPart(UriPartial.Path);

    public async Task SendAsync(AlertRecord alert, CancellationToken cancellationToken)
    {
        using var content = new StringContent(AlertJson.Serialize(alert), Encoding.UTF8, Json);
        using var response = await client.PostAsync(webhook, content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"the webhook answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }
    }
}
