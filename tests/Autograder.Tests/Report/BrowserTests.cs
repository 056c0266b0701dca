using Microsoft.Playwright;

namespace Autograder.Tests.Report;

/// <summary>Opens the generated report from file:// in a real headless Chromium (the system one from the
/// Debian package: Playwright's own browser download is not available here), sorts and filters the table,
/// follows a link to a submission page and checks that no page logs a console error.</summary>
[TestFixture]
[NonParallelizable]
public sealed class BrowserTests
{
    private string _dir = "";
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    [OneTimeSetUp]
    public async Task StartBrowser()
    {
        if (!SystemChromium.Installed)
        {
            Assert.Ignore("chromium not installed: apt-get install chromium");
        }

        _dir = ReportFixture.RenderAll().Dir;
        _playwright = await Playwright.CreateAsync();
        _browser = await SystemChromium.LaunchAsync(_playwright);
    }

    [OneTimeTearDown]
    public async Task StopBrowser()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_dir.Length > 0)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Test]
    public async Task Overview_sorts_filters_and_links_to_submission_pages_without_console_errors()
    {
        var page = await _browser!.NewPageAsync();
        page.SetDefaultTimeout(120_000);
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        // Nothing may leave the machine: every request must be for a file of the report.
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith("file://", StringComparison.Ordinal))
            {
                errors.Add("network request: " + request.Url);
            }
        };

        await page.GotoAsync(new Uri(Path.Combine(_dir, "index.html")).AbsoluteUri);
        Assert.That(await Ids(page), Is.EqualTo(new[] { "alice", "bob", "carol", "dave" }));
        Assert.That(await page.Locator("#count").TextContentAsync(), Is.EqualTo("4 of 4 shown"));

        var score = page.Locator("#grades thead th", new PageLocatorOptions { HasTextString = "score" });
        await score.ClickAsync();
        Assert.That(await Ids(page), Is.EqualTo(new[] { "carol", "bob", "alice", "dave" }), "ascending by percent of max");
        Assert.That(await score.GetAttributeAsync("aria-sort"), Is.EqualTo("ascending"));
        await score.ClickAsync();
        Assert.That(await Ids(page), Is.EqualTo(new[] { "dave", "alice", "bob", "carol" }), "descending");

        await page.Locator("#grades thead th", new PageLocatorOptions { HasTextString = "name" }).ClickAsync();
        Assert.That((await Ids(page))[0], Is.EqualTo("dave"), "empty name sorts first");

        await page.FillAsync("#filter", "bobby");
        Assert.That(await VisibleIds(page), Is.EqualTo(new[] { "bob" }));
        Assert.That(await page.Locator("#count").TextContentAsync(), Is.EqualTo("1 of 4 shown"));

        // The filtered rows download as CSV: the header and bob's row, values rather than marks.
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#export"));
        var csvPath = Path.Combine(_dir, "filtered.csv");
        await download.SaveAsAsync(csvPath);
        var csv = File.ReadAllLines(csvPath);
        Assert.That(csv, Has.Length.EqualTo(2));
        Assert.That(csv[0], Does.StartWith("id,score,name,outcome,"));
        Assert.That(csv[1], Does.StartWith("bob,24.5,\"Bob \"\"Bobby\"\" <b>Tables</b>\",graded,"));

        // The table scrolls inside its box, with id and score kept in view.
        Assert.That(await page.EvalOnSelectorAsync<string>(".table-scroll", "e => getComputedStyle(e).overflowX"), Is.EqualTo("auto"));
        Assert.That(await page.EvalOnSelectorAsync<string>("#grades tbody td.sticky-score", "e => getComputedStyle(e).position"), Is.EqualTo("sticky"));

        await page.FillAsync("#filter", "");
        await page.SelectOptionAsync("#outcome", "compile-error");
        Assert.That(await VisibleIds(page), Is.EqualTo(new[] { "carol" }));
        await page.SelectOptionAsync("#outcome", "");
        Assert.That(await VisibleIds(page), Has.Length.EqualTo(4));

        await page.ClickAsync("a:text-is('bob')");
        await page.WaitForURLAsync("**/submissions/bob.html");
        Assert.That(await page.TitleAsync(), Is.EqualTo("virt-101: bob"));
        Assert.That(await page.Locator("#check-dmesg pre.feedback").First.InnerTextAsync(), Does.Contain("<script>alert(1)</script>"),
            "the hostile printk is visible as text");
        Assert.That(await page.EvaluateAsync<int>("document.scripts.length"), Is.EqualTo(1), "and did not become a script (the page's own is the only one)");
        // Triage first: the failed checks are listed at the top, each linking to its check.
        Assert.That(await page.Locator("#summary ul.problems li").CountAsync(), Is.GreaterThan(0));
        await page.Locator("#summary ul.problems a").First.ClickAsync();
        Assert.That(await page.Locator("details.check[open]").CountAsync(), Is.GreaterThan(0));
        // A trace row links to the source line it came from, which opens the collapsed source listing.
        var sourceLink = page.Locator("ol.timeline a.src").First;
        if (await sourceLink.CountAsync() > 0)
        {
            var anchor = (await sourceLink.GetAttributeAsync("href"))!;
            await sourceLink.ClickAsync();
            Assert.That(await page.Locator(anchor).IsVisibleAsync(), Is.True, "the linked source line is shown");
        }

        var feedback = await _browser.NewPageAsync();
        feedback.SetDefaultTimeout(120_000);
        feedback.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        await feedback.GotoAsync(new Uri(Path.Combine(_dir, "feedback", "dave.html")).AbsoluteUri);
        Assert.That(await feedback.Locator("#grader-fault-banner").IsVisibleAsync(), Is.True);

        Assert.That(errors, Is.Empty);
    }

    private static async Task<string[]> Ids(IPage page) =>
        [.. await page.Locator("#grades tbody tr td:first-child").AllInnerTextsAsync()];

    private static async Task<string[]> VisibleIds(IPage page) =>
        [.. await page.Locator("#grades tbody tr:not([hidden]) td:first-child").AllInnerTextsAsync()];
}
