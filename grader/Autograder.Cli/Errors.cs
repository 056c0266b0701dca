using System.Globalization;
using Autograder.Pipeline;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Autograder.Cli;

/// <summary>Turns an exception into a message and an exit code: operator mistakes are one red line
/// (never a stack trace), anything else is a grader bug whose stack trace goes to a log file.</summary>
internal static class Errors
{
    public const string LogFileName = "autograder-error.log";

    public static int Report(CliConsoles consoles, Exception exception, string? logDirectory, bool interrupted)
    {
        switch (exception)
        {
            case OperationCanceledException when interrupted:
                consoles.Error.MarkupLine("[yellow]interrupted[/]");
                return ExitCodes.Interrupted;
            case CommandAppException { Pretty: { } pretty }:
                consoles.Error.Write(pretty);
                return ExitCodes.OperatorError;
            case CommandAppException or OperatorException or InvalidDataException or FileNotFoundException
                or DirectoryNotFoundException or UnauthorizedAccessException or PathTooLongException:
                consoles.Error.MarkupLine($"[red]error:[/] {Markup.Escape(exception.Message)}");
                return ExitCodes.OperatorError;
            default:
                var log = WriteLog(exception, logDirectory);
                consoles.Error.MarkupLine($"[red]internal error (a grader bug):[/] {Markup.Escape(exception.Message)}");
                consoles.Error.MarkupLine(log is null
                    ? "[grey](the stack trace could not be written to a log file)[/]"
                    : $"[grey]stack trace: {Markup.Escape(log)}[/]");
                return ExitCodes.GraderFault;
        }
    }

    private static string? WriteLog(Exception exception, string? logDirectory)
    {
        foreach (var directory in new[] { logDirectory, Path.GetTempPath() })
        {
            if (directory is null)
            {
                continue;
            }
            try
            {
                Directory.CreateDirectory(directory);
                var path = Path.Combine(directory, LogFileName);
                var version = typeof(Errors).Assembly.GetName().Version?.ToString() ?? "?";
                File.AppendAllText(path, string.Create(CultureInfo.InvariantCulture,
                    $"{DateTimeOffset.UtcNow:O} autograder {version}{Environment.NewLine}{exception}{Environment.NewLine}{Environment.NewLine}"));
                return path;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Try the next place; the console message is printed either way.
            }
        }
        return null;
    }
}
