using Spectre.Console;

namespace Autograder.Cli;

/// <summary>Where the commands write: <paramref name="Out"/> for progress, tables and verdicts,
/// <paramref name="Error"/> for error messages. <paramref name="Live"/>: draw a live progress bar
/// (an interactive terminal outside CI) instead of one plain line per submission.</summary>
internal sealed record CliConsoles(IAnsiConsole Out, IAnsiConsole Error, bool Live);
