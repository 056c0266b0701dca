using Autograder.Cli.Output;
using Autograder.Model;
using Autograder.Report;
using Spectre.Console.Cli;

namespace Autograder.Cli.Commands;

/// <summary>Every command's error boundary: whatever escapes <see cref="RunAsync"/> becomes a message and
/// a named exit code (see <see cref="Errors"/>), with the crash log next to the command's output.</summary>
internal abstract class AutograderCommand<TSettings>(CliConsoles consoles) : AsyncCommand<TSettings>
    where TSettings : CommandSettings
{
    protected CliConsoles Consoles { get; } = consoles;

    protected sealed override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(settings, cancellationToken);
        }
        catch (Exception e)
        {
            return Errors.Report(Consoles, e, LogDirectory(settings), cancellationToken.IsCancellationRequested);
        }
    }

    protected abstract Task<int> RunAsync(TSettings settings, CancellationToken cancellationToken);

    /// <summary>Writes the run's exports where the settings say, then the summary table, the notes and
    /// where the reports are: what grade, merge and report end with.</summary>
    protected void WriteReports(IRunResults run, OutputSettings settings, IEnumerable<string> warnings)
    {
        var outDir = settings.OutDirectory;
        Directory.CreateDirectory(outDir);
        var notes = Reports.Write(run, outDir, settings.ReportOptions);
        Summary.Render(Consoles.Out, run);
        Summary.RenderNotes(Consoles.Out, warnings.Concat(notes));
        Summary.RenderWhereReportsAre(Consoles.Out, outDir, settings.Formats);
    }

    /// <summary>Where a crash log goes (the command's output folder); null = the temp folder.</summary>
    protected virtual string? LogDirectory(TSettings settings) => null;
}
