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
