using System.ComponentModel;
using Autograder.Submissions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Autograder.Cli.Commands;

internal sealed class GradeSettings : OutputSettings
{
    [CommandArgument(0, "<path>")]
    [Description("A submission (.cs, .c, .patch, .diff file), a folder of submissions, or an LMS zip (one folder per student, or Canvas's flat layout).")]
    public string Path { get; init; } = "";

    [CommandOption("--rubric <FILE>")]
    [Description("Rubric YAML (default: the built-in virt-101 rubric).")]
    public string? Rubric { get; init; }

    [CommandOption("-j|--jobs <N>")]
    [Description("Submissions graded in parallel (default: cores + 1).")]
    public int? Jobs { get; init; }

    [CommandOption("--only <CHECKS>")]
    [Description("Run only these check ids, comma-separated (e.g. rand,seed).")]
    public string? Only { get; init; }

    [CommandOption("--fail-under <PERCENT>")]
    [Description("Exit 3 when any submission scores below this percent of its maximum (0-100).")]
    public decimal? FailUnder { get; init; }

    [CommandOption("--shard <I/N>")]
    [Description("Grade only shard I of N (1-based): a stable share of the submissions, by a hash of their ids. Combine the shards with merge. 'auto' takes I and N from a Kubernetes Indexed Job, a Slurm array or AUTOGRADER_SHARD.")]
    public string? Shard { get; init; }

    [CommandOption("--visibility <WHO>")]
    [Description("instructor (every check) or student (visible checks only).")]
    [DefaultValue("instructor")]
    public string Visibility { get; init; } = "instructor";

    [CommandOption("--seed <N>")]
    [Description("Seed of the randomly drawn test cases, to replay a run (default: drawn and recorded in results.json).")]
    public int? Seed { get; init; }

    [CommandOption("--traces <WHICH>")]
    [Description("Which checks keep their trace in the results: failed (checks that did not pass; a passed check keeps a summary line) or all.")]
    [DefaultValue("failed")]
    public string Traces { get; init; } = "failed";

    [CommandOption("--no-cache")]
    [Description("Grade every submission afresh instead of reusing the results of unchanged ones.")]
    public bool NoCache { get; init; }

    [CommandOption("--similarity")]
    [Description("Also write similarity.html and similarity.csv: which submissions share code beyond the handout's skeleton (similarity, not proof; no grade changes).")]
    public bool Similarity { get; init; }

    [CommandOption("--base <FILE>")]
    [Description("With --similarity: starter code whose fragments never count (.c, .cs or .patch; repeatable). Default: the handout's skeleton.")]
    public string[]? Base { get; init; }

    [CommandOption("--known <DIR>")]
    [Description("With --similarity: a folder of known solutions compared with every submission, listed apart.")]
    public string? Known { get; init; }

    [CommandOption("--threshold <PERCENT>")]
    [Description("With --similarity: list pairs where either side's share reaches this percent (default 40).")]
    public decimal? Threshold { get; init; }

    public Shard? ParsedShard => Shard is not null && TryShard(out var shard, out _) ? shard : null;

    private bool TryShard(out Shard shard, out string error) => Shard == "auto"
        ? Submissions.Shard.TryFromEnvironment(Environment.GetEnvironmentVariable, out shard, out error)
        : Submissions.Shard.TryParse(Shard, out shard, out error);

    public IReadOnlySet<string>? OnlyChecks =>
        Only is null ? null : SplitList(Only).ToHashSet(StringComparer.Ordinal);

    public override ValidationResult Validate()
    {
        var common = base.Validate();
        if (!common.Successful)
        {
            return common;
        }
        return CommonGradingValidation.Validate(Path, Rubric) is { } error ? ValidationResult.Error(error)
            : Jobs is < 1 ? ValidationResult.Error($"--jobs must be at least 1, got {Jobs}")
            : FailUnder is < 0 or > 100 ? ValidationResult.Error($"--fail-under is a percent between 0 and 100, got {FailUnder}")
            : Shard is not null && !TryShard(out _, out var shardError) ? ValidationResult.Error(shardError)
            : Visibility is not ("instructor" or "student") ? ValidationResult.Error($"--visibility must be instructor or student, got '{Visibility}'")
            : Only is not null && OnlyChecks!.Count == 0 ? ValidationResult.Error("--only needs at least one check id")
            : !Similarity && (Base is not null || Known is not null || Threshold is not null) ? ValidationResult.Error("--base, --known and --threshold need --similarity")
            : Similarity && SimilarityRun.Validate(Base, Known, Threshold) is { } similarityError ? ValidationResult.Error(similarityError)
            : Traces is not ("failed" or "all") ? ValidationResult.Error($"--traces must be failed or all, got '{Traces}'")
            : ValidationResult.Success();
    }
}

/// <summary>Checks shared by the commands that grade.</summary>
internal static class CommonGradingValidation
{
    public static string? Validate(string? path, string? rubric)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "a path to grade is required";
        }
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            return $"no such file or folder: {path}";
        }
        return rubric is not null && !File.Exists(rubric) ? $"--rubric: no such file: {rubric}" : null;
    }
}
