using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Autograder.Compile;
using Autograder.Model;
using Autograder.Pipeline;
using Autograder.Report;
using Autograder.Submissions;

namespace Autograder.Benchmarks;

/// <summary>
/// Grades a generated class through the real pipeline and writes every report, as the CLI's grade does
/// (<see cref="Grader.RunSpooledAsync"/>, default rubric, then <see cref="Reports.Write(IRunResults, string, ReportOptions)"/>),
/// measures the bare compile of the same sources on the same number of cores, then regrades with the
/// result cache after a few "late" submissions changed.
/// </summary>
internal static class ClassBenchmark
{
    public sealed record Settings(int Submissions, string OutDir, int Jobs, string Examples, Generator.Mix Mix);

    public static string FindExamples()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "examples", "csharp")) && Directory.Exists(Path.Combine(dir.FullName, "examples", "c")))
            {
                return Path.Combine(dir.FullName, "examples");
            }
        }

        throw new InvalidOperationException("cannot find examples/ (run from the repository, or pass --examples DIR)");
    }

    public static async Task<int> RunAsync(Settings settings)
    {
        var process = Stopwatch.StartNew();
        // As a user waits: from this process's start (runtime start-up and JIT included).
        var processStart = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        var generation = Stopwatch.StartNew();
        var submissionsDir = Path.Combine(settings.OutDir, "submissions");
        var cacheRoot = Path.Combine(settings.OutDir, "cache");
        var reportsDir = Path.Combine(settings.OutDir, "reports");
        foreach (var dir in new[] { submissionsDir, cacheRoot, reportsDir })
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        var templates = Generator.LoadTemplates(settings.Examples);
        var kinds = Generator.Assign(settings.Submissions, settings.Mix);
        var salt = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < settings.Submissions; i++)
        {
            Generator.Write(submissionsDir, templates, kinds, i, salt);
        }

        var submissions = SubmissionFinder.Find(submissionsDir);
        var csharp = submissions.Count(s => s.Language == Language.CSharp);
        // Writing the class is the benchmark's own work, which a user of grade does not wait for.
        var generationTime = generation.Elapsed;
        Console.WriteLine($"{submissions.Count} submissions ({csharp} C#, {submissions.Count - csharp} C) from {templates.Values.Sum(t => t.Count)} examples, {settings.Jobs} jobs, {Environment.ProcessorCount} cores");
        Console.WriteLine($"mix: {settings.Mix} (--mix hang=3,crash=5,flood=2,compile-error=5)");

        // 1. The real pipeline, cold (Roslyn not yet loaded in this process), then every report, as grade
        //    does: results spool to disk as they come and the exports stream them. The cache is on, as the
        //    CLI's default, but empty: nothing is reused; it is filled for step 3.
        var observer = new Observer(submissions.Count);
        var options = new GradeOptions { Jobs = settings.Jobs, UseCache = true, CacheRoot = cacheRoot };
        var clock = Stopwatch.StartNew();
        observer.Start(clock);
        IReadOnlyList<SubmissionSummary> graded;
        double gradeWall, reportsWall, wall;
        using (var run = await Grader.RunSpooledAsync(submissions, options, observer, reportsDir, CancellationToken.None))
        {
            gradeWall = clock.Elapsed.TotalSeconds;
            var reportsClock = Stopwatch.StartNew();
            Reports.Write(run, reportsDir, new ReportOptions());
            reportsWall = reportsClock.Elapsed.TotalSeconds;
            wall = (DateTime.UtcNow - processStart - generationTime).TotalSeconds;
            graded = run.Summaries;
        }

        var rssEnd = RssMb();
        var heapEnd = Math.Round(GC.GetTotalMemory(forceFullCollection: true) / (1024.0 * 1024.0), 1);
        var resultsJson = Path.Combine(reportsDir, "results.json");
        var resultsMb = new FileInfo(resultsJson).Length / (1024.0 * 1024.0);
        // `report` on the class's own results.json: read it back whole and render every export (after the
        // RSS figures: report holds the whole run in memory, by design).
        var reportClock = Stopwatch.StartNew();
        Reports.Write(Reports.ReadResults(resultsJson), Path.Combine(settings.OutDir, "report"), new ReportOptions());
        var reportCommand = reportClock.Elapsed.TotalSeconds;
        var costs = observer.Costs();
        var faults = graded.Count(s => s.GraderFault || s.Outcome == Outcomes.HarnessError);

        // 2. The bare compile of the same sources on as many cores (Roslyn is warm now: the pipeline used it).
        var bare = BareCompile(submissions, settings.Jobs);

        // 3. Late submissions: 1 % of the class changes, then the class is regraded with the cache.
        var late = Math.Max(1, submissions.Count / 100);
        for (var i = 0; i < late; i++)
        {
            Generator.Write(submissionsDir, templates, kinds, i * (submissions.Count / late), salt + "late");
        }

        var again = SubmissionFinder.Find(submissionsDir);
        var rerunClock = Stopwatch.StartNew();
        using var rerun = await Grader.RunSpooledAsync(again, options, new Observer(again.Count), reportsDir, CancellationToken.None);
        var rerunWall = rerunClock.Elapsed.TotalSeconds;
        var sameGrades = rerun.Summaries.Zip(graded).Count(p => p.First.Id == p.Second.Id && p.First.Score == p.Second.Score);

        var summary = new Summary
        {
            Submissions = submissions.Count,
            WallS = Round(wall),
            GradeS = Round(gradeWall),
            ReportsS = Round(reportsWall),
            ReportCommandS = Round(reportCommand),
            ResultsJsonMb = Round(resultsMb),
            ResultsJsonKbPerSubmission = Round(resultsMb * 1024 / submissions.Count),
            Mix = settings.Mix.ToString(),
            MeanCheckMsByKind = costs.ToDictionary(c => c.Key, c => Round(c.Value.MeanCheckMs)),
            MeanGradeMsByKind = costs.ToDictionary(c => c.Key, c => Round(c.Value.MeanGradeMs)),
            CountByKind = costs.ToDictionary(c => c.Key, c => c.Value.Count),
            HangCostRatio = HangRatios(costs),
            ThroughputPerS = Round(submissions.Count / wall),
            RatioVsBareCompile = Round(wall / bare.Total.TotalSeconds),
            FirstResultMs = Math.Round(observer.FirstResult.TotalMilliseconds),
            RssMbAfter10pct = observer.RssAfter10Percent,
            RssMbAtEnd = rssEnd,
            ManagedHeapMbAtEnd = heapEnd,
            Cores = Environment.ProcessorCount,
            Jobs = settings.Jobs,
            CSharpSubmissions = csharp,
            CSubmissions = submissions.Count - csharp,
            BareCompileS = Round(bare.Total.TotalSeconds),
            BareCompileCSharpS = Round(bare.CSharp.TotalSeconds),
            BareCompileCS = Round(bare.C.TotalSeconds),
            GraderFaults = faults,
            CachedRerunS = Round(rerunWall),
            CachedRerunChanged = late,
            CachedRerunSameScore = sameGrades,
            MeanGradeMs = Round(graded.Average(s => s.DurationMs)),
            MeanGradeCSharpMs = Round(graded.Where(s => s.Language == "csharp").Select(s => (double)s.DurationMs).DefaultIfEmpty().Average()),
            MeanGradeCMs = Round(graded.Where(s => s.Language == "c").Select(s => (double)s.DurationMs).DefaultIfEmpty().Average()),
            ProcessS = Round(process.Elapsed.TotalSeconds),
        };

        File.WriteAllText(Path.Combine(settings.OutDir, "summary.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
        Print(summary);
        return faults == 0 ? 0 : 4;
    }

    private static double Round(double value) => Math.Round(value, 3);

    private static void Print(Summary s)
    {
        var rows = new (string Name, string Value)[]
        {
            ("submissions (C# / C)", $"{s.Submissions} ({s.CSharpSubmissions} / {s.CSubmissions})"),
            ("cores / jobs", $"{s.Cores} / {s.Jobs}"),
            ("wall (start to reports written)", $"{s.WallS:0.00} s"),
            ("  grading", $"{s.GradeS:0.00} s"),
            ("  reports (all formats)", $"{s.ReportsS:0.00} s"),
            ("report (read results.json, all formats)", $"{s.ReportCommandS:0.00} s"),
            ("results.json", $"{s.ResultsJsonMb:0.0} MB ({s.ResultsJsonKbPerSubmission:0.0} KB a submission)"),
            ("throughput", $"{s.ThroughputPerS:0.0} /s"),
            ("bare compile (C# + C)", $"{s.BareCompileS:0.00} s ({s.BareCompileCSharpS:0.00} + {s.BareCompileCS:0.00})"),
            ("ratio vs bare compile", $"{s.RatioVsBareCompile:0.00}"),
            ("first result", $"{s.FirstResultMs:0} ms"),
            ("mean per submission (C# / C)", $"{s.MeanGradeMs:0} ms ({s.MeanGradeCSharpMs:0} / {s.MeanGradeCMs:0})"),
            ("RSS after 10 % / at end", $"{s.RssMbAfter10pct:0} / {s.RssMbAtEnd:0} MB (this process, not its children)"),
            ("managed heap at end (after GC)", $"{s.ManagedHeapMbAtEnd:0} MB"),
            ("grader faults", s.GraderFaults.ToString(CultureInfo.InvariantCulture)),
            ($"cached rerun ({s.CachedRerunChanged} changed)", $"{s.CachedRerunS:0.00} s ({s.CachedRerunSameScore} same scores)"),
        };
        rows = [.. rows, .. s.CountByKind.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k =>
            ($"  {k.Key} ({k.Value})", $"checks {s.MeanCheckMsByKind[k.Key]:0} ms, grade {s.MeanGradeMsByKind[k.Key]:0} ms a submission")),
            .. s.HangCostRatio.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => ($"  hang cost ratio {k.Key}", $"{k.Value:0.00}x a correct one's checks"))];
        var width = rows.Max(r => r.Name.Length);
        Console.WriteLine();
        foreach (var (name, value) in rows)
        {
            Console.WriteLine($"  {name.PadRight(width)}  {value}");
        }
    }

    /// <summary>This process's resident set (MB). Children (workers, C hosts, gcc) are not included.</summary>
    internal static double RssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return Math.Round(kb / 1024.0, 1);
            }
        }

        return 0;
    }

    private sealed record Bare(TimeSpan Total, TimeSpan CSharp, TimeSpan C);

    /// <summary>Compile only: Roslyn (with the allowlist, as the pipeline) for C#; gcc -c with the pipeline's flags for C.</summary>
    private static Bare BareCompile(IReadOnlyList<Submission> submissions, int jobs)
    {
        var (toolchain, _) = NativeToolchain.Shared;
        var work = Path.Combine(Path.GetTempPath(), "ag-bench-bare-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            var compiler = new CSharpCompiler();
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = jobs };
            var clock = Stopwatch.StartNew();
            Parallel.ForEach(submissions.Where(s => s.Language == Language.CSharp), parallel, s =>
                compiler.Compile([.. s.Files.Select(f => (Path.GetFileName(f), File.ReadAllText(f)))]));
            var csharp = clock.Elapsed;
            clock.Restart();
            if (toolchain is not null)
            {
                Parallel.ForEach(submissions.Where(s => s.Language == Language.C), parallel, s =>
                {
                    var dir = Path.Combine(work, s.Id);
                    Directory.CreateDirectory(dir);
                    foreach (var f in s.Files)
                    {
                        var text = File.ReadAllText(f);
                        var name = Path.GetFileName(f);
                        if (name.EndsWith(".patch", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".diff", StringComparison.OrdinalIgnoreCase))
                        {
                            text = PatchExtractor.ExtractMyRng(text, out _) ?? "";
                            name = "my-rng.c";
                        }

                        File.WriteAllText(Path.Combine(dir, name), text);
                    }

                    foreach (var unit in Directory.GetFiles(dir, "*.c"))
                    {
                        NativeProcess.Run(toolchain.Gcc, CCompiler.CompileArguments(toolchain, Path.GetFileName(unit), unit + ".o"), dir);
                    }
                });
            }

            return new Bare(csharp + clock.Elapsed, csharp, clock.Elapsed);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Check time of each hang template / that of a correct submission of its language (target ≤ 3).</summary>
    private static Dictionary<string, double> HangRatios(Dictionary<string, KindCost> costs)
    {
        var ratios = new Dictionary<string, double>();
        foreach (var (kind, cost) in costs.Where(c => c.Key.StartsWith(Generator.Kinds.Hang + " ", StringComparison.Ordinal)))
        {
            var language = kind.Contains("csharp", StringComparison.Ordinal) ? "csharp" : "c";
            if (costs.TryGetValue($"correct {language}", out var correct) && correct.MeanCheckMs > 0)
            {
                ratios[kind[(Generator.Kinds.Hang.Length + 1)..]] = Round(cost.MeanCheckMs / correct.MeanCheckMs);
            }
        }

        return ratios;
    }

    /// <summary>Mean costs of one kind of submission: check time (summed over its checks) and grade time (build too).</summary>
    private sealed record KindCost(int Count, double MeanCheckMs, double MeanGradeMs);

    private sealed class Observer(int total) : IGradeObserver
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, (int Count, long CheckMs, long GradeMs)> _costs = [];
        private Stopwatch? _clock;
        private int _done;

        /// <summary>By kind: correct / defective (ordinary ones by their score) and language, and each defect
        /// kind by language; hangs also by template (init or ioctl loop).</summary>
        public Dictionary<string, KindCost> Costs()
        {
            lock (_lock)
            {
                return _costs.ToDictionary(c => c.Key, c => new KindCost(c.Value.Count, (double)c.Value.CheckMs / c.Value.Count, (double)c.Value.GradeMs / c.Value.Count));
            }
        }

        private void Count(SubmissionResult result)
        {
            var kind = Generator.KindOf(result.Id);
            if (kind == Generator.Kinds.Ordinary)
            {
                kind = result.Score == result.MaxScore && result.Outcome == Outcomes.Graded ? "correct" : "defective";
            }

            var checkMs = result.Checks.Sum(c => c.DurationMs);
            var keys = new List<string> { $"{kind} {result.Language}" };
            if (kind == Generator.Kinds.Hang)
            {
                keys.Add($"{kind} {result.Language} {(result.Id.Contains("loop-init", StringComparison.Ordinal) ? "init" : "ioctl")}");
            }

            lock (_lock)
            {
                foreach (var key in keys)
                {
                    var (count, check, grade) = _costs.GetValueOrDefault(key);
                    _costs[key] = (count + 1, check + checkMs, grade + result.DurationMs);
                }
            }
        }

        public TimeSpan FirstResult { get; private set; }
        public double RssAfter10Percent { get; private set; }

        public void Start(Stopwatch clock) => _clock = clock;

        public void OnStart(int count)
        {
        }

        public void OnResult(SubmissionResult result)
        {
            Count(result);
            var done = Interlocked.Increment(ref _done);
            if (done == 1 && _clock is not null)
            {
                FirstResult = _clock.Elapsed;
            }

            if (done == Math.Max(1, total / 10))
            {
                RssAfter10Percent = RssMb();
            }

            if (_clock is not null && (done % Math.Max(1, total / 10) == 0 || done == total))
            {
                // RSS as the class goes: it should level off, whatever the class size.
                Console.WriteLine($"  {done,6}/{total} graded after {_clock.Elapsed.TotalSeconds,7:0.00} s, RSS {RssMb(),4:0} MB");
            }
        }

        public void OnWarning(string message) => Console.WriteLine("warning: " + message);
    }

    private sealed record Summary
    {
        public int Submissions { get; init; }
        public string Mix { get; init; } = "";
        /// <summary>As a user waits: process start to the last report written (less the benchmark's own
        /// writing of the class).</summary>
        public double WallS { get; init; }
        /// <summary>Grading alone (RunSpooledAsync to the last result): what wall_s measured before issue 16.</summary>
        public double GradeS { get; init; }
        /// <summary>Writing every report from the spool, after grading.</summary>
        public double ReportsS { get; init; }
        /// <summary>What `report` does: read results.json back and write every export.</summary>
        public double ReportCommandS { get; init; }
        public double ResultsJsonMb { get; init; }
        public double ResultsJsonKbPerSubmission { get; init; }
        public Dictionary<string, int> CountByKind { get; init; } = [];
        public Dictionary<string, double> MeanCheckMsByKind { get; init; } = [];
        public Dictionary<string, double> MeanGradeMsByKind { get; init; } = [];
        /// <summary>Per hang template (c init, csharp ioctl...): its check time / a correct one's of its language.</summary>
        public Dictionary<string, double> HangCostRatio { get; init; } = [];
        public double ThroughputPerS { get; init; }
        public double RatioVsBareCompile { get; init; }
        public double FirstResultMs { get; init; }
        [System.Text.Json.Serialization.JsonPropertyName("rss_mb_after_10pct")]
        public double RssMbAfter10pct { get; init; }
        public double RssMbAtEnd { get; init; }
        /// <summary>Live managed heap after a full collection, once the reports are written.</summary>
        public double ManagedHeapMbAtEnd { get; init; }
        public int Cores { get; init; }
        public int Jobs { get; init; }
        [System.Text.Json.Serialization.JsonPropertyName("csharp_submissions")]
        public int CSharpSubmissions { get; init; }
        public int CSubmissions { get; init; }
        public double BareCompileS { get; init; }
        [System.Text.Json.Serialization.JsonPropertyName("bare_compile_csharp_s")]
        public double BareCompileCSharpS { get; init; }
        [System.Text.Json.Serialization.JsonPropertyName("bare_compile_c_s")]
        public double BareCompileCS { get; init; }
        public int GraderFaults { get; init; }
        public double CachedRerunS { get; init; }
        public int CachedRerunChanged { get; init; }
        public int CachedRerunSameScore { get; init; }
        public double MeanGradeMs { get; init; }
        [System.Text.Json.Serialization.JsonPropertyName("mean_grade_csharp_ms")]
        public double MeanGradeCSharpMs { get; init; }
        public double MeanGradeCMs { get; init; }
        public double ProcessS { get; init; }
    }
}
