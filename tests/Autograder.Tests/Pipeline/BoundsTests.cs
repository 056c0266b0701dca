using System.Text.Json;
using Autograder.Model;
using Autograder.Pipeline;
using Autograder.Report;
using Autograder.Tests.Report;

namespace Autograder.Tests.Pipeline;

/// <summary>
/// Issue 14, class 6: everything a submission can make us store is capped where the result is built
/// (<see cref="Bounds"/>), so one submission adds a bounded amount to results.json and none of its pages
/// (instructor, student) exceeds 2 MiB, whatever the exporter.
/// </summary>
public class BoundsTests
{
    private const long TwoMiB = 2L << 20;

    [Test]
    public void A_c_driver_with_many_errors_keeps_fifty_diagnostics_and_counts_the_rest()
    {
        var dir = Directory.CreateTempSubdirectory("ag-many-errors-").FullName;
        try
        {
            var body = string.Concat(Enumerable.Range(0, 80).Select(i => $"    int v{i} = undefined{i};\n"));
            File.WriteAllText(Path.Combine(dir, "my-rng.c"), "void f(void)\n{\n" + body + "}\n");
            var outDir = Path.Combine(dir, "out");

            var run = Autograder.Tests.Cli.CliHarness.Run("grade", Path.Combine(dir, "my-rng.c"), "--out", outDir, "--format", "json", "--no-cache");

            Assert.That(run.ExitCode, Is.EqualTo(0), run.Out + run.Error);
            var result = JsonSerializer.Deserialize<GradingRun>(File.ReadAllText(Path.Combine(outDir, "results.json")), ResultsJson.Options)!.Submissions.Single();
            Assert.That(result.Diagnostics, Has.Count.EqualTo(Bounds.MaxDiagnostics));
            Assert.That(result.Diagnostics[^1].Message, Does.StartWith("and ").And.Contain("more diagnostic"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void A_submission_that_floods_every_stored_text_ends_within_the_bounds()
    {
        var flood = Flood();

        var bounded = Bounds.Apply(flood);

        var json = JsonSerializer.SerializeToUtf8Bytes(bounded, ResultsJson.Options);
        TestContext.Out.WriteLine($"results.json: {json.LongLength} bytes");
        Assert.That(json.LongLength, Is.LessThan(TwoMiB), "results.json bytes added by one submission");
        Assert.That(bounded.Sources.Sum(s => s.Text.Length), Is.LessThan(Bounds.MaxSourceChars + (Bounds.MaxSourceFiles * 80)));
        Assert.That(bounded.Sources.All(s => s.Truncated), Is.True);
        Assert.That(bounded.Diagnostics, Has.Count.LessThanOrEqualTo(Bounds.MaxDiagnostics));
        Assert.That(bounded.Diagnostics.Select(d => d.Message.Length), Is.All.LessThanOrEqualTo(Bounds.MaxDiagnosticChars));
        Assert.That(bounded.Diagnostics[^1].Message, Does.StartWith("and ").And.Contain("more diagnostics"));
        Assert.That(bounded.Checks.Select(c => c.Feedback.Length), Is.All.LessThanOrEqualTo(Bounds.MaxFeedbackChars));
        Assert.That(bounded.Checks.Sum(c => c.Trace.Count), Is.LessThanOrEqualTo(Bounds.MaxTraceEvents));
        Assert.That(bounded.Checks.Sum(c => c.Trace.Sum(e => e.Text?.Length ?? 0)), Is.LessThan(Bounds.MaxTraceChars + (13 * 300)));
        Assert.That(bounded.Output!.Length, Is.LessThanOrEqualTo(Bounds.MaxOutputChars + 64));
        Assert.That(bounded.Message!.Length, Is.LessThanOrEqualTo(Bounds.MaxMessageChars));

        var dir = ReportFixture.TempDir();
        try
        {
            var run = new GradingRun { GraderVersion = "test", Rubric = "virt-101", RubricSha256 = "0", MaxScore = 100, Submissions = [bounded] };
            Reports.Write(run, dir, new ReportOptions { Now = ReportFixture.BeforeDue });
            var pages = Directory.GetFiles(dir, "*.html", SearchOption.AllDirectories);
            Assert.That(pages, Has.Length.EqualTo(3));
            foreach (var file in Directory.GetFiles(dir, "*", SearchOption.AllDirectories))
            {
                TestContext.Out.WriteLine($"{Path.GetRelativePath(dir, file)}: {new FileInfo(file).Length} bytes");
                Assert.That(new FileInfo(file).Length, Is.LessThan(TwoMiB), file);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Real_results_are_kept_whole()
    {
        foreach (var result in ReportFixture.Run().Submissions)
        {
            var bounded = Bounds.Apply(result);
            Assert.That(JsonSerializer.Serialize(bounded, ResultsJson.Options), Is.EqualTo(JsonSerializer.Serialize(result, ResultsJson.Options)), result.Id);
        }
    }

    [Test]
    public void Cut_says_how_much_it_left_out_and_never_splits_a_surrogate_pair()
    {
        var text = new string('x', 99) + "😀" + new string('y', 5000);

        var cut = Bounds.Cut(text, 148);

        Assert.That(cut.Length, Is.LessThanOrEqualTo(148));
        Assert.That(cut, Does.EndWith($"… ({text.Length - 99 - 1 + 1} more characters not kept)").Or.EndWith($"… ({text.Length - 100} more characters not kept)"));
        Assert.That(char.IsHighSurrogate(cut[cut.IndexOf('…') - 1]), Is.False);
        Assert.That(Bounds.Cut("short", 148), Is.EqualTo("short"));
    }

    /// <summary>Every stored text at its worst for HTML: characters the encoder turns into six, one per line.</summary>
    private static SubmissionResult Flood()
    {
        var mib = string.Concat(Enumerable.Repeat("\"'<>&+\n", 150_000));
        var trace = Enumerable.Range(0, 600).Select(i => new TraceEvent { Kind = i % 2 == 0 ? "dmesg" : "note", Level = 4, Text = mib }).ToList();
        return new SubmissionResult
        {
            Id = "flood",
            Language = "c",
            Outcome = Outcomes.Graded,
            Score = 0,
            MaxScore = 100,
            Message = mib,
            Sources = [.. Enumerable.Range(0, Bounds.MaxSourceFiles).Select(i => new SourceFile($"f{i}.c", mib))],
            Diagnostics = [.. Enumerable.Range(0, 500).Select(i => new Diagnostic("error", "f0.c", (i % 1000) + 1, 1, mib[..100_000]))],
            Output = mib + mib,
            Checks = [.. Enumerable.Range(0, 13).Select(i => new CheckResult
            {
                Id = $"check-{i}",
                Title = "A check",
                Status = CheckStatuses.Error,
                Fault = Faults.Submission,
                MaxPoints = 5,
                Feedback = mib,
                Cases = [.. Enumerable.Range(0, 10).Select(k => new CaseResult($"case {k}", false, mib))],
                CasesTotal = 10,
                Trace = trace,
            })],
        };
    }
}
