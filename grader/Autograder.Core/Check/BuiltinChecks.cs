using Autograder.Check.Builtin;

namespace Autograder.Check;

/// <summary>The built-in checks of the virt-101 rubric, by id ("build" is judged by the pipeline itself).</summary>
internal static class BuiltinChecks
{
    public static IReadOnlyList<ICheck> All { get; } =
    [
        new LoadCheck(), new DmesgCheck(), new IoctlEncodingCheck(), new RandCheck(), new SeedCheck(),
        new DeterminismCheck(), new EfaultCheck(), new EnottyCheck(), new UserMemoryCheck(), new UnloadCheck(),
        new ErrorPathsCheck(), new KbuildCheck(),
    ];

    /// <summary>Every id a rubric may name without a plugin.</summary>
    public static IReadOnlyCollection<string> Ids { get; } = [.. All.Select(c => c.Id).Append("build")];
}
