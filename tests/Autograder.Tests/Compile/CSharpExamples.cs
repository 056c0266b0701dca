namespace Autograder.Tests.Compile;

/// <summary>The sample submissions under examples/, read as data files from the repository.</summary>
internal static class CSharpExamples
{
    public static string RepoRoot => TestPaths.RepoRoot;

    /// <summary>The .cs files of one example folder (e.g. "csharp/reference"), as (relative path, text).</summary>
    public static IReadOnlyList<(string Path, string Text)> Sources(string example)
    {
        var dir = Path.Combine(RepoRoot, "examples", example);
        return [.. Directory.GetFiles(dir, "*.cs").Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllText(f)))];
    }

    /// <summary>1-based line of the first line containing <paramref name="needle"/> in the example's only file.</summary>
    public static int LineOf(string example, string needle)
    {
        var lines = Sources(example).Single().Text.Split('\n');
        var index = Array.FindIndex(lines, l => l.Contains(needle, StringComparison.Ordinal));
        return index < 0 ? throw new InvalidOperationException($"{needle} not in {example}") : index + 1;
    }

    public static IEnumerable<string> Folders(string under) =>
        Directory.GetDirectories(Path.Combine(RepoRoot, "examples", under)).Select(Path.GetFileName).Order(StringComparer.Ordinal)!;
}
