using Autograder.Cli;

namespace Autograder.Tests.Cli;

/// <summary>Operator mistakes are caught before anything is graded: exit 2, one readable line, no stack trace.</summary>
public class OptionValidationTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("autograder-cli-").FullName;
        File.WriteAllText(Path.Combine(_dir, "my-rng.c"), "int x;\n");
        File.WriteAllText(Path.Combine(_dir, "results.json"), "{}");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static void AssertOperatorError(CliHarness.Outcome run, string message)
    {
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.OperatorError), run.Error + run.Out);
        Assert.That(run.Error, Does.Contain(message));
        Assert.That(run.Error + run.Out, Does.Not.Contain("   at "), "no stack trace for operator errors");
    }

    [Test]
    public void Unknown_format_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("grade", _dir, "--format", "html,pdf"), "--format: unknown pdf");

    [Test]
    public void Empty_format_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("grade", _dir, "--format", ","), "--format needs at least one");

    [Test]
    public void A_mistyped_check_id_in_only_is_exit_2_with_a_suggestion() =>
        AssertOperatorError(CliHarness.Run("grade", _dir, "--only", "rand,sed", "--out", P("out")), "unknown check 'sed'; did you mean 'seed'?");

    [Test]
    public void An_unknown_check_id_in_only_lists_the_rubric_checks() =>
        AssertOperatorError(CliHarness.Run("grade", _dir, "--only", "frobnicate", "--out", P("out")), "unknown check 'frobnicate'; the rubric's checks are build, load");

    [Test]
    public void Missing_path_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("grade", P("nope")), $"no such file or folder: {P("nope")}");

    [Test]
    public void Missing_path_argument_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("grade"), "missing required argument 'path'");

    [TestCase("0/3", "need 1 <= i <= n")]
    [TestCase("x", "--shard must look like i/n")]
    public void Bad_shard_is_exit_2(string shard, string message) =>
        AssertOperatorError(CliHarness.Run("grade", _dir, "--shard", shard), message);

    [Test]
    public void Zero_jobs_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("grade", _dir, "--jobs", "0"), "--jobs must be at least 1");

    [Test]
    public void Non_numeric_jobs_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("grade", _dir, "--jobs", "many"), "many");

    [TestCase("-1")]
    [TestCase("100.5")]
    public void Fail_under_outside_0_to_100_is_exit_2(string percent) =>
        AssertOperatorError(CliHarness.Run("grade", _dir, "--fail-under", percent), "--fail-under is a percent");

    [Test]
    public void Bad_visibility_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("grade", _dir, "--visibility", "everyone"), "--visibility must be instructor or student");

    [Test]
    public void Missing_rubric_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("grade", _dir, "--rubric", P("rubric.yaml")), "--rubric: no such file");

    [Test]
    public void Missing_roster_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("grade", _dir, "--roster", P("roster.csv")), "--roster: no such file");

    [Test]
    public void Empty_only_list_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("grade", _dir, "--only", " , "), "--only needs at least one check id");

    [Test]
    public void Out_pointing_at_a_file_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("grade", _dir, "--out", P("my-rng.c")), "is a file, not a folder");

    [Test]
    public void Unknown_option_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("grade", _dir, "--colour"), "Unknown option");

    [Test]
    public void Unknown_command_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("regrade", _dir), "Unknown command");

    [Test]
    public void A_folder_without_submissions_is_exit_2_before_grading()
    {
        var empty = Directory.CreateDirectory(P("empty")).FullName;

        AssertOperatorError(CliHarness.Run("grade", empty, "--out", P("out")), "no submissions found in");
    }

    [Test]
    public void Grading_a_file_that_is_not_a_source_is_exit_2()
    {
        File.WriteAllText(P("notes.txt"), "x");

        AssertOperatorError(CliHarness.Run("grade", P("notes.txt"), "--out", P("out")), "not a submission");
    }

    [Test]
    public void A_bad_zip_is_exit_2_naming_the_zip()
    {
        File.WriteAllText(P("class.zip"), "not a zip");

        AssertOperatorError(CliHarness.Run("grade", P("class.zip"), "--out", P("out")), P("class.zip"));
    }

    [Test]
    public void Check_of_a_folder_of_several_submissions_is_exit_2()
    {
        Directory.CreateDirectory(P("class/alice"));
        Directory.CreateDirectory(P("class/bob"));
        File.WriteAllText(P("class/alice/my-rng.c"), "");
        File.WriteAllText(P("class/bob/my-rng.c"), "");

        AssertOperatorError(CliHarness.Run("check", P("class")), "holds 2 submissions");
    }

    [Test]
    public void Merge_of_a_missing_results_file_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("merge", P("results.json"), P("missing.json"), "--out", P("out")), $"no such file: {P("missing.json")}");

    [Test]
    public void Merge_without_results_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("merge", "--out", P("out")), "missing required argument 'results'");

    [Test]
    public void Report_with_missing_overrides_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("report", P("results.json"), "--overrides", P("overrides.csv"), "--out", P("out")), "--overrides: no such file");

    [Test]
    public void Report_with_an_unknown_format_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("report", P("results.json"), "--format", "docx", "--out", P("out")), "--format: unknown docx");

    [Test]
    public void Gradescope_without_a_submission_folder_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("gradescope", "--submission", P("nothing-here"), "--results", P("gs/results.json")), "no such file or folder");

    [Test]
    public void Gradescope_results_pointing_at_a_folder_is_exit_2() =>
        AssertOperatorError(CliHarness.Run("gradescope", "--submission", _dir, "--results", _dir), "is a folder");
}
