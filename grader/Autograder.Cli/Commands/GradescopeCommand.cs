using System.ComponentModel;
using Autograder.Model;
using Autograder.Pipeline;
using Autograder.Report;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Autograder.Cli.Commands;

internal sealed class GradescopeSettings : CommandSettings
{
    [CommandOption("--submission <DIR>")]
    [Description("Where Gradescope puts the student's files.")]
    [DefaultValue("/autograder/submission")]
    public string Submission { get; init; } = "/autograder/submission";

    [CommandOption("--results <FILE>")]
    [Description("Where Gradescope expects the results.")]
    [DefaultValue("/autograder/results/results.json")]
    public string Results { get; init; } = "/autograder/results/results.json";

    [CommandOption("--rubric <FILE>")]
    [Description("Rubric YAML (default: the built-in virt-101 rubric).")]
    public string? Rubric { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed of the randomly drawn test cases (default: drawn per run).")]
    public int? Seed { get; init; }

    public override ValidationResult Validate() =>
        CommonGradingValidation.Validate(Submission, Rubric) is { } error ? ValidationResult.Error(error)
        : Directory.Exists(Results) ? ValidationResult.Error($"--results {Results} is a folder; give the file to write")
        : ValidationResult.Success();
}

/// <summary><c>gradescope</c>: what a Gradescope autograder's run_autograder calls. The student's whole
/// upload is one submission (id "submission"); Gradescope applies the visibility of each test itself, so
/// every check runs (instructor visibility) and carries its visibility into results.json.</summary>
internal sealed class GradescopeCommand(CliConsoles consoles) : AutograderCommand<GradescopeSettings>(consoles)
{
    public const string SubmissionId = "submission";

    protected override string? LogDirectory(GradescopeSettings settings) =>
        Path.GetDirectoryName(Path.GetFullPath(settings.Results));

    protected override async Task<int> RunAsync(GradescopeSettings settings, CancellationToken cancellationToken)
    {
        using var intake = Intake.One(settings.Submission, SubmissionId);
        var options = new GradeOptions
        {
            RubricPath = settings.Rubric is null ? null : Path.GetFullPath(settings.Rubric),
            Jobs = 1,
            Visibility = "instructor",
            RandomSeed = settings.Seed,
        };
        var run = await Grader.RunAsync(intake.Submissions, options, new Output.ProgressDisplay.PlainObserver(Consoles.Out, 1), cancellationToken);
        if (cancellationToken.IsCancellationRequested || run.Submissions.Count == 0)
        {
            Consoles.Error.MarkupLine("[yellow]interrupted: no results written[/]");
            return ExitCodes.Interrupted;
        }
        GradescopeResults.Write(run, Path.GetFullPath(settings.Results));
        Consoles.Out.MarkupLine($"wrote {Markup.Escape(settings.Results)}");
        return GradeCommand.IsGraderFault(run.Submissions[0]) ? ExitCodes.GraderFault : ExitCodes.Ok;
    }
}

/// <summary>
/// Writes Gradescope's results.json for a one-submission run through the gradescope exporter (which
/// owns the format): it renders into a private temp folder and the one file is copied to where
/// Gradescope looks. The exporter writes &lt;out&gt;/gradescope/&lt;id&gt;/results.json.
/// </summary>
internal static class GradescopeResults
{
    public static void Write(GradingRun run, string resultsPath)
    {
        var id = run.Submissions.Single().Id;
        var temp = Directory.CreateTempSubdirectory("autograder-gradescope-").FullName;
        try
        {
            Reports.Write(run, temp, new ReportOptions { Formats = ["gradescope"] });
            var written = Path.Combine(temp, "gradescope", id, "results.json");
            if (!File.Exists(written))
            {
                throw new InvalidOperationException($"the gradescope export did not write {written}");
            }
            Directory.CreateDirectory(Path.GetDirectoryName(resultsPath)!);
            File.Copy(written, resultsPath, overwrite: true);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
