using System.Net;
using Autograder.Cli.Review;
using Autograder.Report;
using Autograder.Tests.Report;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;

namespace Autograder.Tests.Review;

/// <summary>The review server (real Kestrel, real SQLite) in a real headless Chromium, as BrowserTests launches
/// it: one server for the fixture, each test its own browser contexts (reviewers).</summary>
[TestFixture]
[NonParallelizable]
public sealed class ReviewBrowserTests
{
    private string _dir = "";
    private ReviewStore? _store;
    private ReviewServer? _server;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    [OneTimeSetUp]
    public async Task Start()
    {
        if (!SystemChromium.Installed)
        {
            Assert.Ignore("chromium not installed: apt-get install chromium");
        }

        _dir = ReviewFixture.NewFolder();
        _store = ReviewStore.Open(Path.Combine(_dir, "review.db"), create: true);
        var run = Reports.ReadResults(Path.Combine(_dir, "results.json"));
        _server = await ReviewServer.StartAsync(new ReviewPages(run, _store), _store, new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None);
        _playwright = await Playwright.CreateAsync();
        _browser = await SystemChromium.LaunchAsync(_playwright);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        if (_dir.Length > 0)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Test]
    public async Task A_reviewer_changes_points_and_comment_and_sees_them_after_a_reload_as_text()
    {
        var (page, errors) = await Reviewer("Ann");
        var dialogs = 0;
        page.Dialog += (_, dialog) => dialogs++;
        Assert.That(await page.Locator("#review-bar").InnerTextAsync(), Does.Contain("Reviewing as Ann").And.Contain("0 of 4 reviewed"));
        await page.ClickAsync("a:text-is('bob')");
        await page.WaitForURLAsync("**/submissions/bob.html");

        const string Hostile = "<img src=x onerror=alert(1)>spelling only";
        var form = page.Locator("#check-dmesg form.review");
        await form.Locator("input[name=points]").FillAsync("2.5");
        await form.Locator("textarea[name=comment]").FillAsync(Hostile);
        await Submit(page, () => form.Locator("button[type=submit]").ClickAsync());
        await page.ReloadAsync();

        form = page.Locator("#check-dmesg form.review");
        Assert.That(await form.Locator("input[name=points]").InputValueAsync(), Is.EqualTo("2.5"));
        Assert.That(await form.Locator("textarea[name=comment]").InputValueAsync(), Is.EqualTo(Hostile));
        Assert.That(await page.Locator("#check-dmesg .override-note").InnerTextAsync(), Does.Contain("(was 0): " + Hostile), "the comment is text");
        Assert.That(await page.EvaluateAsync<int>("document.images.length"), Is.Zero, "and did not become an element");
        Assert.That(await page.Locator("#check-dmesg .pts").InnerTextAsync(), Is.EqualTo("2.5 / 5 *"));
        Assert.That(dialogs, Is.Zero);

        // The total and the reviewed mark; the overview counts it.
        await page.Locator("#review-total input[name=reviewed]").CheckAsync();
        await Submit(page, () => page.Locator("#review-total button[type=submit]").ClickAsync());
        await page.GotoAsync(new Uri(_server!.Url, "/").AbsoluteUri);
        Assert.That(await page.Locator("#reviewed-count").InnerTextAsync(), Is.EqualTo("1 of 4 reviewed"));

        if (Environment.GetEnvironmentVariable("AUTOGRADER_REVIEW_SCREENSHOT") is { Length: > 0 } shot)
        {
            await page.GotoAsync(new Uri(_server.Url, "/submissions/bob.html").AbsoluteUri);
            await page.SetViewportSizeAsync(1000, 1400);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, Type = ScreenshotType.Png, Clip = new Clip { X = 0, Y = 0, Width = 1000, Height = 1000 } });
        }

        Assert.That(errors, Is.Empty);
    }

    [Test]
    public async Task Two_reviewers_race_on_one_check_and_the_second_is_told_to_reload()
    {
        var (ann, _) = await Reviewer("Ann");
        var (ben, _) = await Reviewer("Ben");
        foreach (var page in new[] { ann, ben })
        {
            await page.GotoAsync(new Uri(_server!.Url, "/submissions/bob.html").AbsoluteUri);
            await page.Locator("#check-efault input[name=points]").FillAsync(page == ann ? "6" : "1");
        }

        await Submit(ann, () => ann.Locator("#check-efault button[type=submit]").ClickAsync());
        var response = await Submit(ben, () => ben.Locator("#check-efault button[type=submit]").ClickAsync());

        Assert.That(response?.Status, Is.EqualTo(409));
        Assert.That(await ben.Locator("#review-error").InnerTextAsync(), Does.Match("^changed by Ann at [0-2][0-9]:[0-5][0-9] UTC, reload$"));
        Assert.That(_store!.All().Single(r => r is { Submission: "bob", Target: "efault" }).Points, Is.EqualTo(6m), "never overwritten");
        Assert.That(await ben.Locator("#check-efault input[name=points]").InputValueAsync(), Is.EqualTo("6"), "the page shows what is saved");
    }

    [Test]
    public async Task The_downloaded_overrides_csv_is_the_database()
    {
        _store!.Save(new ReviewEdit("carol", "total", 0, 10m, "design document, 2 pages", true, 0m, "compile-error"), "Cleo", DateTimeOffset.UtcNow);
        var (page, _) = await Reviewer("Cleo");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#review-bar a[href='overrides.csv']"));
        var path = Path.Combine(_dir, "downloaded.csv");
        await download.SaveAsAsync(path);

        var run = Reports.ReadResults(Path.Combine(_dir, "results.json"));
        Assert.That(File.ReadAllText(path), Is.EqualTo(ReviewOverrides.Csv(run, _store.All())));
        Assert.That(File.ReadAllText(path), Does.Contain("carol,total,10,\"design document, 2 pages\""));
        // And it applies, as report --overrides would, to what the server shows.
        var applied = Reports.ApplyOverrides(run, path);
        Assert.That(applied.Submissions.Single(s => s.Id == "carol").Score, Is.EqualTo(10m));
    }

    /// <summary>Submits a form (<paramref name="click"/>) and waits for the page it leads to (after a redirect).</summary>
    private static async Task<IResponse> Submit(IPage page, Func<Task> click)
    {
        var response = await page.RunAndWaitForResponseAsync(click, r => r.Request.IsNavigationRequest && r.Status is not (301 or 302 or 303));
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        return response;
    }

    /// <summary>A new browser context (its own cookies) that opened the printed URL and gave its name.</summary>
    private async Task<(IPage Page, List<string> Errors)> Reviewer(string name)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { AcceptDownloads = true });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(120_000);
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.Contains("409", StringComparison.Ordinal))
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(_server!.Url.AbsoluteUri);
        await page.FillAsync("#reviewer input[name=name]", name);
        await Submit(page, () => page.ClickAsync("#reviewer button[type=submit]"));
        return (page, errors);
    }
}
