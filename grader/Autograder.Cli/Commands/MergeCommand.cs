using System.ComponentModel;
using Autograder.Model;
using Autograder.Pipeline;
using Autograder.Report;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Autograder.Cli.Commands;

internal sealed class MergeSettings : OutputSettings
{
    [CommandArgument(0, "<results>")]
    [Description("The results.json of each shard (grade --shard i/n).")]
    public string[] Results { get; init; } = [];

    public override ValidationResult Validate()
    {
        var common = base.Validate();
        if (!common.Successful)
        {
            return common;
        }
        var missing = Results.FirstOrDefault(r => !File.Exists(r));
        return Results.Length == 0 ? ValidationResult.Error("merge needs at least one results.json")
            : missing is not null ? ValidationResult.Error($"no such file: {missing}")
            : ValidationResult.Success();
    }
}

/// <summary><c>merge &lt;results.json&gt;... --out DIR</c>: one run from the shards of a CI matrix.</summary>
internal sealed class MergeCommand(CliConsoles consoles) : AutograderCommand<MergeSettings>(consoles)
{
    protected override string? LogDirectory(MergeSettings settings) => settings.OutDirectory;

    protected override Task<int> RunAsync(MergeSettings settings, CancellationToken cancellationToken)
    {
        var runs = settings.Results.Select(path => (path, Reports.ReadResults(path))).ToList();
        var merged = RunMerger.Merge(runs);
        WriteReports(RunResults.InMemory(merged), settings, merged.Warnings);
        if (!merged.Complete)
        {
            Consoles.Out.MarkupLine("[yellow]note:[/] at least one shard was interrupted: the merged run is marked incomplete");
        }
        return Task.FromResult(ExitCodes.Ok);
    }
}

/// <summary>Combines shard runs. Shards must come from the same rubric (same sha256) and visibility,
/// and no submission may appear twice (a sign of overlapping shards or a repeated file).</summary>
internal static class RunMerger
{
    public static GradingRun Merge(IReadOnlyList<(string Path, GradingRun Run)> runs)
    {
        if (runs.Count == 0)
        {
            throw new OperatorException("merge needs at least one results.json");
        }
        var first = runs[0];
        foreach (var (path, run) in runs.Skip(1))
        {
            if (run.RubricSha256 != first.Run.RubricSha256)
            {
                throw new OperatorException(
                    $"{path} was graded with another rubric ({run.Rubric}, sha256 {Short(run.RubricSha256)}) than {first.Path} ({first.Run.Rubric}, sha256 {Short(first.Run.RubricSha256)})");
            }
            if (run.Visibility != first.Run.Visibility)
            {
                throw new OperatorException($"{path} has visibility {run.Visibility} but {first.Path} has {first.Run.Visibility}");
            }
        }
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, run) in runs)
        {
            foreach (var s in run.Submissions)
            {
                if (!seen.TryAdd(s.Id, path))
                {
                    throw new OperatorException($"submission {s.Id} is in both {seen[s.Id]} and {path}");
                }
            }
        }
        var seeds = runs.Select(r => r.Run.RandomSeed).Distinct().ToList();
        return first.Run with
        {
            Complete = runs.All(r => r.Run.Complete),
            Shard = null,
            // One seed replays the whole merged run only when every shard used it.
            RandomSeed = seeds.Count == 1 ? seeds[0] : null,
            StartedAt = runs.Select(r => r.Run.StartedAt).Where(t => t is not null).DefaultIfEmpty().Min(),
            Submissions = runs.SelectMany(r => r.Run.Submissions).OrderBy(s => s.Id, StringComparer.Ordinal).ToList(),
            Warnings = runs.SelectMany(r => r.Run.Warnings).Distinct(StringComparer.Ordinal).ToList(),
        };
    }

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;
}
