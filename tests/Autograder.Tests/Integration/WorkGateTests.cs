using System.Text.Json;
using Autograder.Model;
using Autograder.Tests.Cli;

namespace Autograder.Tests.Integration;

/// <summary>
/// The rubric's work gate (requires-work): the handout's skeleton earns only build under the default rubric,
/// a wrong attempt (another magic letter) still earns the gated checks, and an instructor who removes the
/// key gets the checks counted on their own again.
/// </summary>
[TestFixture]
[NonParallelizable]
public class WorkGateTests
{
    private static readonly string[] Gated = ["load", "dmesg", "enotty", "unload", "error-paths"];

    [Test]
    public void A_wrong_magic_letter_is_work_and_earns_the_gated_checks()
    {
        var reference = File.ReadAllText(Path.Combine(TestPaths.Examples, "c", "reference", "my-rng.c"));
        var root = Directory.CreateTempSubdirectory("ag-gate-");
        var driver = Path.Combine(root.FullName, "wrong-letter", "my-rng.c");
        Directory.CreateDirectory(Path.GetDirectoryName(driver)!);
        File.WriteAllText(driver, reference.Replace("_IOR('q', 1,", "_IOR('k', 1,", StringComparison.Ordinal)
            .Replace("_IOW('q', 1,", "_IOW('k', 1,", StringComparison.Ordinal));
        var result = Grade(root.FullName, null).Single();
        var checks = result.Checks.ToDictionary(c => c.Id);
        Assert.That(Gated.Where(id => id != "dmesg").Select(id => checks[id].Status), Is.All.EqualTo(CheckStatuses.Passed),
            string.Join("\n", result.Checks.Select(c => $"{c.Id}: {c.Feedback}")));
        Assert.That(checks["dmesg"].Feedback, Does.Not.Contain("Counts once"), "dmesg fails on its own merits (other numbers)");
    }

    [Test]
    public void Without_the_key_the_skeleton_earns_what_the_checks_find_on_their_own()
    {
        var rubric = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "rubrics", "virt-101.yaml"));
        Assume.That(rubric, Does.Contain("    requires-work: true\n"));
        var root = Directory.CreateTempSubdirectory("ag-gate-off-");
        var rubricPath = Path.Combine(root.FullName, "no-gate.yaml");
        File.WriteAllText(rubricPath, rubric.Replace("    requires-work: true\n", "", StringComparison.Ordinal));
        var submissions = Path.Combine(root.FullName, "in");
        Directory.CreateDirectory(Path.Combine(submissions, "skeleton"));
        File.Copy(Path.Combine(TestPaths.Examples, "c", "skeleton", "my-rng.c"), Path.Combine(submissions, "skeleton", "my-rng.c"));

        var gated = Grade(submissions, null).Single();
        var open = Grade(submissions, rubricPath).Single();
        Assert.Multiple(() =>
        {
            Assert.That(gated.Score, Is.EqualTo(5m), "the default rubric: build only");
            Assert.That(gated.Checks.Where(c => Gated.Contains(c.Id)).Select(c => (c.Status, c.Points)), Is.All.EqualTo((CheckStatuses.Failed, 0m)));
            Assert.That(open.Score, Is.EqualTo(34m), "build, load, dmesg, enotty, unload and half of error-paths");
        });
    }

    private static IReadOnlyList<SubmissionResult> Grade(string path, string? rubric)
    {
        var output = Directory.CreateTempSubdirectory("ag-gate-out-").FullName;
        string[] args = ["grade", path, "--out", output, "--format", "json", "--no-cache", "--seed", "7"];
        var run = CliHarness.Run(rubric is null ? args : [.. args, "--rubric", rubric]);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        return JsonSerializer.Deserialize<GradingRun>(File.ReadAllText(Path.Combine(output, "results.json")), ResultsJson.Options)!.Submissions;
    }
}
