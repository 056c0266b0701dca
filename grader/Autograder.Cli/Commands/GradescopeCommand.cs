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
        Reports.WriteGradescope(run.Submissions.Single(), Path.GetFullPath(settings.Results));
        Consoles.Out.MarkupLine($"wrote {Markup.Escape(settings.Results)}");
        return GradeCommand.IsGraderFault(SubmissionSummary.Of(run.Submissions[0])) ? ExitCodes.GraderFault : ExitCodes.Ok;
    }
}
