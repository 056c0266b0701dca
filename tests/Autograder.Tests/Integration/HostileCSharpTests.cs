using Autograder.Model;
using Autograder.Pipeline;
using Autograder.Submissions;
using static Autograder.Tests.Integration.HostileTestSupport;

namespace Autograder.Tests.Integration;

/// <summary>
/// Issue 14, C# classes 4 to 6, end to end: the hostile examples graded with one job, each followed by the
/// correct reference driver, first as in production (the allowlist on), then with the allowlist off (the
/// test-only switch) so the attacks on the next submission really run and only the process boundary (a fresh
/// worker per submission) stands in their way. Each attack scores at most what its honest behaviour earns,
/// nothing is a grader fault, the reference graded next keeps 100/100, the batch ends, and the grader's memory
/// stays bounded (the compiler runs in the compile service).
/// </summary>
[NonParallelizable]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class HostileCSharpTests
{
    private static readonly string[] Attacks = ["explicit-layout", "intern-carry", "nested-lambdas", "nested-generics", "huge-assembly"];

    private string _dir = "";
    private GradingRun _run = null!;
    private GradingRun _unchecked = null!;

    [OneTimeSetUp]
    public async Task GradeEachAttackFollowedByTheReference()
    {
        _dir = NewTempDir("hostile-cs");
        var input = Path.Combine(_dir, "in");
        var order = 0;
        foreach (var attack in Attacks)
        {
            // Names sort in this order: with one job the reference is graded right after the attack.
            CopyTree(Path.Combine(Examples, "hostile", "csharp", attack), Path.Combine(input, $"{order++:00}-{attack}"));
            CopyTree(Path.Combine(Examples, "csharp", "reference"), Path.Combine(input, $"{order++:00}-reference"));
        }

        _run = await Grade(input, allowlistOff: false);

        // The allowlist off: the two cross-submission attacks run, and a second intern-carry looks for the
        // first one's mark.
        var open = Path.Combine(_dir, "open");
        CopyTree(Path.Combine(Examples, "hostile", "csharp", "explicit-layout"), Path.Combine(open, "0-explicit-layout"));
        CopyTree(Path.Combine(Examples, "csharp", "reference"), Path.Combine(open, "1-reference"));
        CopyTree(Path.Combine(Examples, "hostile", "csharp", "intern-carry"), Path.Combine(open, "2-intern-carry"));
        CopyTree(Path.Combine(Examples, "hostile", "csharp", "intern-carry"), Path.Combine(open, "3-intern-carry"));
        CopyTree(Path.Combine(Examples, "csharp", "reference"), Path.Combine(open, "4-reference"));
        _unchecked = await Grade(open, allowlistOff: true);
    }

    private async Task<GradingRun> Grade(string input, bool allowlistOff)
    {
        var run = await Grader.RunAsync(SubmissionFinder.Find(input), new GradeOptions
        {
            RubricPath = FastRubric(_dir),
            Jobs = 1,
            RandomSeed = 11,
            UseCache = false,
            AllowlistOff = allowlistOff,
        }, new CollectingObserver(), CancellationToken.None);
        TestContext.Progress.WriteLine(string.Join("\n", run.Submissions.Select(Describe)));
        return run;
    }

    [OneTimeTearDown]
    public void Cleanup() => DeleteTree(_dir);

    [Test]
    public void The_batches_end_with_every_submission_and_no_grader_fault()
    {
        Assert.That(_run.Complete, Is.True);
        Assert.That(_run.Submissions, Has.Count.EqualTo(2 * Attacks.Length));
        Assert.That(_unchecked.Submissions, Has.Count.EqualTo(5));
        foreach (var result in _run.Submissions.Concat(_unchecked.Submissions))
        {
            Assert.That(result.GraderFault, Is.False, Describe(result));
            Assert.That(result.Checks.Where(c => c.Fault == Faults.Grader), Is.Empty, Describe(result));
        }
    }

    [Test]
    public void The_reference_graded_after_each_attack_keeps_full_marks()
    {
        foreach (var reference in _run.Submissions.Concat(_unchecked.Submissions).Where(s => s.Id.EndsWith("reference", StringComparison.Ordinal)))
        {
            Assert.That(reference.Score, Is.EqualTo(100m), Describe(reference));
            Assert.That(reference.Checks.All(c => c.Status == CheckStatuses.Passed), Describe(reference));
        }
    }

    [TestCase("00-explicit-layout", "[StructLayout] is not allowed in a driver")]
    [TestCase("00-explicit-layout", "may not declare anything in the System namespace")]
    [TestCase("02-intern-carry", "System.String.Intern is not allowed in a driver")]
    public void The_allowlist_rejects_the_cross_submission_attacks(string id, string message)
    {
        var result = Sub(_run, id);
        Assert.That(result.Outcome, Is.EqualTo(Outcomes.CompileError), Describe(result));
        Assert.That(result.Diagnostics.Where(d => d.Code == "AG0001").Select(d => d.Message), Has.Some.Contain(message), Describe(result));
        Assert.That(result.Score, Is.Zero);
    }

    [TestCase("04-nested-lambdas")]
    [TestCase("06-nested-generics")]
    public void Exhausting_the_compiler_fails_the_build_within_the_limits(string id)
    {
        var result = Sub(_run, id);
        var build = CheckOf(result, SubmissionGrader.BuildId);
        Assert.That(result.Outcome, Is.EqualTo(Outcomes.CompileError), Describe(result));
        Assert.That(build.Fault, Is.EqualTo(Faults.Submission), Describe(result));
        // Nested lambdas never finish; nested generics either run out of time or end with huge messages, capped.
        if (id.Contains("lambdas", StringComparison.Ordinal) || build.Feedback!.Contains("took over", StringComparison.Ordinal))
        {
            Assert.That(build.Feedback, Does.StartWith("Compiling took over 10 s"), Describe(result));
        }

        Assert.That(result.Diagnostics, Has.Count.LessThanOrEqualTo(50));
        Assert.That(result.Diagnostics.Select(d => System.Text.Encoding.UTF8.GetByteCount(d.Message)), Is.All.LessThanOrEqualTo(4096));
        Assert.That(result.DurationMs, Is.LessThan(60_000), "the compile service is stopped at its limit");
    }

    [Test]
    public void An_assembly_over_the_frame_limit_is_the_submissions_build_failure()
    {
        var result = Sub(_run, "08-huge-assembly");
        var build = CheckOf(result, SubmissionGrader.BuildId);
        Assert.That(result.Outcome, Is.EqualTo(Outcomes.CompileError), Describe(result));
        Assert.That(build.Fault, Is.EqualTo(Faults.Submission));
        Assert.That(build.Feedback, Does.Match(@"^The compiled driver is \d+ bytes; the limit is 1 MiB\."), Describe(result));
        Assert.That(result.Checks.Where(c => c.Id != SubmissionGrader.BuildId).Select(c => c.Status), Is.All.EqualTo(CheckStatuses.Skipped));
    }

    [Test]
    public void With_the_allowlist_off_the_attacks_run_but_stay_in_their_own_process()
    {
        // The layout attack compiles and runs: it rewrote "my_rng_driver" in its own process, so its own later
        // instances registered another name; the reference after it did not see that.
        var layout = Sub(_unchecked, "0-explicit-layout");
        Assert.That(layout.Outcome, Is.EqualTo(Outcomes.Graded), Describe(layout));
        Assert.That(layout.Score, Is.LessThanOrEqualTo(100m));

        // A second copy finds no mark of the first: both score the same, check by check.
        var first = Sub(_unchecked, "2-intern-carry");
        var second = Sub(_unchecked, "3-intern-carry");
        Assert.That(first.Outcome, Is.EqualTo(Outcomes.Graded), Describe(first));
        Assert.That(second.Checks.Select(c => (c.Id, c.Status, c.Points)), Is.EqualTo(first.Checks.Select(c => (c.Id, c.Status, c.Points))),
            Describe(first) + "\n" + Describe(second));
    }

    [Test]
    public void The_graders_memory_stays_bounded()
    {
        // Roslyn ran out of process: the nested generics' 14.7 MB messages never reached the grader (8 GB before).
        var status = File.ReadAllText("/proc/self/status");
        var peakKb = long.Parse(status.Split('\n').Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(peakKb, Is.LessThan(2L << 20), "peak RSS of the test process (grader in-process), KiB");
    }
}
