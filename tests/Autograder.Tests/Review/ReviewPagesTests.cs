using Autograder.Cli.Review;
using Autograder.Report;
using Autograder.Tests.Cli;
using Autograder.Tests.Report;
using Microsoft.Data.Sqlite;

namespace Autograder.Tests.Review;

/// <summary>Reviews are overrides: the exports of <c>report --review</c> equal those of <c>report --overrides</c>
/// with the CSV the review page downloads, a regrade under a review is flagged, grading again keeps review.db.</summary>
public sealed class ReviewPagesTests
{
    private string _dir = "";

    [SetUp]
    public void MakeFolder() => _dir = ReviewFixture.NewFolder();

    [TearDown]
    public void RemoveFolder()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void Report_with_the_review_database_equals_report_with_its_overrides_csv()
    {
        var results = Path.Combine(_dir, "results.json");
        var db = Path.Combine(_dir, "review.db");
        var store = ReviewStore.Open(db, create: true);
        store.Save(new ReviewEdit("bob", "dmesg", 0, 4m, "message present, \"spelling\" differs", false, 0m, "failed"), "Ann", DateTimeOffset.UtcNow);
        store.Save(new ReviewEdit("carol", "total", 0, 10m, "design document", true, 0m, "compile-error"), "Ann", DateTimeOffset.UtcNow);
        store.Save(new ReviewEdit("alice", "total", 0, null, "", true, 60m, "graded"), "Ann", DateTimeOffset.UtcNow);
        var csv = Path.Combine(_dir, "overrides.csv");
        File.WriteAllText(csv, ReviewOverrides.Csv(Reports.ReadResults(results), store.All()));

        var viaReview = CliHarness.Run("report", results, "--review", db, "--out", Path.Combine(_dir, "a"), "--lms-csv");
        var viaCsv = CliHarness.Run("report", results, "--overrides", csv, "--out", Path.Combine(_dir, "b"), "--lms-csv");

        Assert.That((viaReview.ExitCode, viaCsv.ExitCode), Is.EqualTo((0, 0)), viaReview.Error + viaCsv.Error);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_dir, "b"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Path.Combine(_dir, "b"), f)))
        {
            if (file is "results.json" or "report.json")
            {
                continue; // carry a start time
            }

            Assert.That(File.ReadAllText(Path.Combine(_dir, "a", file)), Is.EqualTo(File.ReadAllText(Path.Combine(_dir, "b", file))), file);
        }

        var grades = File.ReadAllText(Path.Combine(_dir, "a", "grades.csv"));
        Assert.That(grades, Does.Contain("carol,").And.Contain("design document"));
    }

    [Test]
    public void A_regrade_that_changes_a_reviewed_verdict_is_flagged_and_counted()
    {
        var run = Reports.ReadResults(Path.Combine(_dir, "results.json"));
        var store = ReviewStore.Open(Path.Combine(_dir, "review.db"), create: true);
        // Reviewed when bob's rand check was a pass worth 15; the results now say error, 5.
        store.Save(new ReviewEdit("bob", "rand", 0, 12m, "mostly right", false, 15m, "passed"), "Ann", DateTimeOffset.UtcNow);
        store.Save(new ReviewEdit("bob", "load", 0, 10m, "unchanged", false, 10m, "passed"), "Ann", DateTimeOffset.UtcNow);
        var pages = new ReviewPages(run, store);

        Assert.That(pages.Overview("Ann"), Does.Contain("1 reviewed verdict(s) changed by a regrade"));
        Assert.That(pages.Submission(run.Submissions.Single(s => s.Id == "bob"), "Ann", "f", "t", ""),
            Does.Contain("the automatic verdict changed since this review: was 15 (passed), now 5 (error)"));
    }

    [Test]
    public void Writing_reports_again_into_the_same_folder_keeps_review_db()
    {
        var db = Path.Combine(_dir, "review.db");
        ReviewStore.Open(db, create: true).Save(new ReviewEdit("bob", "load", 0, 9m, "", false, 10m, "passed"), "Ann", DateTimeOffset.UtcNow);
        var before = File.ReadAllBytes(db);

        Reports.Write(ReportFixture.Run(), _dir, new ReportOptions { Now = ReportFixture.BeforeDue });

        Assert.That(File.ReadAllBytes(db), Is.EqualTo(before));
    }
}
