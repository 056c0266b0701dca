using System.Text.Json;
using Autograder.Compile;
using Autograder.Model;
using Autograder.Tests.Cli;

namespace Autograder.Tests.Check;

/// <summary>The advisory kbuild check: off by default, 0 points, real kernel headers and sparse when on.</summary>
public class KbuildCheckTests
{
    private static CheckResult Kbuild(string example)
    {
        var dir = Directory.CreateTempSubdirectory("ag-kbuild-").FullName;
        var rubric = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "rubrics", "virt-101.yaml"));
        Assert.That(rubric, Does.Contain("    points: 0\n    enabled: false"));
        File.WriteAllText(Path.Combine(dir, "r.yaml"), rubric.Replace("    points: 0\n    enabled: false", "    points: 0\n    enabled: true", StringComparison.Ordinal));
        var outDir = Path.Combine(dir, "out");
        var run = CliHarness.Run("grade", Path.Combine(TestPaths.Examples, example), "--rubric", Path.Combine(dir, "r.yaml"), "--only", "build,kbuild", "--out", outDir, "--format", "json", "--no-cache");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Out + run.Error);
        var results = JsonSerializer.Deserialize<GradingRun>(File.ReadAllText(Path.Combine(outDir, "results.json")), ResultsJson.Options)!;
        return results.Submissions.Single().Checks.Single(c => c.Id == "kbuild");
    }

    [Test]
    public void Without_kernel_headers_it_is_skipped_with_the_install_command()
    {
        if (CKbuild.FindHeaders() is not null)
        {
            Assert.Ignore("Debian's kernel headers are installed here; the skip path cannot be seen");
        }

        var kbuild = Kbuild("c/reference");
        Assert.That((kbuild.Status, kbuild.MaxPoints), Is.EqualTo((CheckStatuses.Skipped, 0m)));
        Assert.That(kbuild.Feedback, Does.Contain("apt-get install linux-headers-amd64"));
    }

    [Test]
    public void The_reference_builds_for_real_and_sparse_warnings_are_advice()
    {
        if (CKbuild.FindHeaders() is null)
        {
            Assert.Ignore("Debian's kernel headers are not installed (apt-get install linux-headers-amd64 sparse)");
        }

        var kbuild = Kbuild("c/reference");
        Assert.That(kbuild.Status, Is.EqualTo(CheckStatuses.Passed), kbuild.Feedback);
        Assert.That(kbuild.MaxPoints, Is.EqualTo(0m));
    }

    [Test]
    public void A_driver_that_does_not_build_for_real_fails_it()
    {
        if (CKbuild.FindHeaders() is null)
        {
            Assert.Ignore("Debian's kernel headers are not installed (apt-get install linux-headers-amd64 sparse)");
        }

        var kbuild = Kbuild("c/compile-error");
        Assert.That(kbuild.Status, Is.Not.EqualTo(CheckStatuses.Passed));
    }
}
