using Autograder.Compile;
using Autograder.Load;
using Autograder.Submissions;

namespace Autograder.Pipeline;

/// <summary>C# drivers: Roslyn against the kernel-API assembly, in a sandboxed compile service; run in a worker.</summary>
internal sealed class CSharpBuilder(CSharpCompileService compiler) : ISubmissionBuilder
{
    public BuildResult Build(Submission submission)
    {
        var (files, notes, problem) = SourceLoader.Read(submission);
        if (problem is not null)
        {
            return new BuildResult { Sources = [], Failure = problem };
        }

        var build = compiler.Compile(files);
        var diagnostics = notes.Concat(build.Diagnostics).ToList();
        if (build.GraderGap is not null)
        {
            return new BuildResult { Sources = SourceLoader.ForReport(files), Diagnostics = diagnostics, GraderGap = build.GraderGap };
        }

        if (!build.Success || build.Assembly is null)
        {
            var failed = BuildResult.DoesNotCompile(files, diagnostics);
            return build.Failure is null ? failed : failed with { Failure = build.Failure };
        }

        var assembly = build.Assembly;
        return new BuildResult
        {
            Sources = SourceLoader.ForReport(files),
            Diagnostics = diagnostics,
            CreateHost = launcher => new CSharpDriverHost(assembly, launcher),
        };
    }
}

/// <summary>A language this machine cannot grade safely (a tool of ours is missing): the grader's gap, not the student's.</summary>
internal sealed class UnavailableBuilder(string why) : ISubmissionBuilder
{
    public BuildResult Build(Submission submission)
    {
        var (files, _, problem) = SourceLoader.Read(submission);
        return problem is not null
            ? new BuildResult { Sources = [], Failure = problem }
            : new BuildResult { Sources = SourceLoader.ForReport(files), GraderGap = why };
    }
}

/// <summary>C drivers: gcc -c against our kernel headers; the prebuilt host loads the object.</summary>
internal sealed partial class CBuilder(CCompiler compiler) : ISubmissionBuilder
{
    public const string DriverPath = "drivers/misc/my-rng.c";

    public BuildResult Build(Submission submission)
    {
        // Headers next to the sources belong to the driver (#include "my-rng.h").
        var headers = submission.Files.Select(Path.GetDirectoryName).Distinct()
            .SelectMany(d => Directory.Exists(d) ? Directory.GetFiles(d, "*.h") : [])
            .Order(StringComparer.Ordinal);
        var (files, notes, problem) = SourceLoader.Read(submission with { Files = [.. submission.Files, .. headers] });
        if (problem is not null)
        {
            return new BuildResult { Sources = [], Failure = problem };
        }

        // A patch is graded by the my-rng.c it creates; hand-ins often carry other patches too (the
        // student's qemu.patch), which are kept for the report but not compiled.
        var sources = new List<(string Path, string Text)>();
        var patches = files.Where(f => f.Path.EndsWith(".patch", StringComparison.OrdinalIgnoreCase) || f.Path.EndsWith(".diff", StringComparison.OrdinalIgnoreCase)).ToList();
        var problems = new List<string>();
        foreach (var patch in patches)
        {
            var driver = PatchExtractor.ExtractMyRng(patch.Text, out var patchProblem);
            if (driver is not null && sources.Count == 0)
            {
                sources.Add((DriverPath, driver));
            }
            else if (driver is null)
            {
                problems.Add($"{patch.Path}: {patchProblem}");
            }
        }

        if (patches.Count > 0 && sources.Count == 0)
        {
            return new BuildResult { Sources = SourceLoader.ForReport(files), Failure = string.Join("; ", problems) };
        }

        sources.AddRange(files.Where(f => !patches.Contains(f)));

        // Hand-ins often include the student's user-space test program; it is not part of the driver.
        var userland = sources.Where(f => f.Path.EndsWith(".c", StringComparison.Ordinal) && IsUserProgram(f.Text)).ToList();
        var compiled = sources.Count(f => f.Path.EndsWith(".c", StringComparison.Ordinal)) > userland.Count
            ? [.. sources.Except(userland)]
            : sources;
        notes.AddRange(userland.Where(_ => compiled != sources).Select(f => new Model.Diagnostic("warning", f.Path, 1, 1, "a user-space program (it has main() and libc headers): kept for the report, not compiled into the driver")));
        if (compiler.Unavailable is { } missing)
        {
            return new BuildResult { Sources = SourceLoader.ForReport(sources), GraderGap = missing };
        }

        // A stray my-rng-old.c beside my-rng.c is two drivers, not one in two files: say so, not "multiple definition".
        var drivers = compiled.Where(f => f.Path.EndsWith(".c", StringComparison.Ordinal) && DefinesModuleInit().IsMatch(f.Text)).Select(f => f.Path).ToList();
        if (drivers.Count > 1)
        {
            var names = string.Join(", ", drivers.Take(drivers.Count - 1)) + " and " + drivers[^1];
            return BuildResult.DoesNotCompile(sources, [.. notes, new Model.Diagnostic("error", drivers[1], 1, 1,
                $"{names} {(drivers.Count == 2 ? "both" : "all")} define module_init: hand in one driver file")]);
        }

        var build = compiler.Compile(submission.Id, compiled);
        var diagnostics = notes.Concat(KernelApiChanges.Annotate(build.Diagnostics).Select(StudentFacing)).ToList();
        if (build.GraderGap is not null)
        {
            CCompiler.Delete(build);
            return new BuildResult { Sources = SourceLoader.ForReport(sources), Diagnostics = diagnostics, GraderGap = build.GraderGap, ModelGap = KernelOracle.GapName(build.GraderGap) };
        }

        if (!build.Success || build.Driver is null)
        {
            CCompiler.Delete(build);
            // Does Linux compile what our model rejected? Then the model lacks something: our fault, not the student's.
            if (build.Rejected && KernelOracle.Judge(compiled, build.Diagnostics) is { } oracle)
            {
                return new BuildResult { Sources = SourceLoader.ForReport(sources), Diagnostics = diagnostics, GraderGap = oracle.Gap, ModelGap = oracle.Name };
            }

            return BuildResult.DoesNotCompile(sources, diagnostics);
        }

        var built = build.Driver;
        return new BuildResult
        {
            Sources = SourceLoader.ForReport(sources),
            Diagnostics = diagnostics,
            CreateHost = launcher => new CDriverHost(built, launcher),
            Cleanup = () => CCompiler.Delete(build),
        };
    }

    /// <summary>What the student reads names their code, not ours: the model's module_init/module_exit symbols
    /// and the build's private folders stay out of messages.</summary>
    internal static Model.Diagnostic StudentFacing(Model.Diagnostic d) =>
        d with { Message = InternalNames().Replace(d.Message, m => m.Value switch
        {
            "__ag_initcall" => "module_init",
            "__ag_exitcall" => "module_exit",
            _ => m.Value.StartsWith("__ag_", StringComparison.Ordinal) ? "a kernel-model symbol" : "",
        }) };

    [System.Text.RegularExpressions.GeneratedRegex(@"__ag_\w+|(?:/tmp|/var/tmp)/autograder-[^\s:;'`""]*")]
    private static partial System.Text.RegularExpressions.Regex InternalNames();

    [System.Text.RegularExpressions.GeneratedRegex(@"(?m)^[ \t]*(?:module_init|module_pci_driver|module_platform_driver|module_misc_device)[ \t]*\(")]
    private static partial System.Text.RegularExpressions.Regex DefinesModuleInit();

    internal static bool IsUserProgram(string text) =>
        UserMain().IsMatch(text) && UserHeaders().IsMatch(text);

    [System.Text.RegularExpressions.GeneratedRegex(@"\bint\s+main\s*\(")]
    private static partial System.Text.RegularExpressions.Regex UserMain();

    [System.Text.RegularExpressions.GeneratedRegex(@"#\s*include\s*<(stdio|stdlib|fcntl|unistd|sys/ioctl)\.h>")]
    private static partial System.Text.RegularExpressions.Regex UserHeaders();
}
