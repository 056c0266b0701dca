using System.ComponentModel;
using Autograder.Model;
using Autograder.Report;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Autograder.Cli.Commands;

internal sealed class ReportSettings : OutputSettings
{
    [CommandArgument(0, "<results>")]
    [Description("A results.json written by grade or merge.")]
    public string Results { get; init; } = "";

    [CommandOption("--overrides <FILE>")]
    [Description("Instructor overrides CSV (id, check or total, points, comment) applied on top of the results.")]
    public string? Overrides { get; init; }

    [CommandOption("--review <FILE>")]
    [Description("Review database of `autograder review` (review.db): its reviews are applied as overrides.")]
    public string? Review { get; init; }

    public override ValidationResult Validate()
    {
        var common = base.Validate();
        return !common.Successful ? common
            : !File.Exists(Results) ? ValidationResult.Error($"no such file: {Results}")
            : Overrides is not null && !File.Exists(Overrides) ? ValidationResult.Error($"--overrides: no such file: {Overrides}")
            : Review is not null && !File.Exists(Review) ? ValidationResult.Error($"--review: no such file: {Review}")
            : Overrides is not null && Review is not null ? ValidationResult.Error("--overrides and --review both set points: use one (the review page downloads its reviews as overrides.csv)")
            : ValidationResult.Success();
    }
}

/// <summary><c>report &lt;results.json&gt;</c>: re-renders every export from the results alone; no
/// submission runs.</summary>
internal sealed class ReportCommand(CliConsoles consoles) : AutograderCommand<ReportSettings>(consoles)
{
    protected override string? LogDirectory(ReportSettings settings) => settings.OutDirectory;

    protected override Task<int> RunAsync(ReportSettings settings, CancellationToken cancellationToken)
    {
        var run = Reports.ReadResults(settings.Results);
        if (settings.Overrides is not null)
        {
            run = Reports.ApplyOverrides(run, settings.Overrides);
        }
        var notes = new List<string>();
        if (settings.Review is not null)
        {
            var store = Review.ReviewStore.Open(settings.Review, create: false);
            run = Review.ReviewOverrides.Apply(run, store.Path, store.All(), notes);
        }

        WriteReports(RunResults.InMemory(run), settings, notes);
        return Task.FromResult(ExitCodes.Ok);
    }
}
