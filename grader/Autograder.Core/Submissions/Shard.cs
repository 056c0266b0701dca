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
