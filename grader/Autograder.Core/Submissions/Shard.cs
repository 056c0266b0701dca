using System.Globalization;
using System.Text;

namespace Autograder.Submissions;

/// <summary>
/// One share of a batch: shard <see cref="Index"/> of <see cref="Count"/> (1-based), so a large course fans
/// out over a CI matrix and merges. A submission belongs to shard (FNV-1a-32(UTF-8 id) mod n) + 1: the
/// hash is fixed by this code, not by the runtime (string.GetHashCode is randomized per process), so every
/// machine of the matrix agrees, and a submission's shard depends only on its own id, not on which
/// other submissions exist.
/// </summary>
internal readonly record struct Shard(int Index, int Count)
{
    /// <summary>Parses "i/n" with 1 &lt;= i &lt;= n; <paramref name="error"/> says what is wrong otherwise.</summary>
    public static bool TryParse(string? text, out Shard shard, out string error)
    {
        shard = default;
        var parts = (text ?? "").Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            error = $"--shard must look like i/n (e.g. 2/4), got '{text}'";
            return false;
        }
        if (count < 1 || index < 1 || index > count)
        {
            error = $"--shard {text}: need 1 <= i <= n";
            return false;
        }
        shard = new Shard(index, count);
        error = "";
        return true;
    }

    /// <summary>What <c>--shard auto</c> reads, in order.</summary>
    public const string AutoSources = "AUTOGRADER_SHARD=i/n (a CI matrix), JOB_COMPLETION_INDEX with JOB_COMPLETIONS (a Kubernetes Indexed Job), SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT (a Slurm array)";

    /// <summary>
    /// The shard a job engine assigned to this process: an explicit <c>AUTOGRADER_SHARD=i/n</c> (set from a CI
    /// matrix), a Kubernetes Indexed Job (JOB_COMPLETION_INDEX is 0-based; the count is not in the pod's
    /// environment, so the manifest passes spec.completions as JOB_COMPLETIONS), or a Slurm array (task ids
    /// start at SLURM_ARRAY_TASK_MIN, 0 when unset).
    /// </summary>
    public static bool TryFromEnvironment(Func<string, string?> env, out Shard shard, out string error)
    {
        if (env("AUTOGRADER_SHARD") is { Length: > 0 } explicitShard)
        {
            return TryParse(explicitShard, out shard, out error) || Fail(out shard, out error, $"AUTOGRADER_SHARD: {error}");
        }
        if (env("JOB_COMPLETION_INDEX") is { Length: > 0 } index)
        {
            return FromIndex("JOB_COMPLETION_INDEX", index, 0, "JOB_COMPLETIONS", env("JOB_COMPLETIONS"), out shard, out error);
        }
        if (env("SLURM_ARRAY_TASK_ID") is { Length: > 0 } task)
        {
            var min = env("SLURM_ARRAY_TASK_MIN") is { Length: > 0 } m && int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var first) ? first : 0;
            return FromIndex("SLURM_ARRAY_TASK_ID", task, min, "SLURM_ARRAY_TASK_COUNT", env("SLURM_ARRAY_TASK_COUNT"), out shard, out error);
        }
        return Fail(out shard, out error, $"--shard auto: no shard in the environment; set one of {AutoSources}");
    }

    private static bool FromIndex(string indexName, string index, int first, string countName, string? count, out Shard shard, out string error)
    {
        if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var i))
        {
            return Fail(out shard, out error, $"--shard auto: {indexName}={index} is not a number");
        }
        if (count is null || !int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return Fail(out shard, out error, $"--shard auto: {indexName} is set but {countName} is {(count is null ? "not set" : $"'{count}', not a number")}; set it to the number of shards");
        }
        var text = string.Create(CultureInfo.InvariantCulture, $"{i - first + 1}/{n}");
        return TryParse(text, out shard, out error) || Fail(out shard, out error, $"--shard auto: {indexName}={index} of {countName}={count} is out of range ({error})");
    }

    private static bool Fail(out Shard shard, out string error, string message)
    {
        shard = default;
        error = message;
        return false;
    }

    /// <summary>The 1-based shard a submission id belongs to among <paramref name="count"/> shards.</summary>
    public static int Of(string id, int count) => (int)(Fnv1a32(id) % (uint)count) + 1;

    public bool Contains(string id) => Of(id, Count) == Index;

    public IReadOnlyList<Submission> Select(IReadOnlyList<Submission> submissions)
    {
        var shard = this;
        return submissions.Where(s => shard.Contains(s.Id)).ToList();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    internal static uint Fnv1a32(string text)
    {
        const uint offsetBasis = 2166136261;
        const uint prime = 16777619;
        var hash = offsetBasis;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * prime);
        }
        return hash;
    }
}
