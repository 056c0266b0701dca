using System.Text.Json;
using Autograder.Model;
using Autograder.Tests.Cli;

namespace Autograder.Tests.Integration;

/// <summary>
/// No C# worker serves two submissions (issue 14): a hostile submission graded just before another (one
/// job) must not change the next one's grade, and each gets a fresh worker.
/// </summary>
[NonParallelizable]
public class WorkerReuseTests
{
    private static GradingRun Grade(string root, params string[] examples)
    {
        var input = Path.Combine(root, "in-" + Guid.NewGuid().ToString("N")[..6]);
        var order = 0;
        foreach (var example in examples)
        {
            // Names sort in the given order, so with one job they run one after the other in one worker.
            var target = Directory.CreateDirectory(Path.Combine(input, $"{order++:00}-{Path.GetFileName(example)}")).FullName;
            foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.Examples, example), "*.cs"))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }

        var outDir = Path.Combine(input, "out");
        var run = CliHarness.Run("grade", input, "--out", outDir, "--format", "json", "--jobs", "1", "--no-cache", "--seed", "3");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Out + run.Error);
        return JsonSerializer.Deserialize<GradingRun>(File.ReadAllText(Path.Combine(outDir, "results.json")), ResultsJson.Options)!;
    }

    [Test]
    public void A_hostile_submission_before_a_correct_one_changes_nothing()
    {
        var root = Directory.CreateTempSubdirectory("ag-reuse-").FullName;
        var alone = Grade(root, "csharp/reference").Submissions.Single();
        var started = Autograder.Load.HostLauncher.WorkersStarted;
        var after = Grade(root, "hostile/csharp/static-state", "csharp/reference", "hostile/csharp/throws", "csharp/reference", "hostile/csharp/log-flood", "csharp/reference");

        var references = after.Submissions.Where(s => s.Id.EndsWith("reference", StringComparison.Ordinal)).ToList();
        Assert.That(references, Has.Count.EqualTo(3));
        foreach (var r in references)
        {
            Assert.That(r.Score, Is.EqualTo(100m), r.Id);
            Assert.That(r.Checks.Select(c => (c.Id, c.Status, c.Points, c.Feedback)), Is.EqualTo(alone.Checks.Select(c => (c.Id, c.Status, c.Points, c.Feedback))), r.Id);
            Assert.That(r.Output, Is.Null, $"{r.Id} shows no other submission's output");
        }

        Assert.That(Autograder.Load.HostLauncher.WorkersStarted - started, Is.GreaterThanOrEqualTo(6), "every submission got a fresh worker");

        // The hostile ones keep their own verdicts: state never leaks out of a load context.
        var staticState = after.Submissions.Single(s => s.Id.EndsWith("static-state", StringComparison.Ordinal));
        Assert.That(staticState.Checks.Single(c => c.Id == "load").Status, Is.EqualTo(CheckStatuses.Passed));
    }
}
