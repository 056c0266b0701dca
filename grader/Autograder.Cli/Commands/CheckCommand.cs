using System.ComponentModel;
using Autograder.Cli.Output;
using Autograder.Model;
using Autograder.Pipeline;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Autograder.Cli.Commands;

internal sealed class CheckSettings : CommandSettings
{
    [CommandArgument(0, "<path>")]
    [Description("Your submission: my-rng.c, a .cs file, a patch, or the folder holding your driver's files.")]
    public string Path { get; init; } = "";

    [CommandOption("--rubric <FILE>")]
    [Description("Rubric YAML (default: the built-in virt-101 rubric).")]
    public string? Rubric { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed of the randomly drawn test cases, to replay a run.")]
    public int? Seed { get; init; }

    [CommandOption("--traces <WHICH>")]
    [Description("Which checks print their trace: failed (checks that did not pass) or all.")]
    [DefaultValue("failed")]
    public string Traces { get; init; } = "failed";

    [CommandOption("--no-cache")]
    [Description("Grade afresh instead of reusing the result of an unchanged submission.")]
    public bool NoCache { get; init; }

    public override ValidationResult Validate() =>
        CommonGradingValidation.Validate(Path, Rubric) is { } error ? ValidationResult.Error(error)
        : Traces is not ("failed" or "all") ? ValidationResult.Error($"--traces must be failed or all, got '{Traces}'")
        : ValidationResult.Success();
}

/// <summary><c>check &lt;path&gt;</c>: the student's self-check with the visible checks only.</summary>
internal sealed class CheckCommand(CliConsoles consoles) : AutograderCommand<CheckSettings>(consoles)
{
    protected override async Task<int> RunAsync(CheckSettings settings, CancellationToken cancellationToken)
    {
        using var intake = Intake.One(settings.Path);
        var options = new GradeOptions
        {
            RubricPath = settings.Rubric is null ? null : System.IO.Path.GetFullPath(settings.Rubric),
            Jobs = 1,
            Visibility = "student",
            RandomSeed = settings.Seed,
            UseCache = !settings.NoCache,
            AllTraces = settings.Traces == "all",
        };
        var observer = new WarningsOnly(Consoles.Out);
        var run = await Grader.RunAsync(intake.Submissions, options, observer, cancellationToken);
        if (cancellationToken.IsCancellationRequested || run.Submissions.Count == 0)
        {
            Consoles.Error.MarkupLine("[yellow]interrupted[/]");
            return ExitCodes.Interrupted;
        }
        var result = run.Submissions[0];
        CheckReport.Render(Consoles.Out, result, allTraces: settings.Traces == "all");
        return Verdict(result);
    }

    internal static int Verdict(SubmissionResult result) =>
        GradeCommand.IsGraderFault(SubmissionSummary.Of(result)) ? ExitCodes.GraderFault
        : result.Outcome != Outcomes.Graded || CheckReport.VisibleChecks(result).Any(CheckReport.IsNotPassing) ? ExitCodes.CheckFailed
        : ExitCodes.Ok;

    private sealed class WarningsOnly(IAnsiConsole console) : IGradeObserver
    {
        public void OnStart(int total)
        {
        }

        public void OnResult(SubmissionResult result)
        {
        }

        public void OnWarning(string message) => console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(message)}");
    }
}
