using Autograder.Tests.Native;

namespace Autograder.Tests.Compile;

// The C examples are data for the integration tests; keep each one failing (or not) at build for
// the reason its README gives.
[TestFixture]
public sealed class CExamplesTests
{
    private static readonly Dictionary<string, string> BuildFailures = new()
    {
        ["c/compile-error"] = "expected ';'",
        ["c/libc-call"] = "printf is not a kernel function",
        ["c/class-create-old"] = "too many arguments to function 'class_create'",
        ["hostile/c/exit-call"] = "exit is not a kernel function",
        // Issue 14: what the compile box stops (CompileBoxTests and HostileCompileTests say more).
        ["hostile/c/compile-file-size"] = "exceeded its limit of 64 MiB per file",
        ["hostile/c/compile-incbin-escape"] = "file not found",
        ["hostile/c/compile-incbin-split"] = "file not found",
        ["hostile/c/compile-include-cr"] = "No such file or directory",
        ["hostile/c/compile-include-splice"] = "No such file or directory",
        ["hostile/c/compile-memory"] = "exceeded its limit of 1 GiB of memory",
        ["hostile/c/compile-static-assert-64mb"] = "exceeded its limit of 1 GiB of memory",
    };

    private static IEnumerable<string> Examples()
    {
        var root = Path.Combine(NativeTestSupport.RepoRoot, "examples");
        foreach (var group in new[] { "c", "hostile/c" })
        {
            foreach (var dir in Directory.EnumerateDirectories(Path.Combine(root, group)).Order(StringComparer.Ordinal))
            {
                if (File.Exists(Path.Combine(dir, "my-rng.c")))
                {
                    yield return group + "/" + Path.GetFileName(dir);
                }
            }
        }
    }

    [TestCaseSource(nameof(Examples))]
    public void Example_builds_or_fails_for_its_stated_reason(string example)
    {
        NativeTestSupport.RequireGcc();
        var readme = File.ReadAllText(Path.Combine(NativeTestSupport.RepoRoot, "examples", example, "README.md"));
        Assert.That(readme.Trim().Split('\n'), Has.Length.EqualTo(1), "a one-line README");

        var build = NativeTestSupport.Compiler.Compile(example.Replace('/', '-'), [NativeTestSupport.Example(example)]);

        Assert.That(build.GraderGap, Is.Null);
        if (BuildFailures.TryGetValue(example, out var reason))
        {
            Assert.That(build.Success, Is.False);
            Assert.That(build.Diagnostics.Where(d => d.Severity == "error").Select(d => d.Message), Has.Some.Contains(reason));
        }
        else
        {
            Assert.That(build.Success, Is.True, () => string.Join("; ", build.Diagnostics.Select(d => d.Message)));
        }
    }
}
