using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EdgeMl.Fleet.Review;

/// <summary>
/// The review station on the HTTP port: the queue page, case images, verdicts, and the case API
/// (<c>/api/cases</c>), all for inspectors and admins (session cookie or admin token); nothing else of the server is open to inspectors.
/// </summary>
internal static class ReviewEndpoints
{
    public static void MapReview(this WebApplication app)
    {
        var pages = app.MapGroup("/review").AddEndpointFilter(new AccountFilter(adminOnly: false, page: true));
        pages.MapGet("", async (HttpContext http, FleetStores stores, string? site, string? line, string? model, CancellationToken ct) =>
        {
            var reviewer = AccountFilter.Caller(http).Name;
            var filter = new CaseFilter(Blank(site), Blank(line), Blank(model));
            var next = await stores.Cases.QueueAsync(reviewer, filter, 1, ct);
            var open = await stores.Cases.CountQueueAsync(reviewer, filter, ct);
            var accuracy = ModelAccuracy.From(await stores.Cases.TallyAsync(ct));
            return Html(ReviewPage.Queue(reviewer, filter, next.Count == 0 ? null : next[0], open, accuracy));
        });
        pages.MapGet("/cases/{id}/image", (string id, FleetStores stores, CaseImages images, CancellationToken ct) =>
            ImageAsync(id, stores, images.ImagePath, ct));
        pages.MapGet("/cases/{id}/heatmap", (string id, FleetStores stores, CaseImages images, CancellationToken ct) =>
            ImageAsync(id, stores, images.HeatmapPath, ct));
        pages.MapPost("/cases/{id}/verdict", async (string id, HttpContext http, FleetStores stores, VerdictHub verdicts, TimeProvider time, CancellationToken ct) =>
        {
            var verdict = (await http.Request.ReadFormAsync(ct))["verdict"].ToString();
            if (verdict is not (CaseStore.Ok or CaseStore.Defect or CaseStore.Unsure))
            {
                return Results.Text("verdict must be ok, defect or unsure\n", statusCode: StatusCodes.Status400BadRequest);
            }

            try
            {
                var outcome = await stores.Cases.RecordVerdictAsync(id, AccountFilter.Caller(http).Name, verdict, time.GetUtcNow(), ct);
                if (outcome == VerdictOutcome.Recorded && verdict != CaseStore.Unsure && await stores.Cases.GetAsync(id, ct) is { } decided)
                {
                    // The device that holds the part learns the verdict now, not at its stream's next poll.
                    verdicts.Notify(decided.DeviceId);
                }

                return outcome switch
                {
                    VerdictOutcome.Recorded => Results.NoContent(),
                    VerdictOutcome.UnknownCase => Results.Text($"no case {id}\n", statusCode: StatusCodes.Status404NotFound),
                    VerdictOutcome.AlreadyReviewed => Results.Text($"case {id} was already reviewed by someone else\n", statusCode: StatusCodes.Status409Conflict),
                    _ => Results.Text($"you already gave a verdict on case {id}\n", statusCode: StatusCodes.Status409Conflict),
                };
            }
            catch (InvalidOperationException e)
            {
                return Results.Text(e.Message + "\n", statusCode: StatusCodes.Status409Conflict);
            }
        });

        var api = app.MapGroup("/api/cases").AddEndpointFilter(new AccountFilter(adminOnly: false, page: false));
        api.MapGet("", async (FleetStores stores, string? status, CancellationToken ct) =>
            status is null or CaseRecord.Open or CaseRecord.Reviewed
                ? Results.Json((await stores.Cases.ListAsync(status, ct)).Select(CaseSummary.Of))
                : Results.Text("status must be open or reviewed\n", statusCode: StatusCodes.Status400BadRequest));
        api.MapGet("/accuracy", async (FleetStores stores, CancellationToken ct) =>
            Results.Json(ModelAccuracy.From(await stores.Cases.TallyAsync(ct))));
    }

    private static async Task<IResult> ImageAsync(string id, FleetStores stores, Func<string, string> pathOf, CancellationToken ct)
    {
        // Only ids of stored cases reach the file system: those were checked to be file-name safe on upload.
        if (await stores.Cases.GetAsync(id, ct) is null || !File.Exists(pathOf(id)))
        {
            return Results.NotFound();
        }

        var bytes = await File.ReadAllBytesAsync(pathOf(id), ct);
        return Results.Bytes(bytes, bytes is [0x89, ..] ? "image/png" : "image/jpeg");
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static IResult Html(string html, int status = StatusCodes.Status200OK) =>
        Results.Content(html, "text/html; charset=utf-8", statusCode: status);
}
