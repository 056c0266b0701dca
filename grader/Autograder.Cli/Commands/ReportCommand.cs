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

    public override ValidationResult Validate()
    {
        var common = base.Validate();
        return !common.Successful ? common
            : !File.Exists(Results) ? ValidationResult.Error($"no such file: {Results}")
            : Overrides is not null && !File.Exists(Overrides) ? ValidationResult.Error($"--overrides: no such file: {Overrides}")
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
        WriteReports(RunResults.InMemory(run), settings, []);
        return Task.FromResult(ExitCodes.Ok);
    }
}
