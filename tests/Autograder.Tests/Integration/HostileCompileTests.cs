using System.IO.Compression;
using Autograder.Model;
using Autograder.Pipeline;
using Autograder.Report;
using Autograder.Tests.Cli;
using Autograder.Tests.Compile;
using static Autograder.Tests.Integration.HostileTestSupport;

namespace Autograder.Tests.Integration;

/// <summary>
/// Issue 14, classes 1 and 2, end to end through the CLI: examples/hostile/c/compile-* (aimed at a canary in a
/// root-only folder) graded beside the reference, and a Canvas zip whose entries are named like gcc options.
/// Every attack is the submission's compile error or earns what its honest code earns; the canary is in no
/// report, no diagnostic and no kernel log; nothing appears outside the box; the grader is never blamed.
/// </summary>
[Parallelizable(ParallelScope.Self)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class HostileCompileTests
{
    private static readonly string[] Attacks =
    [
        "compile-at-opts", "compile-dash-name", "compile-incbin-split", "compile-incbin-escape", "compile-include-cr",
        "compile-include-splice", "compile-static-assert-64mb", "compile-memory", "compile-file-size",
    ];

    private string _dir = "";
    private CompileCanary _canary = null!;
    private Dictionary<string, string> _targetsBefore = [];
    private CliHarness.Outcome _cli = null!;
    private CliHarness.Outcome _zipCli = null!;
    private GradingRun _run = null!;
    private GradingRun _zipRun = null!;

    [OneTimeSetUp]
    public void GradeTheCompileAttacks()
    {
        Native.NativeTestSupport.RequireGcc();
        _dir = NewTempDir("compile-attacks");
        _canary = new CompileCanary();
        var input = Path.Combine(_dir, "in");
        foreach (var name in Attacks)
        {
            _canary.CopyAimed(Path.Combine(Examples, "hostile", "c", name), Path.Combine(input, name));
        }

        CopyTree(Path.Combine(Examples, "c", "reference"), Path.Combine(input, "reference"));
        var rubric = FastRubric(_dir);
        _targetsBefore = TargetsState();
        _cli = RunCli("grade", input, "--rubric", rubric, "--out", Path.Combine(_dir, "out"), "--jobs", "2", "--seed", "7");
        _run = Reports.ReadResults(Path.Combine(_dir, "out", "results.json"));

        // Canvas names files login_userid_submissionid_name: mallory hands in "@o.c" beside an "o.c" of gcc
        // options, trent a correct driver named "@o.c" alone.
        var reference = File.ReadAllText(Path.Combine(Examples, "c", "reference", "my-rng.c"));
        var zip = Path.Combine(_dir, "canvas.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            foreach (var (entry, text) in new[]
            {
                ("mallory_1_2_@o.c", reference),
                ("mallory_1_2_o.c", _canary.Aim(File.ReadAllText(Path.Combine(Examples, "hostile", "c", "compile-at-opts", "opts.c")))),
                ("trent_3_4_@o.c", reference),
            })
            {
                using var writer = new StreamWriter(archive.CreateEntry(entry).Open());
                writer.Write(text);
            }
        }

        _zipCli = RunCli("grade", zip, "--rubric", rubric, "--out", Path.Combine(_dir, "zip-out"), "--jobs", "2", "--seed", "7");
        _zipRun = Reports.ReadResults(Path.Combine(_dir, "zip-out", "results.json"));
        TestContext.Progress.WriteLine(string.Join("\n", _run.Submissions.Concat(_zipRun.Submissions).Select(Describe)));
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        _canary?.Dispose();
        DeleteTree(_dir);
    }

    [Test]
    public void Both_batches_finish_and_nothing_is_blamed_on_the_grader()
    {
        foreach (var cli in new[] { _cli, _zipCli })
        {
            Assert.That(cli.ExitCode, Is.EqualTo(0), cli.Out + cli.Error);
            Assert.That(cli.Error, Does.Not.Contain(" at Autograder"), "no stack trace");
        }

        Assert.That(_run.Submissions, Has.Count.EqualTo(Attacks.Length + 1));
        foreach (var result in _run.Submissions.Concat(_zipRun.Submissions))
        {
            Assert.That(result.GraderFault, Is.False, Describe(result));
            Assert.That(result.Checks.Where(c => c.Fault == Faults.Grader), Is.Empty, Describe(result));
        }
    }

    [Test]
    public void The_canary_is_in_no_output()
    {
        Assert.That(_canary.FilesHoldingIt(Path.Combine(_dir, "out")), Is.Empty, "a report holds the canary");
        Assert.That(_canary.FilesHoldingIt(Path.Combine(_dir, "zip-out")), Is.Empty, "a report holds the canary");
        Assert.That(_cli.Out + _cli.Error + _zipCli.Out + _zipCli.Error, Does.Not.Contain(_canary.Secret));
        foreach (var result in _run.Submissions.Concat(_zipRun.Submissions))
        {
            var kernelLog = string.Join("\n", result.Checks.SelectMany(c => c.Trace).Select(e => e.Text));
            Assert.That(kernelLog, Does.Not.Contain(_canary.Secret), "the driver printed the canary: " + result.Id);
        }
    }

    [Test]
    public void Nothing_appears_outside_the_box()
    {
        Assert.That(TargetsState(), Is.EqualTo(_targetsBefore), "opts.c's wrapper aims at /tmp/pwned");
        foreach (var result in _run.Submissions.Concat(_zipRun.Submissions))
        {
            Assert.That(string.Join("\n", result.Diagnostics.Select(d => d.Message)), Does.Not.Contain("uid="), "a shell ran: " + result.Id);
        }
    }

    [Test]
    public void Correct_drivers_named_like_options_score_like_the_reference()
    {
        var reference = Sub(_run, "reference");
        Assert.That(reference.Score, Is.EqualTo(100m), Describe(reference));
        Assert.That(Sub(_run, "compile-dash-name").Score, Is.EqualTo(reference.Score), Describe(Sub(_run, "compile-dash-name")));
        Assert.That(Sub(_zipRun, "trent").Score, Is.EqualTo(reference.Score), Describe(Sub(_zipRun, "trent")));
    }

    // opts.c is not C: the build fails on it, as any stray file would.
    [TestCase("compile-at-opts", "opts.c", "expected identifier")]
    [TestCase("compile-incbin-split", "my-rng.c", "file not found")]
    [TestCase("compile-incbin-escape", "my-rng.c", "file not found")]
    [TestCase("compile-include-cr", "my-rng.c", "No such file or directory")]
    [TestCase("compile-include-splice", "my-rng.c", "No such file or directory")]
    [TestCase("compile-static-assert-64mb", "my-rng.c", "the build was stopped: the compiler exceeded its limit of 1 GiB of memory")]
    [TestCase("compile-memory", "my-rng.c", "the build was stopped: the compiler exceeded its limit of 1 GiB of memory")]
    [TestCase("compile-file-size", "my-rng.c", "the build was stopped: the compiler exceeded its limit of 64 MiB per file")]
    public void Each_attack_is_the_students_compile_error(string id, string file, string message)
    {
        var result = Sub(_run, id);
        Assert.That(result.Outcome, Is.EqualTo(Outcomes.CompileError), Describe(result));
        Assert.That(result.Score, Is.Zero, Describe(result));
        var build = CheckOf(result, SubmissionGrader.BuildId);
        Assert.That(build.Fault, Is.EqualTo(Faults.Submission), Describe(result));
        Assert.That(result.Diagnostics.Where(d => d.Severity == "error"), Has.Some.Matches<Diagnostic>(d => d.File == file && d.Message.Contains(message, StringComparison.Ordinal)),
            string.Join("\n", result.Diagnostics.Select(d => $"{d.File}: {d.Message}")));
    }

    [Test]
    public void A_canvas_entry_named_like_an_option_never_runs_anything()
    {
        var mallory = Sub(_zipRun, "mallory");
        Assert.That(mallory.Outcome, Is.EqualTo(Outcomes.CompileError), Describe(mallory));
        Assert.That(mallory.Diagnostics.Where(d => d.Severity == "error").Select(d => d.File), Has.All.EqualTo("o.c"), Describe(mallory));
    }

    [Test]
    public void Diagnostics_and_reports_stay_bounded()
    {
        foreach (var result in _run.Submissions)
        {
            Assert.That(result.Diagnostics.Select(d => d.Message.Length), Has.All.LessThanOrEqualTo(Autograder.Compile.CCompiler.MaxMessageChars + 100), result.Id);
        }

        var biggest = Directory.EnumerateFiles(Path.Combine(_dir, "out"), "*", SearchOption.AllDirectories).Max(f => new FileInfo(f).Length);
        Assert.That(biggest, Is.LessThan(2L << 20), "no report file reaches 2 MiB");
    }
}
