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

    private FleetStores Stores => _fleet.Services.GetRequiredService<FleetStores>();

    public async Task InitializeAsync()
    {
        _fleet = await TestFleet.StartAsync(_root);
        await Stores.Inspectors.AddAsync("ann", AccountPasswords.Hash(Password), DateTimeOffset.UtcNow, CancellationToken.None);
        using var channel = GrpcChannel.ForAddress(_fleet.GrpcAddress);
        var (client, credentials, _) = await TestCases.EnrolAsync(_fleet, channel, ("site", "a"), ("line", "1"));
        foreach (var (id, at) in new[] { ("c-3", 3_000L), ("c-1", 1_000L), ("c-2", 2_000L) })
        {
            await client.UploadCaseAsync(TestCases.Upload(id, at), credentials);
        }
    }

    public async Task DisposeAsync()
    {
        await _fleet.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task An_inspector_logs_in_and_reviews_three_cases_with_the_keyboard()
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
    }
}
