using System.Diagnostics;
using System.Globalization;
using Autograder.Report;
using Autograder.Similarity;
using Autograder.Submissions;

namespace Autograder.Benchmarks;

/// <summary>
/// <c>--similarity --submissions N --out DIR [--examples DIR]</c>: the similarity of a class of N (issue 19).
/// The class is the class benchmark's (every example cycled, each copy textually distinct), which is a hard
/// case for the index: every example's copies share all their fingerprints, so there are thousands of
/// similar pairs to count and rank. Prints the time of each phase; nothing is graded.
/// </summary>
internal static class SimilarityBenchmark
{
    public static int Run(string[] args)
    {
        var submissions = 1000;
        string? outDir = null;
        string? examples = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--submissions":
                    submissions = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--out":
                    outDir = args[i + 1];
                    break;
                case "--examples":
                    examples = args[i + 1];
                    break;
                default:
                    Console.Error.WriteLine("usage: Autograder.Benchmarks --similarity --submissions N --out DIR [--examples DIR]");
                    return 2;
            }
        }

        if (outDir is null || submissions < 2)
        {
            Console.Error.WriteLine("--out DIR is required and --submissions must be at least 2");
            return 2;
        }

        outDir = Path.GetFullPath(outDir);
        var classDir = Path.Combine(outDir, "class");
        if (Directory.Exists(classDir))
        {
            Directory.Delete(classDir, recursive: true);
        }

        var templates = Generator.LoadTemplates(examples ?? ClassBenchmark.FindExamples());
        // Ordinary drivers only: correct and ordinarily wrong ones are what gets compared.
        var kinds = Enumerable.Repeat(Generator.Kinds.Ordinary, submissions).ToList();
        for (var i = 0; i < submissions; i++)
        {
            Generator.Write(classDir, templates, kinds, i, "similarity");
        }

        var total = Stopwatch.StartNew();
        var phase = Stopwatch.StartNew();
        var options = new SimilarityOptions();
        var documents = SubmissionFinder.Find(classDir).Select(s => SimilarityDocument.Read(s, options.MaxSourceChars)).ToList();
        var read = phase.Elapsed;

        phase.Restart();
        var result = SimilarityAnalysis.Run(documents, [], options);
        var analysed = phase.Elapsed;

        phase.Restart();
        SimilarityReport.Write(result, outDir, linkOverview: false);
        var written = phase.Elapsed;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            similarity of {submissions} submissions ({templates.Count} examples cycled), {Environment.ProcessorCount} cores
              find + read        {read.TotalSeconds,6:0.00} s
              fingerprint + pairs {analysed.TotalSeconds,5:0.00} s  ({result.PairsAboveThreshold} pairs from {options.Threshold:P0}, {result.CommonFingerprints} common fingerprints skipped)
              write the report   {written.TotalSeconds,6:0.00} s  ({result.Pairs.Count} pairs listed)
              total              {total.Elapsed.TotalSeconds,6:0.00} s
            """));
        return 0;
    }
}
