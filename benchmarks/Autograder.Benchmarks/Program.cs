using System.Globalization;
using Autograder.Pipeline;
using BenchmarkDotNet.Running;

namespace Autograder.Benchmarks;

/// <summary>
/// <c>--submissions N --out DIR [--jobs J] [--examples DIR]</c>: the class benchmark (issue 8).
/// <c>--micro [BenchmarkDotNet args]</c>: the micro-benchmarks of the hot paths.
/// <c>--similarity --submissions N --out DIR</c>: the similarity of a class (see <see cref="SimilarityBenchmark"/>).
/// <c>--student-loop [--cli PATH]</c>: a student's <c>autograder check</c>, cold and warm.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--micro")
        {
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
            return 0;
        }

        if (args.Length > 0 && args[0] == "--similarity")
        {
            return SimilarityBenchmark.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "--student-loop")
        {
            return StudentLoop.Run(args.Length > 2 && args[1] == "--cli" ? args[2] : null, ClassBenchmark.FindExamples());
        }

        var submissions = 200;
        var mix = new Generator.Mix();
        string? outDir = null;
        var jobs = GradeOptions.DefaultJobs;
        string? examples = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--submissions" when value is not null:
                    submissions = int.Parse(value, CultureInfo.InvariantCulture);
                    i++;
                    break;
                case "--out" when value is not null:
                    outDir = value;
                    i++;
                    break;
                case "--jobs" when value is not null:
                    jobs = int.Parse(value, CultureInfo.InvariantCulture);
                    i++;
                    break;
                case "--mix" when value is not null:
                    mix = Generator.Mix.Parse(value);
                    i++;
                    break;
                case "--examples" when value is not null:
                    examples = value;
                    i++;
                    break;
                default:
                    await Console.Error.WriteLineAsync(
                        "usage: Autograder.Benchmarks --submissions N --out DIR [--jobs J] [--examples DIR] [--mix hang=3,crash=5,flood=2,compile-error=5]\n" +
                        "       Autograder.Benchmarks --student-loop [--cli PATH-TO-autograder]\n" +
                        "       Autograder.Benchmarks --micro [BenchmarkDotNet arguments, e.g. --filter '*']");
                    return 2;
            }
        }

        if (outDir is null || submissions < 1)
        {
            await Console.Error.WriteLineAsync("--out DIR is required and --submissions must be at least 1");
            return 2;
        }

        examples ??= ClassBenchmark.FindExamples();
        return await ClassBenchmark.RunAsync(new ClassBenchmark.Settings(submissions, Path.GetFullPath(outDir), Math.Max(1, jobs), examples, mix));
    }
}
