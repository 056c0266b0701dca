using Autograder.Tests.Cli;

namespace Autograder.Tests.Integration;

/// <summary>The README's examples are code users copy: they must work as printed.</summary>
public class ReadmeTests
{
    private static string Readme => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));

    private static string Block(string startsWith)
    {
        var start = Readme.IndexOf("```csharp\n" + startsWith, StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), $"no csharp block starting with {startsWith}");
        start += "```csharp\n".Length;
        return Readme[start..Readme.IndexOf("```", start, StringComparison.Ordinal)];
    }

    [Test]
    public void The_driver_api_example_gets_full_marks()
    {
        var dir = Directory.CreateTempSubdirectory("ag-readme-").FullName;
        File.WriteAllText(Path.Combine(dir, "MyRng.cs"), Block("using static Autograder.KernelApi.Kernel;"));
        var run = CliHarness.Run("check", dir);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Out + run.Error);
        Assert.That(run.Out, Does.Contain("100/100"));
    }

    [Test]
    public void The_custom_check_example_is_the_shipped_plugin()
    {
        var shipped = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "rubrics", "examples", "seed-zero.cs"));
        var shown = Block("using Autograder.Check;");
        Assert.That(Normalise(shipped), Does.Contain(Normalise(shown[shown.IndexOf("public sealed class", StringComparison.Ordinal)..])));
    }

    private static string Normalise(string code) => string.Join("\n", code.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
}
