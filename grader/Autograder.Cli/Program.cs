using Autograder.Cli;
using Spectre.Console;

using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C stops cleanly (workers killed, partial results written); a second one is the
    // default hard stop, for when the clean stop itself hangs.
    if (!interrupt.IsCancellationRequested)
    {
        e.Cancel = true;
        interrupt.Cancel();
    }
};

var error = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
return await CliApp.RunAsync(args, AnsiConsole.Console, error, interrupt.Token);
