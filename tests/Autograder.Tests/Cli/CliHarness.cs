using Autograder.Cli;
using Spectre.Console;

namespace Autograder.Tests.Cli;

/// <summary>A console that records what is written, as a redirected, colourless, fixed-width terminal.</summary>
internal sealed class CapturedConsole
{
    public CapturedConsole(int width = 100)
    {
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        Console.Profile.Width = width;
    }

    public StringWriter Writer { get; } = new();

    public IAnsiConsole Console { get; }

    /// <summary>The output with Spectre's right padding removed and '\n' line ends.</summary>
    public string Text => string.Join("\n", Writer.ToString().ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd()));
}

/// <summary>Runs the real command tree in-process.</summary>
internal static class CliHarness
{
    public sealed record Outcome(int ExitCode, string Out, string Error);

    public static Outcome Run(params string[] args) => Run(CancellationToken.None, args);

    public static Outcome Run(CancellationToken cancellationToken, params string[] args)
    {
        var output = new CapturedConsole();
        var error = new CapturedConsole();
        var code = CliApp.RunAsync(args, output.Console, error.Console, cancellationToken, live: false).GetAwaiter().GetResult();
        return new Outcome(code, output.Text, error.Text);
    }
}

/// <summary>Compares text with a committed golden file under tests/Autograder.Tests/Cli/Golden/.
/// Set AUTOGRADER_ACCEPT_GOLDEN=1 to (re)write the golden files from the actual output.</summary>
internal static class Golden
{
    public static void AssertMatches(string name, string actual)
    {
        var path = Path.Combine(SourceDirectory(), "Cli", "Golden", name);
        actual = actual.TrimEnd('\n') + "\n";
        if (Environment.GetEnvironmentVariable("AUTOGRADER_ACCEPT_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.That(File.Exists(path), Is.True, $"missing golden file {path}; run the tests with AUTOGRADER_ACCEPT_GOLDEN=1 to create it");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected != actual)
        {
            var actualDir = Path.Combine(SourceDirectory(), "Cli", "Golden", "actual");
            Directory.CreateDirectory(actualDir);
            File.WriteAllText(Path.Combine(actualDir, name), actual);
        }
        Assert.That(actual, Is.EqualTo(expected), $"{name} differs from its golden file (actual output in Cli/Golden/actual/; accept with AUTOGRADER_ACCEPT_GOLDEN=1)");
    }

    private static string SourceDirectory() => Path.Combine(TestPaths.RepoRoot, "tests", "Autograder.Tests");
}
