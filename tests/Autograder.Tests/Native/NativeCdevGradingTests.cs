using System.Text.Json;
using Autograder.Model;
using Autograder.Tests.Cli;

namespace Autograder.Tests.Native;

// The cdev and misc examples graded end to end through the CLI: real gcc, real hosts, the default rubric.
[TestFixture]
[NonParallelizable]
public sealed class NativeCdevGradingTests
{
    private static readonly string[] Examples = ["cdev-class", "cdev-missing-region-unregister", "misc"];

    private Dictionary<string, SubmissionResult> _results = [];

    [OneTimeSetUp]
    public void GradeTheExamples()
    {
        NativeTestSupport.RequireGcc();
        var root = Directory.CreateTempSubdirectory("ag-cdev-");
        try
        {
            foreach (var name in Examples)
            {
                var dir = Directory.CreateDirectory(Path.Combine(root.FullName, "in", name)).FullName;
                File.Copy(Path.Combine(TestPaths.Examples, "c", name, "my-rng.c"), Path.Combine(dir, "my-rng.c"));
            }

            var outDir = Path.Combine(root.FullName, "out");
            // --traces all: a passed check's trace is looked at below (by default it keeps a summary line).
            var run = CliHarness.Run("grade", Path.Combine(root.FullName, "in"), "--out", outDir, "--format", "json", "--traces", "all");
            Assert.That(run.ExitCode, Is.EqualTo(0), run.Out + run.Error);
            var results = JsonSerializer.Deserialize<GradingRun>(File.ReadAllText(Path.Combine(outDir, "results.json")), ResultsJson.Options)!;
            _results = results.Submissions.ToDictionary(s => s.Id);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Test]
    public void A_correct_cdev_and_class_driver_gets_full_marks()
    {
        var result = _results["cdev-class"];
        Assert.That(result.GraderFault, Is.False);
        Assert.That(result.Checks.Where(c => c.Status != CheckStatuses.Passed).Select(c => $"{c.Id}: {c.Feedback}"), Is.Empty);
        Assert.That((result.Score, result.MaxScore), Is.EqualTo((100m, 100m)));
    }

    [Test]
    public void The_load_trace_shows_the_region_the_cdev_and_the_device_node()
    {
        var load = _results["cdev-class"].Checks.Single(c => c.Id == "load");
        var events = load.Trace.Where(e => e.Kind is "chrdev" or "note").Select(e => (e.Kind, e.Op, e.Major, e.Text)).ToList();
        Assert.That(events, Is.EqualTo(new (string, string?, uint?, string?)[]
        {
            ("chrdev", "register", 250u, "my_rng_driver"),
            ("chrdev", "cdev_add", 250u, "my_rng_driver"),
            ("note", null, null, "device_create: /dev/my_rng_driver for 250:0"),
        }));
    }

    [Test]
    public void Forgetting_unregister_chrdev_region_fails_only_unload()
    {
        var result = _results["cdev-missing-region-unregister"];
        var failed = result.Checks.Where(c => c.Status != CheckStatuses.Passed).ToList();
        Assert.That(failed.Select(c => (c.Id, c.Status)), Is.EqualTo(new[] { ("unload", CheckStatuses.Failed) }));
        Assert.That(failed[0].Feedback, Does.Contain("major 250 \"my_rng_driver\""));
        Assert.That(failed[0].Fault, Is.EqualTo(Faults.Submission));
        Assert.That(result.Score, Is.LessThan(100m));
    }

    [Test]
    public void A_misc_device_works_but_is_not_at_major_250()
    {
        var result = _results["misc"];
        Assert.That(result.GraderFault, Is.False);
        var failed = result.Checks.Where(c => c.Status != CheckStatuses.Passed).ToList();
        Assert.That(failed.Select(c => (c.Id, c.Status)), Is.EqualTo(new[] { ("load", CheckStatuses.Failed) }));
        Assert.That(failed[0].Feedback, Does.Contain("major 10 \"my_rng_driver\""));
    }
}
