using System.IO.Compression;
using System.Text.Json;
using Autograder.Model;
using Autograder.Tests.Cli;

namespace Autograder.Tests.Integration;

/// <summary>Resubmissions and stray copies: one student, one driver, and late work shown in every export.</summary>
public class ResubmissionTests
{
    private static string Reference => File.ReadAllText(Path.Combine(TestPaths.Examples, "c", "reference", "my-rng.c"));

    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("ag-resubmit-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void A_canvas_late_resubmission_is_graded_alone_marked_late_and_penalised_in_every_export()
    {
        var zip = Path.Combine(_root, "class.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            // The first hand-in does not even compile; the resubmission is the reference.
            Add(archive, "jones_4242_111_my-rng.c", "int broken(void) { return }\n", new DateTimeOffset(2027, 1, 10, 12, 0, 0, TimeSpan.Zero));
            Add(archive, "jones_LATE_4242_222_my-rng-1.c", Reference, new DateTimeOffset(2027, 1, 11, 20, 0, 0, TimeSpan.Zero));
        }
        var rubric = Path.Combine(_root, "rubric.yaml");
        File.WriteAllText(rubric, File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "rubrics", "virt-101.yaml"))
            .Replace("rubric: virt-101\n", "rubric: virt-101\ndue: 2027-01-10T23:59:00Z\nlate-policy: { penalty-per-day: 10%, cutoff: 2027-01-15T23:59 }\n", StringComparison.Ordinal));
        var outDir = Path.Combine(_root, "out");

        var run = CliHarness.Run("grade", zip, "--rubric", rubric, "--out", outDir, "--no-cache");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Out + run.Error);
        var jones = JsonSerializer.Deserialize<GradingRun>(File.ReadAllText(Path.Combine(outDir, "results.json")), ResultsJson.Options)!.Submissions.Single();
        Assert.That(jones.Outcome, Is.EqualTo(Outcomes.Graded), jones.Message);
        Assert.That(jones.Sources.Select(s => s.Path), Is.EqualTo(new[] { "my-rng-1.c" }));
        Assert.That(jones.Late!.DaysLate, Is.EqualTo(1));
        Assert.That(jones.Score, Is.EqualTo(jones.MaxScore - 10));
        Assert.That(jones.Late.Note, Is.EqualTo("handed in 1 day late: -10 points (10% a day)"));
        Assert.That(File.ReadAllText(Path.Combine(outDir, "grades.csv")), Does.Contain(",LATE,2027-01-11T20:00:00Z,10"));
        Assert.That(File.ReadAllText(Path.Combine(outDir, "submissions", "jones.html")), Does.Contain("handed in 1 day late: -10 points"));
        Assert.That(File.ReadAllText(Path.Combine(outDir, "index.html")), Does.Contain(">LATE</span>"));
        Assert.That(File.ReadAllText(Path.Combine(outDir, "gradescope", "jones", "results.json")), Does.Contain("Late: handed in 1 day late"));
        Assert.That(File.ReadAllText(Path.Combine(outDir, "junit.xml")), Does.Contain("name=\"late\""));
    }

    [Test]
    public void Two_files_that_both_define_the_driver_are_named_without_internal_names()
    {
        var bob = Directory.CreateDirectory(Path.Combine(_root, "in", "bob")).FullName;
        File.WriteAllText(Path.Combine(bob, "my-rng.c"), Reference);
        File.WriteAllText(Path.Combine(bob, "my-rng-old.c"), Reference);
        var outDir = Path.Combine(_root, "out");

        var run = CliHarness.Run("grade", Path.Combine(_root, "in"), "--out", outDir, "--format", "json", "--no-cache");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Out + run.Error);
        var json = File.ReadAllText(Path.Combine(outDir, "results.json"));
        var result = JsonSerializer.Deserialize<GradingRun>(json, ResultsJson.Options)!.Submissions.Single();
        Assert.That(result.Outcome, Is.EqualTo(Outcomes.CompileError));
        Assert.That(result.Diagnostics.Select(d => d.Message), Does.Contain("my-rng-old.c and my-rng.c both define module_init: hand in one driver file"));
        Assert.That(json, Does.Not.Contain("__ag_").And.Not.Contain("/tmp/autograder-"));
    }

    private static void Add(ZipArchive archive, string name, string text, DateTimeOffset at)
    {
        var entry = archive.CreateEntry(name);
        entry.LastWriteTime = at;
        using var writer = new StreamWriter(entry.Open());
        writer.Write(text);
    }
}
