using System.ComponentModel;
using System.Globalization;
using Autograder.Pipeline;
using Autograder.Report;
using Autograder.Similarity;
using Autograder.Submissions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Autograder.Cli.Commands;

internal sealed class SimilaritySettings : CommandSettings
{
    [CommandArgument(0, "<path>")]
    [Description("A folder of submissions or an LMS zip, found as grade finds them.")]
    public string Path { get; init; } = "";

    [CommandOption("-o|--out <DIR>")]
    [Description("Folder similarity.html, similarity.csv and the pair pages (similarity/) are written to.")]
    [DefaultValue("reports")]
    public string Out { get; init; } = "reports";

    [CommandOption("--base <FILE>")]
    [Description("Starter code whose fragments never count (.c, .cs or .patch; repeatable). Default: the handout's skeleton.")]
    public string[]? Base { get; init; }

    [CommandOption("--known <DIR>")]
    [Description("A folder of known solutions (earlier years, public repositories) compared with every submission, listed apart.")]
    public string? Known { get; init; }

    [CommandOption("--threshold <PERCENT>")]
    [Description("List pairs where either side's share reaches this percent (default 40).")]
    public decimal? Threshold { get; init; }

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Path) ? ValidationResult.Error("a path is required")
        : !File.Exists(Path) && !Directory.Exists(Path) ? ValidationResult.Error($"no such file or folder: {Path}")
        : string.IsNullOrWhiteSpace(Out) || File.Exists(Out) ? ValidationResult.Error($"--out needs a folder, got '{Out}'")
        : SimilarityRun.Validate(Base, Known, Threshold) is { } error ? ValidationResult.Error(error)
        : ValidationResult.Success();
}

/// <summary><c>similarity &lt;path&gt;</c>: which submissions share code, without grading anything.</summary>
internal sealed class SimilarityCommand(CliConsoles consoles) : AutograderCommand<SimilaritySettings>(consoles)
{
    protected override string? LogDirectory(SimilaritySettings settings) => System.IO.Path.GetFullPath(settings.Out);

    protected override Task<int> RunAsync(SimilaritySettings settings, CancellationToken cancellationToken)
    {
        using var intake = Intake.All(settings.Path);
        if (intake.Submissions.Count == 0)
        {
            throw new OperatorException($"no submissions found in {settings.Path} (looked for .cs, .c, .patch and .diff files)");
        }

        var outDir = System.IO.Path.GetFullPath(settings.Out);
        SimilarityRun.Write(intake.Submissions, settings.Base, settings.Known, settings.Threshold, outDir, linkOverview: false, Consoles.Out);
        return Task.FromResult(ExitCodes.Ok);
    }
}

/// <summary>What <c>similarity</c> and <c>grade --similarity</c> share: the options' checks, the analysis,
/// the files and the console lines.</summary>
internal static class SimilarityRun
{
    private const int ConsolePairs = 10;

    public static string? Validate(string[]? bases, string? known, decimal? threshold) =>
        bases?.FirstOrDefault(b => !File.Exists(b)) is { } missing ? $"--base: no such file: {missing}"
        : known is not null && !Directory.Exists(known) ? $"--known: no such folder: {known}"
        : threshold is < 0 or > 100 ? $"--threshold is a percent between 0 and 100, got {threshold}"
        : null;

    public static SimilarityResult Write(IReadOnlyList<Submission> submissions, string[]? bases, string? known, decimal? threshold, string outDir, bool linkOverview, IAnsiConsole console)
    {
        var options = new SimilarityOptions();
        options = options with
        {
            Threshold = threshold is { } t ? (double)t / 100 : options.Threshold,
            Bases = bases is null or { Length: 0 } ? null : [.. bases.Select(b => SimilarityDocument.Read(SubmissionFinder.FindOne(b), options.MaxSourceChars))],
        };
        if (options.Bases?.FirstOrDefault(b => b.Problem is not null) is { } bad)
        {
            throw new OperatorException($"--base {bad.Id}: {bad.Problem}");
        }

        var knownSubmissions = known is null ? [] : SubmissionFinder.Find(known);
        var result = SimilarityAnalysis.Run(
            [.. submissions.Select(s => SimilarityDocument.Read(s, options.MaxSourceChars))],
            [.. knownSubmissions.Select(s => SimilarityDocument.Read(s, options.MaxSourceChars))],
            options);
        Directory.CreateDirectory(outDir);
        SimilarityReport.Write(result, outDir, linkOverview);

        var from = SimilarityReport.Percent(options.Threshold);
        console.MarkupLine($"similarity (not proof): {result.PairsAboveThreshold} pair(s) of {result.Submissions} submissions from {from}%"
            + (known is null ? "" : $", {result.KnownAboveThreshold} with the {result.Known} known solution(s)"));
        foreach (var pair in result.Pairs.Concat(result.KnownPairs).Take(ConsolePairs))
        {
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"  {SimilarityReport.Percent(pair.ShareA),3}% {Markup.Escape(pair.A.Id)}  {SimilarityReport.Percent(pair.ShareB),3}% {Markup.Escape(pair.B.Id)}"));
        }

        console.MarkupLine($"open [link]{Markup.Escape(Path.Combine(outDir, SimilarityReport.PageName))}[/]");
        return result;
    }
}
