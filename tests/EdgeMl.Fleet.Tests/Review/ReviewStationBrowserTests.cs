using EdgeMl.Fleet.Review;
using EdgeMl.Fleet.Security;
using EdgeMl.Fleet.Storage;
using EdgeMl.Fleet.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace EdgeMl.Fleet.Tests.Review;

/// <summary>The review station in Debian's headless Chromium, driven by Playwright as an inspector uses it.</summary>
public sealed class ReviewStationBrowserTests : IAsyncLifetime
{
    private const string Password = "correct horse battery";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeml-browser-" + Guid.NewGuid().ToString("N")[..10]);
    private TestFleet _fleet = null!;
    private GrpcChannel _channel = null!;
    private CaseService.CaseServiceClient _device = null!;
    private Grpc.Core.Metadata _credentials = null!;

    private FleetStores Stores => _fleet.Services.GetRequiredService<FleetStores>();

    public async Task InitializeAsync()
    {
        _fleet = await TestFleet.StartAsync(_root);
        await Stores.Inspectors.AddAsync("ann", AccountPasswords.Hash(Password), DateTimeOffset.UtcNow, CancellationToken.None);
        _channel = GrpcChannel.ForAddress(_fleet.GrpcAddress);
        (_device, _credentials, _) = await TestCases.EnrolAsync(_fleet, _channel, ("site", "a"), ("line", "1"));
        foreach (var (id, at) in new[] { ("c-3", 3_000L), ("c-1", 1_000L), ("c-2", 2_000L) })
        {
            await _device.UploadCaseAsync(TestCases.Upload(id, at), _credentials);
        }
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task An_inspector_logs_in_and_reviews_three_cases_with_the_keyboard_and_the_device_receives_the_verdicts()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true });
        var page = await browser.NewPageAsync();

        await page.GotoAsync(_fleet.HttpAddress + "/login");
        await page.FillAsync("input[name=name]", "ann");
        await page.FillAsync("input[name=password]", Password);
        await page.ClickAsync("button[type=submit]");
        var current = page.Locator("#case");
        await Assertions.Expect(current).ToHaveAttributeAsync("data-case", "c-1");
        await Assertions.Expect(page.Locator("#heatmap")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("h");
        await Assertions.Expect(page.Locator("#heatmap")).ToBeHiddenAsync();
        await page.Keyboard.PressAsync("o");
        await Assertions.Expect(current).ToHaveAttributeAsync("data-case", "c-2");
        await page.Keyboard.PressAsync("d");
        await Assertions.Expect(current).ToHaveAttributeAsync("data-case", "c-3");
        await page.Keyboard.PressAsync("u");
        await Assertions.Expect(page.Locator("#empty")).ToBeVisibleAsync();

        var stored = (await Stores.Cases.ListAsync(null, CancellationToken.None)).ToDictionary(c => c.Id);
        Assert.Equal((CaseRecord.Reviewed, "ok", "ann"), (stored["c-1"].Status, stored["c-1"].Verdict, stored["c-1"].ReviewedBy));
        Assert.Equal((CaseRecord.Reviewed, "defect", "ann"), (stored["c-2"].Status, stored["c-2"].Verdict, stored["c-2"].ReviewedBy));
        Assert.Equal((CaseRecord.Open, null), (stored["c-3"].Status, stored["c-3"].Verdict));
        Assert.Equal(["c-3"], (await Stores.Cases.QueueAsync("someone-else", CaseFilter.All, 10, CancellationToken.None)).Select(c => c.Id));

        // The device that uploaded the cases is told the two verdicts (an unsure is none), in the order they were given.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var verdicts = _device.WatchVerdicts(new WatchVerdictsRequest(), _credentials, cancellationToken: deadline.Token);
        var received = new List<(string, string, string)>();
        while (received.Count < 2 && await verdicts.ResponseStream.MoveNext(deadline.Token))
        {
            received.Add((verdicts.ResponseStream.Current.CaseId, verdicts.ResponseStream.Current.Verdict, verdicts.ResponseStream.Current.Inspector));
        }

        Assert.Equal([("c-1", "ok", "ann"), ("c-2", "defect", "ann")], received);
    }
}
