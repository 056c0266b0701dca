using System.Diagnostics;
using System.Text;
using Autograder.Cli;
using Autograder.Model;
using Autograder.Report;
using Autograder.Tests.Cli;
using static Autograder.Tests.Integration.HostileTestSupport;

namespace Autograder.Tests.Integration;

/// <summary>
/// Issue 5, bad input end to end through the CLI: each gives a clear message naming the file and the
/// problem, never a stack trace, and the documented exit code. A bad submission is the student's problem
/// (graded 0, exit 0); a bad rubric, path, option or results file is the operator's (exit 2).
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class BadInputTests
{
    private string _dir = "";

    [OneTimeSetUp]
    public void CreateFolder() => _dir = NewTempDir("badinput");

    [OneTimeTearDown]
    public void Cleanup() => DeleteTree(_dir);

    private string Submission(string name, byte[] content)
    {
        var folder = Path.Combine(_dir, name);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "my-rng.c"), content);
        return folder;
    }

    private (CliHarness.Outcome Cli, SubmissionResult Result) Grade(string folder)
    {
        var output = folder + "-out";
        var cli = RunCli("grade", folder, "--out", output, "--format", "json");
        var run = Reports.ReadResults(Path.Combine(output, "results.json"));
        Assert.That(run.Submissions, Has.Count.EqualTo(1), cli.Out);
        return (cli, run.Submissions[0]);
    }

    /// <summary>The console wraps long lines: compare messages with whitespace collapsed.</summary>
    private static string Flat(string text) => string.Join(' ', text.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

    private static void AssertNoStackTrace(CliHarness.Outcome cli)
    {
        Assert.That(cli.Out + cli.Error, Does.Not.Contain("   at ").And.Not.Contain("Exception:"), "no stack trace: " + cli.Out + cli.Error);
        Assert.That(cli.Error, Does.Not.Contain("internal error"));
    }

    [Test]
    public void An_empty_file_is_refused_with_its_name()
    {
        var (cli, result) = Grade(Submission("empty", []));
        Assert.That(cli.ExitCode, Is.EqualTo(ExitCodes.Ok), cli.Out + cli.Error);
        Assert.That(result.Outcome, Is.EqualTo(Outcomes.CompileError));
        Assert.That(result.Message, Is.EqualTo("my-rng.c is empty"));
        Assert.That(result.Checks[0].Feedback, Does.Contain("my-rng.c is empty"));
        AssertNoStackTrace(cli);
    }

    [Test]
    public void A_binary_file_is_refused_with_its_name()
    {
        var bytes = new byte[4096];
        new Random(1).NextBytes(bytes);
        bytes[100] = 0;
        var (cli, result) = Grade(Submission("binary", bytes));
        Assert.That(cli.ExitCode, Is.EqualTo(ExitCodes.Ok), cli.Out + cli.Error);
        Assert.That(result.Outcome, Is.EqualTo(Outcomes.CompileError));
        Assert.That(result.Message, Is.EqualTo("my-rng.c is a binary file, not source code"));
        AssertNoStackTrace(cli);
    }

    [Test]
    public void A_non_utf8_source_is_graded_with_a_warning()
    {
        var reference = File.ReadAllText(Path.Combine(Examples, "c", "reference", "my-rng.c"));
        var latin1 = Encoding.Latin1.GetBytes("/* g\u00e9n\u00e9rateur al\u00e9atoire, \u00a9 un \u00e9tudiant */\n" + reference);
        Assert.That(() => new UTF8Encoding(false, true).GetString(latin1), Throws.InstanceOf<DecoderFallbackException>(), "the file must not be valid UTF-8");
        var (cli, result) = Grade(Submission("latin1", latin1));
        Assert.That(cli.ExitCode, Is.EqualTo(ExitCodes.Ok), cli.Out + cli.Error);
        Assert.That(result.Outcome, Is.EqualTo(Outcomes.Graded));
        Assert.That(result.Score, Is.EqualTo(100m), Describe(result));
        Assert.That(result.Diagnostics, Has.Some.Matches<Diagnostic>(d => d.Severity == "warning" && d.File == "my-rng.c" && d.Message.Contains("not UTF-8", StringComparison.Ordinal)));
        Assert.That(result.Sources[0].Text, Does.Contain("g\u00e9n\u00e9rateur"), "read as Latin-1, shown as the student wrote it");
        AssertNoStackTrace(cli);
    }

    [Test]
    public void A_50_MB_source_is_refused_fast_without_being_read()
    {
        // Generated here (never committed): the reference followed by 50 MB of comment lines.
        var folder = Path.Combine(_dir, "huge");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "my-rng.c");
        using (var file = File.Create(path))
        {
            file.Write(File.ReadAllBytes(Path.Combine(Examples, "c", "reference", "my-rng.c")));
            var line = Encoding.ASCII.GetBytes("/* " + new string('x', 1020) + " */\n");
            for (var written = 0L; written < 50L << 20; written += line.Length)
            {
                file.Write(line);
            }
        }

        var clock = Stopwatch.StartNew();
        var (cli, result) = Grade(folder);
        clock.Stop();
        Assert.That(cli.ExitCode, Is.EqualTo(ExitCodes.Ok), cli.Out + cli.Error);
        Assert.That(result.Outcome, Is.EqualTo(Outcomes.CompileError));
        Assert.That(result.Message, Does.StartWith("my-rng.c is 50").And.Contain("too large for a driver source"));
        Assert.That(result.Sources, Is.Empty, "none of it is copied into the report");
        // Generous (a loaded CI machine): refused on its size, not after compiling 50 MB.
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)));
        AssertNoStackTrace(cli);
    }

    [Test]
    public void A_rubric_with_a_typo_names_the_file_and_line_and_suggests_the_fix()
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot, "rubrics", "virt-101.yaml"));
        var typo = text.Replace("  - id: determinism\n", "  - id: determinsm\n", StringComparison.Ordinal);
        Assert.That(typo, Is.Not.EqualTo(text));
        var rubric = Path.Combine(_dir, "typo.yaml");
        File.WriteAllText(rubric, typo);
        var line = typo.Split('\n').ToList().FindIndex(l => l.Contains("determinsm", StringComparison.Ordinal)) + 1;

        var cli = RunCli("grade", Path.Combine(Examples, "c", "reference"), "--rubric", rubric, "--out", Path.Combine(_dir, "typo-out"));

        Assert.That(cli.ExitCode, Is.EqualTo(ExitCodes.OperatorError), cli.Out + cli.Error);
        Assert.That(cli.Error, Does.Contain("typo.yaml"));
        Assert.That(cli.Error, Does.Contain($":{line}").Or.Contain($"line {line}"), cli.Error);
        Assert.That(Flat(cli.Error), Does.Contain("did you mean").IgnoreCase.And.Contain("determinism"), cli.Error);
        Assert.That(Directory.Exists(Path.Combine(_dir, "typo-out")), Is.False, "nothing graded, nothing written");
        AssertNoStackTrace(cli);
    }

    [Test]
    public void A_rubric_key_typo_is_an_operator_error_too()
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot, "rubrics", "virt-101.yaml"));
        var rubric = Path.Combine(_dir, "key-typo.yaml");
        File.WriteAllText(rubric, text.Replace("    points: 15\n", "    pionts: 15\n", StringComparison.Ordinal));

        var cli = RunCli("check", Path.Combine(Examples, "c", "reference"), "--rubric", rubric);

        Assert.That(cli.ExitCode, Is.EqualTo(ExitCodes.OperatorError), cli.Out + cli.Error);
        Assert.That(cli.Error, Does.Contain("key-typo.yaml").And.Contain("pionts"), cli.Error);
        Assert.That(Flat(cli.Error), Does.Contain("did you mean 'points'").IgnoreCase, cli.Error);
        Assert.That(Flat(cli.Error), Does.Contain("key-typo.yaml:"), "file:line");
        AssertNoStackTrace(cli);
    }

    [TestCase("grade")]
    [TestCase("check")]
    public void A_missing_path_is_exit_2_naming_it(string command)
    {
        var missing = Path.Combine(_dir, "no-such-folder");
        var cli = RunCli(command, missing);
        Assert.That(cli.ExitCode, Is.EqualTo(ExitCodes.OperatorError), cli.Out + cli.Error);
        Assert.That(cli.Out + cli.Error, Does.Contain("no-such-folder"));
        AssertNoStackTrace(cli);
    }

    [TestCase(new[] { "--format", "pdf" }, "pdf")]
    [TestCase(new[] { "--fail-under", "101" }, "fail-under")]
    [TestCase(new[] { "--fail-under", "-5" }, "fail-under")]
    [TestCase(new[] { "--fail-under", "ninety" }, "ninety")]
    [TestCase(new[] { "--jobs", "0" }, "jobs")]
    [TestCase(new[] { "--shard", "3/2" }, "3/2")]
    [TestCase(new[] { "--visibility", "everyone" }, "everyone")]
    [TestCase(new[] { "--frmat", "json" }, "frmat")]
    public void A_bad_option_is_exit_2_naming_it(string[] option, string named)
    {
        var output = Path.Combine(_dir, "bad-option-out-" + Guid.NewGuid().ToString("N")[..8]);
        var cli = RunCli(["grade", Path.Combine(Examples, "c", "reference"), "--out", output, .. option]);
        Assert.That(cli.ExitCode, Is.EqualTo(ExitCodes.OperatorError), cli.Out + cli.Error);
        Assert.That(cli.Out + cli.Error, Does.Contain(named), cli.Out + cli.Error);
        Assert.That(Directory.Exists(output), Is.False, "nothing graded, nothing written");
        AssertNoStackTrace(cli);
    }

    [Test]
    public void A_results_file_that_is_not_json_is_exit_2_naming_it()
    {
        var results = Path.Combine(_dir, "results.json");
        File.WriteAllText(results, "<html>this is not json</html>");
        var cli = RunCli("report", results, "--out", Path.Combine(_dir, "report-out"));
        Assert.That(cli.ExitCode, Is.EqualTo(ExitCodes.OperatorError), cli.Out + cli.Error);
        Assert.That(cli.Error, Does.Contain(results));
        AssertNoStackTrace(cli);
    }
}
