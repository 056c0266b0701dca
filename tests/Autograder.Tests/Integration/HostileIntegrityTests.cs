using System.IO.Compression;
using Autograder.Model;
using Autograder.Pipeline;
using static Autograder.Tests.Integration.HostileTestSupport;

namespace Autograder.Tests.Integration;

/// <summary>
/// Issue 14, classes 3, 5, 6 and 7 end to end: forged grader faults, symlinked sources, floods of stored
/// text and too many files, graded in one batch through the CLI (a child process, one job), each attack
/// right before a reference, with the shared <see cref="HostileAssertions"/>.
/// </summary>
[Parallelizable(ParallelScope.Self)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class HostileIntegrityTests
{
    private HostileBatch _batch = null!;
    private string _forged = "";
    private string _doNothing = "";
    private string _linkedSource = "";
    private string _linkedHeader = "";
    private string _linkedFolder = "";
    private string _flood = "";
    private string _tooMany = "";

    [OneTimeSetUp]
    public void GradeTheBatch()
    {
        _batch = new HostileBatch("integrity");
        var hostileC = Path.Combine(Examples, "hostile", "c");
        var reference = Path.Combine(Examples, "c", "reference", "my-rng.c");
        // Class 5: forged Result frames. Their honest twins: the same driver without the forgery.
        _forged = _batch.Add("forged-result-frame", "c", Path.Combine(hostileC, "forged-result-frame"), honestFrom: Path.Combine(Examples, "c", "ignores-copy-result"));
        _doNothing = _batch.Add("forged-do-nothing", "c", Path.Combine(hostileC, "forged-do-nothing"), writeHonest: dir => File.WriteAllText(Path.Combine(dir, "my-rng.c"), """
            #include <linux/init.h>
            #include <linux/module.h>
            static int __init my_rng_driver_init(void) { return 0; }
            static void __exit my_rng_driver_exit(void) { }
            module_init(my_rng_driver_init);
            module_exit(my_rng_driver_exit);
            """));
        // Class 3: links to the root-only canary, as a source, as a header next to it, as a folder.
        var canary = _batch.Canary;
        _linkedSource = _batch.Add("linked-source", "c", write: dir => File.CreateSymbolicLink(Path.Combine(dir, "my-rng.c"), canary.File), reference: false);
        _linkedHeader = _batch.Add("linked-header", "c", write: dir =>
        {
            File.WriteAllText(Path.Combine(dir, "my-rng.c"), "#include \"my-rng.h\"\n" + File.ReadAllText(reference));
            File.CreateSymbolicLink(Path.Combine(dir, "my-rng.h"), canary.File);
        }, reference: false);
        _linkedFolder = _batch.Add("linked-folder", "c", write: dir =>
        {
            File.Copy(reference, Path.Combine(dir, "my-rng.c"));
            Directory.CreateSymbolicLink(Path.Combine(dir, "include"), canary.Dir);
        }, reference: false);
        // Class 6: every stored text flooded (diagnostics, a huge source, dmesg); and too many files.
        _flood = _batch.Add("report-flood", "c", write: dir => File.WriteAllText(Path.Combine(dir, "my-rng.c"), FloodSource(File.ReadAllText(reference))));
        _tooMany = _batch.Add("too-many-files", "c", write: dir =>
        {
            for (var i = 0; i < 33; i++)
            {
                File.WriteAllText(Path.Combine(dir, $"part{i:D2}.c"), $"int part{i};\n");
            }
        }, reference: false);

        _batch.Grade("--format", "json,html,csv");
    }

    [OneTimeTearDown]
    public void Cleanup() => _batch?.Dispose();

    [Test]
    public void Every_shared_assertion_holds() => _batch.AssertCommon();

    [Test]
    public void A_forged_host_error_is_the_submissions_error_and_costs_what_the_honest_bug_costs()
    {
        var forged = Sub(_batch.Run, _forged);
        var efault = CheckOf(forged, "efault");
        Assert.That((efault.Status, efault.Fault), Is.EqualTo((CheckStatuses.Error, Faults.Submission)), Describe(forged));
        Assert.That(efault.Feedback, Does.Contain("broke its host").And.Contain("HostError"), Describe(forged));
        Assert.That(forged.Score, Is.EqualTo(Sub(_batch.Run, HostileBatch.HonestOf(_forged)).Score), Describe(forged));
    }

    [Test]
    public void A_driver_that_only_forges_earns_the_build_alone()
    {
        var result = Sub(_batch.Run, _doNothing);
        Assert.That(result.Outcome, Is.EqualTo(Outcomes.Graded), Describe(result));
        Assert.That((result.Score, result.MaxScore), Is.EqualTo((5m, 100m)), Describe(result));
        Assert.That(result.Checks.Where(c => c.Id != "build").Select(c => c.Fault), Is.All.EqualTo(Faults.Submission), Describe(result));
    }

    [TestCase("linked-source", "my-rng.c is a symbolic link")]
    [TestCase("linked-header", "my-rng.h is a symbolic link")]
    [TestCase("linked-folder", "include is a symbolic link")]
    public void A_symlink_makes_only_its_submission_invalid(string name, string message)
    {
        var result = _batch.Run.Submissions.Single(s => s.Id.EndsWith("-a-" + name, StringComparison.Ordinal));
        Assert.That(result.Outcome, Is.EqualTo(Outcomes.Invalid), Describe(result));
        Assert.That(result.Message, Does.StartWith(message).And.Contain("links are refused"), Describe(result));
        Assert.That(result.Sources, Is.Empty, "nothing is read through a link");
        Assert.That(result.Score, Is.Zero);
    }

    [Test]
    public void A_flood_of_stored_text_is_capped_where_the_result_is_built()
    {
        var result = Sub(_batch.Run, _flood);
        Assert.That(result.Outcome, Is.EqualTo(Outcomes.Graded), Describe(result));
        Assert.That(result.Diagnostics, Has.Count.LessThanOrEqualTo(Bounds.MaxDiagnostics), Describe(result));
        Assert.That(result.Diagnostics.Select(d => d.Message.Length), Is.All.LessThanOrEqualTo(Bounds.MaxDiagnosticChars));
        // (CCompiler keeps 50 itself; Bounds' "and N more" and 4 KiB per message are BoundsTests'.)
        Assert.That(result.Diagnostics, Has.Count.GreaterThanOrEqualTo(40), Describe(result));
        Assert.That(result.Sources.Single().Truncated, Is.True);
        Assert.That(result.Sources.Single().Text.Length, Is.LessThan(Bounds.MaxSourceChars + 200));
        var trace = result.Checks.Sum(c => c.Trace.Sum(e => e.Text?.Length ?? 0));
        Assert.That(trace, Is.LessThan(Bounds.MaxTraceChars + 4096), Describe(result));
        var page = new FileInfo(Path.Combine(_batch.Out, "submissions", _flood + ".html")).Length;
        Assert.That(page, Is.LessThan(HostileAssertions.MaxPageBytes));
        TestContext.Progress.WriteLine($"report-flood: page {page} bytes");
    }

    [Test]
    public void More_than_32_source_files_is_the_submissions_invalid_outcome()
    {
        var result = Sub(_batch.Run, _tooMany);
        Assert.That(result.Outcome, Is.EqualTo(Outcomes.Invalid), Describe(result));
        Assert.That(result.Message, Does.Contain("33 source files").And.Contain("at most 32"));
    }

    /// <summary>Class 7: a zip holding "bob" as a file and as a folder ended the whole run as a grader bug.</summary>
    [Test]
    public void A_zip_with_a_file_folder_clash_grades_the_rest_of_the_class()
    {
        var dir = NewTempDir("zip-clash");
        try
        {
            var zip = Path.Combine(dir, "class.zip");
            var reference = File.ReadAllText(Path.Combine(Examples, "c", "reference", "my-rng.c"));
            using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
            {
                foreach (var (name, text) in new[] { ("alice/my-rng.c", reference), ("bob", "x"), ("bob/my-rng.c", reference) })
                {
                    using var writer = new StreamWriter(archive.CreateEntry(name).Open());
                    writer.Write(text);
                }
            }

            var cli = CliProcess.Run(TimeSpan.FromMinutes(5), "grade", zip, "--rubric", FastRubric(dir), "--out", Path.Combine(dir, "out"), "--format", "json", "--no-cache", "--jobs", "1");

            Assert.That((cli.Ended, cli.ExitCode), Is.EqualTo((true, 0)), cli.Out + cli.Error);
            Assert.That(cli.Out + cli.Error, Does.Not.Contain("internal error"));
            var run = Autograder.Report.Reports.ReadResults(Path.Combine(dir, "out", "results.json"));
            HostileAssertions.NoGraderFault(run);
            HostileAssertions.KeepsFullMarks(run, "alice");
            var bob = Sub(run, "bob");
            Assert.That(bob.Outcome, Is.EqualTo(Outcomes.Invalid), Describe(bob));
            Assert.That(bob.Message, Does.Contain("'bob/my-rng.c' could not be extracted").And.Contain("a file and a folder share its name"));
        }
        finally
        {
            DeleteTree(dir);
        }
    }

    /// <summary>The reference driver after 80 functions that each warn (a pointer cast to int) and hold
    /// 2,800 characters the HTML encoder turns into four to six (~230 KB of source), with init printk'ing
    /// 3,000 lines of 800 characters.</summary>
    private static string FloodSource(string reference)
    {
        var ugly = string.Concat(Enumerable.Repeat("<>&+", 700));
        var warnings = string.Concat(Enumerable.Range(0, 80).Select(i => $"static __attribute__((unused)) int flood{i}(void) {{ return (int)\"{i} {ugly}\"; }}\n"));
        var printk = string.Concat(Enumerable.Repeat("<&>", 266));
        var flooding = reference.Replace(
            "\tdevmem = ioremap(DEVICE_BASE_PHYS_ADDR, 4096);",
            $"\t{{ int i; for (i = 0; i < 3000; i++) printk(KERN_INFO \"%d {printk}\\n\", i); }}\n\tdevmem = ioremap(DEVICE_BASE_PHYS_ADDR, 4096);",
            StringComparison.Ordinal);
        Assert.That(flooding, Is.Not.EqualTo(reference), "the reference changed: update FloodSource");
        return warnings + flooding;
    }
}
