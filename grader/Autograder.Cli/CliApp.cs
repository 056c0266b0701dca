using System.Globalization;
using Autograder.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Autograder.Cli;

/// <summary>The command tree; <see cref="RunAsync"/> is the whole program, so tests run it in-process.</summary>
internal static class CliApp
{
    public static Task<int> RunAsync(IEnumerable<string> args, IAnsiConsole output, IAnsiConsole error, CancellationToken cancellationToken, bool? live = null)
    {
        var consoles = new CliConsoles(output, error, live ?? LiveProgressPossible(output));
        var registrar = new TypeRegistrar();
        registrar.RegisterInstance(typeof(CliConsoles), consoles);
        var app = new CommandApp(registrar);
        app.Configure(config =>
        {
            config.SetApplicationName("autograder");
            config.SetApplicationVersion(Pipeline.Grader.Version);
            config.SetApplicationCulture(CultureInfo.InvariantCulture);
            // An unknown option is a typo to report, not an argument to ignore.
            config.UseStrictParsing();
            config.ConfigureConsole(output);
            config.CancellationExitCode(ExitCodes.Interrupted);
            // Errors that reach here happened before a command ran (parsing, validation): operator errors.
            config.SetExceptionHandler((e, _) => Errors.Report(consoles, e, logDirectory: null, cancellationToken.IsCancellationRequested));

            config.AddCommand<GradeCommand>("grade")
                .WithDescription("Grade a submission, a folder of submissions or an LMS zip, and write the reports.")
                .WithExample("grade", "examples")
                .WithExample("grade", "submissions.zip", "--out", "out", "--fail-under", "60")
                .WithExample("grade", "submissions", "--shard", "2/4", "--out", "shard-2");
            config.AddCommand<CheckCommand>("check")
                .WithDescription("Self-check one submission against the visible checks and explain every verdict.")
                .WithExample("check", "my-rng.c");
            config.AddCommand<MergeCommand>("merge")
                .WithDescription("Combine the results.json of several shards into one run and render every export.")
                .WithExample("merge", "shard-1/results.json", "shard-2/results.json", "--out", "reports");
            config.AddCommand<ReportCommand>("report")
                .WithDescription("Re-render the exports of a results.json (with instructor overrides) without grading again.")
                .WithExample("report", "reports/results.json", "--overrides", "overrides.csv", "--out", "final");
            config.AddCommand<ReviewCommand>("review")
                .WithDescription("Serve a results.json for instructors and TAs to review: points and comments per check, saved in SQLite.")
                .WithExample("review", "reports/results.json");
            config.AddCommand<SimilarityCommand>("similarity")
                .WithDescription("Show which submissions share code beyond the handout's skeleton (similarity, not proof); grades nothing.")
                .WithExample("similarity", "submissions", "--known", "earlier-years", "--out", "reports");
            config.AddCommand<GradescopeCommand>("gradescope")
                .WithDescription("Run as a Gradescope autograder: grade /autograder/submission, write /autograder/results/results.json.");
            // Run by the CLI's own build (Autograder.Cli.csproj), not by users.
            config.AddCommand<PrebuildNativeCommand>("prebuild-native").IsHidden();
        });
        return app.RunAsync(args, cancellationToken);
    }

    /// <summary>A live bar only makes sense on a terminal a person watches: not when output is redirected,
    /// and not in CI (env CI is set by GitHub Actions, GitLab, Jenkins, ...), where it would be log noise.</summary>
    public static bool LiveProgressPossible(IAnsiConsole console) =>
        console.Profile.Capabilities.Interactive
        && console.Profile.Capabilities.Ansi
        && !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
}
