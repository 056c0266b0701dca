using Autograder.Compile;
using Autograder.Load;
using Autograder.Submissions;

namespace Autograder.Pipeline;

/// <summary>C# drivers: Roslyn in memory against the kernel-API assembly; run in the worker.</summary>
internal sealed class CSharpBuilder(CSharpCompiler compiler) : ISubmissionBuilder
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
        if (!build.Success || build.Assembly is null)
        {
            var errors = diagnostics.Count(d => d.Severity == "error");
            return new BuildResult
            {
                Sources = SourceLoader.ForReport(files),
                Diagnostics = diagnostics,
                Failure = $"The driver does not compile ({errors} error{(errors == 1 ? "" : "s")}).",
            };
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

/// <summary>C drivers: gcc against our kernel headers, linked with the kernel model into a host executable.</summary>
internal sealed class CBuilder(CCompiler compiler) : ISubmissionBuilder
{
    public const string DriverPath = "drivers/misc/my-rng.c";

    public BuildResult Build(Submission submission)
    {
        var (files, notes, problem) = SourceLoader.Read(submission);
        if (problem is not null)
        {
            return new BuildResult { Sources = [], Failure = problem };
        }

        // A patch is graded by the my-rng.c it creates; the patch itself is kept for the report.
        var sources = new List<(string Path, string Text)>();
        var patches = files.Where(f => f.Path.EndsWith(".patch", StringComparison.OrdinalIgnoreCase) || f.Path.EndsWith(".diff", StringComparison.OrdinalIgnoreCase)).ToList();
        foreach (var patch in patches)
        {
            var driver = PatchExtractor.ExtractMyRng(patch.Text, out var patchProblem);
            if (driver is null)
            {
                return new BuildResult { Sources = SourceLoader.ForReport(files), Failure = $"{patch.Path}: {patchProblem}" };
            }

            sources.Add((DriverPath, driver));
        }

        sources.AddRange(files.Where(f => !patches.Contains(f)));
        if (compiler.Unavailable is { } missing)
        {
            return new BuildResult { Sources = SourceLoader.ForReport(sources), GraderGap = missing };
        }

        var build = compiler.Compile(submission.Id, sources);
        var diagnostics = notes.Concat(build.Diagnostics).ToList();
        if (build.GraderGap is not null)
        {
            CCompiler.Delete(build);
            return new BuildResult { Sources = SourceLoader.ForReport(sources), Diagnostics = diagnostics, GraderGap = build.GraderGap };
        }

        if (!build.Success || build.ExecutablePath is null)
        {
            CCompiler.Delete(build);
            var errors = diagnostics.Count(d => d.Severity == "error");
            return new BuildResult
            {
                Sources = SourceLoader.ForReport(sources),
                Diagnostics = diagnostics,
                Failure = $"The driver does not compile ({errors} error{(errors == 1 ? "" : "s")}).",
            };
        }

        var executable = build.ExecutablePath;
        return new BuildResult
        {
            Sources = SourceLoader.ForReport(sources),
            Diagnostics = diagnostics,
            CreateHost = launcher => new CDriverHost(executable, launcher),
            Cleanup = () => CCompiler.Delete(build),
        };
    }
}
