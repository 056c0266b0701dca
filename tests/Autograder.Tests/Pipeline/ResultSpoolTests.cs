using System.Text.Json;
using Autograder.Model;
using Autograder.Pipeline;
using Autograder.Submissions;
using Autograder.Tests.Report;

namespace Autograder.Tests.Pipeline;

public sealed class ResultSpoolTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = ReportFixture.TempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Results_come_back_whole_in_id_order_whatever_order_grading_finished_them_in()
    {
        var run = ReportFixture.Run();
        var spool = new ResultSpool(_dir);
        Parallel.ForEach(run.Submissions.Reverse(), s => spool.Append(s));

        using var spooled = new SpooledRun(run with { Submissions = [] }, spool);

        var expected = run.Submissions.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        Assert.That(spooled.ReadAll().Select(Json), Is.EqualTo(expected.Select(Json)));
        Assert.That(spooled.Summaries.Select(s => s.Id), Is.EqualTo(expected.Select(s => s.Id)));
        Assert.That(spooled.Summaries.Select(s => (s.Score, s.GraderFault, s.Checks.Count)),
            Is.EqualTo(expected.Select(s => (s.Score, s.GraderFault, s.Checks.Count))));
        Assert.That(spooled.ReadAll().Select(Json), Is.EqualTo(expected.Select(Json)), "a second pass reads the same");
    }

    [Test]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void The_spool_file_is_private_and_deleted_on_dispose()
    {
        var spool = new ResultSpool(_dir);
        spool.Append(ReportFixture.Run().Submissions[0]);

        Assert.That(File.Exists(spool.FilePath), Is.True);
        Assert.That(Path.GetDirectoryName(spool.FilePath), Is.EqualTo(_dir));
        Assert.That(File.GetUnixFileMode(spool.FilePath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "it holds students' sources");
        spool.Dispose();
        Assert.That(File.Exists(spool.FilePath), Is.False);
    }

    [Test]
    public async Task A_cancelled_class_run_keeps_its_spool_until_disposed_then_deletes_it()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        var run = await Grader.RunSpooledAsync(Examples(), Options(), new Observer(), _dir, cancel.Token);

        Assert.That(run.Run.Complete, Is.False);
        Assert.That(Spools(), Has.Length.EqualTo(1), "the partial run is still readable");
        run.Dispose();
        Assert.That(Spools(), Is.Empty);
    }

    [Test]
    public void A_failing_class_run_deletes_its_spool_before_the_error_reaches_the_caller()
    {
        var observer = new Observer { FailOnStart = true };

        Assert.ThrowsAsync<InvalidOperationException>(() => Grader.RunSpooledAsync(Examples(), Options(), observer, _dir, CancellationToken.None));
        Assert.That(Spools(), Is.Empty);
    }

    private static string Json(SubmissionResult result) => JsonSerializer.Serialize(result, ResultsJson.Options);

    private static IReadOnlyList<Submission> Examples() => SubmissionFinder.Find(Path.Combine(TestPaths.Examples, "csharp"));

    private static GradeOptions Options() => new() { Jobs = 1, UseCache = false };

    private string[] Spools() => Directory.GetFiles(_dir, ResultSpool.FilePrefix + "*");

    private sealed class Observer : IGradeObserver
    {
        public bool FailOnStart { get; init; }

        public void OnStart(int total)
        {
            if (FailOnStart)
            {
                throw new InvalidOperationException("a bug in the grader");
            }
        }

        public void OnResult(SubmissionResult result)
        {
        }

        public void OnWarning(string message)
        {
        }
    }
}
