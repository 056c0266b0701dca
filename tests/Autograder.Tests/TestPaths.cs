namespace Autograder.Tests;

/// <summary>Where the repository's data files (examples/, rubrics/) are, found from the test binaries.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Autograder.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Autograder.sln not found above " + AppContext.BaseDirectory);
    });

    public static string RepoRoot => Root.Value;

    public static string Examples => Path.Combine(RepoRoot, "examples");
}
