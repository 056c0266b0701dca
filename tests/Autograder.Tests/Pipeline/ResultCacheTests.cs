using Autograder.Check;
using Autograder.Model;
using Autograder.Pipeline;
using Autograder.Submissions;

namespace Autograder.Tests.Pipeline;

public sealed class ResultCacheTests
{
    private string _root = "";
    private string _sources = "";

    [SetUp]
    public void SetUp()
    {
        _root = Path.Combine(Path.GetTempPath(), "ag-cache-test-" + Guid.NewGuid().ToString("N")[..12]);
        _sources = Path.Combine(_root, "subs");
        Directory.CreateDirectory(_sources);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void An_unchanged_submission_is_graded_once_and_reused_under_its_current_id()
    {
        var cache = Cache();
        var graded = 0;
        var first = cache.GetOrGrade(Submission("alice", "int x;"), s => { graded++; return Result(s); }, CancellationToken.None);
        var moved = Submission("alice-late", "int x;", folder: "elsewhere");
        var second = Cache().GetOrGrade(moved, s => { graded++; return Result(s); }, CancellationToken.None);

        Assert.That(graded, Is.EqualTo(1));
        Assert.That(second.Id, Is.EqualTo("alice-late"));
        Assert.That(second.Path, Is.EqualTo(moved.RelativePath));
        Assert.That(second.Score, Is.EqualTo(first.Score));
        Assert.That(second.Checks.Select(c => c.Id), Is.EqualTo(first.Checks.Select(c => c.Id)));
    }

    [Test]
    public void Any_change_to_the_sources_is_a_miss()
    {
        var cache = Cache();
        var a = cache.Key(Submission("a", "int x;"));
        Assert.That(cache.Key(Submission("b", "int y;")), Is.Not.EqualTo(a));
        Assert.That(cache.Key(Submission("c", "int x; ")), Is.Not.EqualTo(a));
        Assert.That(cache.Key(Submission("d", "int x;", name: "other.c")), Is.Not.EqualTo(a), "a renamed file");
        Assert.That(cache.Key(Submission("e", "int x;")), Is.EqualTo(a), "the same bytes elsewhere");
    }

    [Test]
    public void A_changed_rubric_seed_or_selection_is_a_miss()
    {
        var sub = Submission("a", "int x;");
        var key = Cache().Key(sub);
        Assert.That(Cache(rubricSha: new string('b', 64)).Key(sub), Is.Not.EqualTo(key));
        Assert.That(Cache(seed: 8).Key(sub), Is.Not.EqualTo(key));
        Assert.That(Cache(checks: ["build"]).Key(sub), Is.Not.EqualTo(key));

        var graded = 0;
        Cache().GetOrGrade(sub, s => { graded++; return Result(s); }, CancellationToken.None);
        Cache(rubricSha: new string('b', 64)).GetOrGrade(sub, s => { graded++; return Result(s); }, CancellationToken.None);
        Assert.That(graded, Is.EqualTo(2));
    }

    [Test]
    public void Grader_faults_and_harness_errors_are_never_stored()
    {
        var sub = Submission("a", "int x;");
        var graded = 0;
        SubmissionResult Faulty(Submission s)
        {
            graded++;
            return Result(s) with { GraderFault = true };
        }

        Cache().GetOrGrade(sub, Faulty, CancellationToken.None);
        Cache().GetOrGrade(sub, s => { graded++; return Result(s) with { Outcome = Outcomes.HarnessError }; }, CancellationToken.None);
        Cache().GetOrGrade(sub, s =>
        {
            graded++;
            return Result(s) with { Checks = [new CheckResult { Id = "load", Title = "t", Status = CheckStatuses.Error, Fault = Faults.Grader }] };
        }, CancellationToken.None);
        Cache().GetOrGrade(sub, s => { graded++; return Result(s); }, CancellationToken.None);

        Assert.That(graded, Is.EqualTo(4));
        Assert.That(ResultFiles(), Has.Length.EqualTo(1));
    }

    [Test]
    public void A_cancelled_run_stores_nothing()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Cache().GetOrGrade(Submission("a", "int x;"), Result, cts.Token);
        Assert.That(ResultFiles(), Is.Empty);
    }

    [TestCase("")]
    [TestCase("{\"id\": \"x\", \"outco")]
    [TestCase("null")]
    [TestCase("[1, 2]")]
    [TestCase("{\"language\": \"c\"}")]
    public void A_corrupted_cache_file_is_a_miss_and_is_replaced(string content)
    {
        var sub = Submission("a", "int x;");
        Cache().GetOrGrade(sub, Result, CancellationToken.None);
        var file = ResultFiles().Single();
        File.WriteAllText(file, content);

        var graded = 0;
        var again = Cache().GetOrGrade(sub, s => { graded++; return Result(s); }, CancellationToken.None);

        Assert.That(graded, Is.EqualTo(1));
        Assert.That(again.Id, Is.EqualTo("a"));
        Assert.That(Cache().TryGet(Cache().Key(sub)!, sub), Is.Not.Null, "the rewritten entry is readable");
    }

    [Test]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Entries_are_private_to_the_grading_user()
    {
        Cache().GetOrGrade(Submission("a", "int x;"), Result, CancellationToken.None);
        var dir = Path.Combine(_root, "cache", ResultCache.FolderName);
        Assert.That(File.GetUnixFileMode(dir) & (UnixFileMode.OtherRead | UnixFileMode.GroupRead), Is.EqualTo((UnixFileMode)0));
        Assert.That(Directory.GetFiles(dir, "*.tmp-*", SearchOption.AllDirectories), Is.Empty);
    }

    // Issue 16: a crash, an oops or a CPU-budget timeout is the driver's own doing, as deterministic as any
    // verdict; only a wall-clock timeout may come from the machine's load that day.
    [TestCase("The driver crashed during ioctl(0x80047101, 0x0): the driver's host process killed by SIGSEGV", 1)]
    [TestCase("The driver timed out during ioctl(0x40047101, 0x0): SEED did not return within 15 ms of CPU time", 1)]
    [TestCase("The driver timed out during module_init: timed out after 2000 ms of CPU time", 1)]
    [TestCase("The driver timed out during module_init: timed out after 10000 ms wall-clock", 2)]
    public void Crashes_and_CPU_timeouts_are_reused_but_a_wall_clock_timeout_is_graded_again(string feedback, int expectedGradings)
    {
        var graded = 0;
        var sub = Submission("a", "int x;");
        for (var i = 0; i < 2; i++)
        {
            Cache().GetOrGrade(sub, s =>
            {
                graded++;
                return Result(s) with { Checks = [new CheckResult { Id = "load", Title = "t", Status = CheckStatuses.Error, Fault = Faults.Submission, Feedback = feedback }] };
            }, CancellationToken.None);
        }

        Assert.That(graded, Is.EqualTo(expectedGradings));
    }

    [Test]
    public void A_drawn_seed_stays_out_of_the_key_so_reruns_hit()
    {
        Cache(seed: null).GetOrGrade(Submission("a", "int x;"), Result, CancellationToken.None);
        var again = Cache(seed: null);
        again.GetOrGrade(Submission("a", "int x;"), _ => throw new AssertionException("should have hit"), CancellationToken.None);
        Assert.That(again.Hits, Is.EqualTo(1));
    }

    private ResultCache Cache(string? rubricSha = null, int? seed = 7, string[]? checks = null) =>
        new(Path.Combine(_root, "cache"), Rubric(rubricSha ?? new string('a', 64)), checks ?? ["build", "load"], seed);

    private static Rubric Rubric(string sha) => new()
    {
        Name = "test",
        Title = "test",
        Sha256 = sha,
        Source = "test",
        Checks = [new RubricCheck { Id = "build", Title = "b" }, new RubricCheck { Id = "load", Title = "l" }],
    };

    private Submission Submission(string id, string text, string folder = "subs", string name = "my-rng.c")
    {
        var dir = Path.Combine(_root, folder, id);
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, name);
        File.WriteAllText(file, text);
        return new Submission { Id = id, Language = Language.C, RelativePath = id, Files = [file] };
    }

    private static SubmissionResult Result(Submission s) => new()
    {
        Id = s.Id,
        Language = "c",
        Path = s.RelativePath,
        Outcome = Outcomes.Graded,
        Score = 42,
        MaxScore = 100,
        Checks =
        [
            new CheckResult { Id = "build", Title = "b", Status = CheckStatuses.Passed, Points = 5, MaxPoints = 5 },
            new CheckResult { Id = "load", Title = "l", Status = CheckStatuses.Failed, Fault = Faults.Submission, MaxPoints = 10 },
        ],
        Sources = [new SourceFile("my-rng.c", "int x;")],
    };

    private string[] ResultFiles() =>
        Directory.Exists(Path.Combine(_root, "cache", ResultCache.FolderName))
            ? Directory.GetFiles(Path.Combine(_root, "cache", ResultCache.FolderName), "*.json", SearchOption.AllDirectories)
            : [];
}
