using System.ComponentModel;
using Autograder.Model;
using Autograder.Pipeline;
using Autograder.Report;
using Autograder.Submissions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Autograder.Cli.Commands;

internal sealed class MergeSettings : OutputSettings
{
    [CommandArgument(0, "<results>")]
    [Description("The results.json of each shard (grade --shard i/n).")]
    public string[] Results { get; init; } = [];

    [CommandOption("--allow-partial")]
    [Description("Accept a merge that lacks some shards (the run is still marked incomplete); without it a missing shard is exit 5.")]
    public bool AllowPartial { get; init; }

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
        var missing = RunMerger.MissingShards(runs.Select(r => r.Item2));
        if (missing.Count > 0)
        {
            var which = $"shard{(missing.Count == 1 ? "" : "s")} {string.Join(", ", missing)}";
            if (!settings.AllowPartial)
            {
                Consoles.Error.MarkupLine($"[red]incomplete:[/] {Markup.Escape(which)} missing: the merged run is marked incomplete (add the missing results.json, or --allow-partial to accept it)");
                return Task.FromResult(ExitCodes.Incomplete);
            }
            Consoles.Out.MarkupLine($"[yellow]note:[/] {Markup.Escape(which)} missing (--allow-partial): the merged run is marked incomplete");
        }
        else if (!merged.Complete)
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
        var missing = MissingShards(runs.Select(r => r.Run));
        return first.Run with
        {
            Complete = runs.All(r => r.Run.Complete) && missing.Count == 0,
            Shard = null,
            // One seed replays the whole merged run only when every shard used it.
            RandomSeed = seeds.Count == 1 ? seeds[0] : null,
            StartedAt = runs.Select(r => r.Run.StartedAt).Where(t => t is not null).DefaultIfEmpty().Min(),
            Submissions = runs.SelectMany(r => r.Run.Submissions).OrderBy(s => s.Id, StringComparer.Ordinal).ToList(),
            Warnings = [.. runs.SelectMany(r => r.Run.Warnings).Distinct(StringComparer.Ordinal),
                .. missing.Count == 0 ? [] : new[] { $"incomplete: shard{(missing.Count == 1 ? "" : "s")} {string.Join(", ", missing)} not merged" }],
        };
    }

    /// <summary>The "i/n" shards absent from a merge of sharded runs (none when no run was sharded). Runs cut
    /// into different numbers of shards, or one shard given twice, are refused: their union is not a class.</summary>
    public static IReadOnlyList<string> MissingShards(IEnumerable<GradingRun> runs)
    {
        var shards = new List<Shard>();
        foreach (var run in runs)
        {
            if (run.Shard is null)
            {
                continue;
            }
            if (!Shard.TryParse(run.Shard, out var shard, out var error))
            {
                throw new OperatorException($"a results.json records a bad shard: {error}");
            }
            shards.Add(shard);
        }
        if (shards.Count == 0)
        {
            return [];
        }
        var counts = shards.Select(s => s.Count).Distinct().ToList();
        if (counts.Count > 1)
        {
            throw new OperatorException($"the shards come from different splits ({string.Join(", ", shards.Select(s => s.ToString()).Distinct())}): grade every shard with the same --shard i/N");
        }
        if (shards.GroupBy(s => s.Index).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new OperatorException($"shard {twice.Key}/{counts[0]} is given twice");
        }
        return [.. Enumerable.Range(1, counts[0]).Where(i => shards.All(s => s.Index != i)).Select(i => $"{i}/{counts[0]}")];
    }

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;
}
