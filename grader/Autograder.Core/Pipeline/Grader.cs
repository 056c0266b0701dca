using System.Reflection;
using Autograder.Check;
using Autograder.Model;
using Autograder.Submissions;

namespace Autograder.Pipeline;

/// <summary>How to grade a batch.</summary>
public sealed record GradeOptions
{
    /// <summary>Rubric file path; null = the embedded default rubrics/virt-101.yaml.</summary>
    public string? RubricPath { get; init; }
    public int Jobs { get; init; } = DefaultJobs;

    /// <summary>One job more than cores: a job spends part of its time waiting on its hosts (every kernel call
    /// is a round trip, hosts start and end), which left ~12 % of 2 cores idle at one job a core; one spare job
    /// filled it (N = 1000: 25.6 -> 23.4 s, benchmarks/README.md).</summary>
    public static int DefaultJobs => Environment.ProcessorCount + 1;
    /// <summary>Only these check ids (null = all).</summary>
    public IReadOnlySet<string>? Only { get; init; }
    /// <summary>"instructor" or "student".</summary>
    public string Visibility { get; init; } = "instructor";
    /// <summary>Recorded as the run's shard ("i/n"); selection is the caller's.</summary>
    public string? Shard { get; init; }
    /// <summary>Seed of the randomly drawn determinism cases; null = draw one (recorded in results, per run and
    /// per submission, so any grading can be replayed).</summary>
    public int? RandomSeed { get; init; }
    /// <summary>Reuse results of unchanged submissions (see <see cref="ResultCache"/>); false = grade everything.</summary>
    public bool UseCache { get; init; } = true;
    /// <summary>Keep the trace of every check; by default a check that passed keeps a one-line summary of it
    /// (a class's results.json is mostly passed checks' traces otherwise: ~100 KB a submission).</summary>
    public bool AllTraces { get; init; }
    /// <summary>Root of the result cache; null = <see cref="ResultCache.DefaultRoot"/>.</summary>
    internal string? CacheRoot { get; init; }

    /// <summary>
    /// Test-only: compile C# drivers without the allowlist, so tests can prove the OS sandbox holds on its
    /// own against the forbidden APIs (issue 5). Internal on purpose: no CLI option reaches it.
    /// </summary>
    internal bool AllowlistOff { get; init; }
}

/// <summary>Receives progress while a batch runs. Called from worker threads: implementations must be thread-safe.</summary>
public interface IGradeObserver
{
    void OnStart(int total);
    void OnResult(SubmissionResult result);
    void OnWarning(string message);
}

/// <summary>An operator mistake (bad rubric, missing path, bad option): exit code 2 with this message.</summary>
public sealed class OperatorException(string message) : Exception(message);

public static class Grader
{
    public static string Version { get; } =
        typeof(Grader).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Loads the rubric named by the options (the embedded default when none) with its plugins.</summary>
    public static (Rubric Rubric, IReadOnlyDictionary<string, ICheck> Checks) LoadRubric(string? path, IReadOnlySet<string>? only = null)
    {
        var rubric = path is null ? RubricLoader.LoadDefault(BuiltinChecks.Ids) : RubricLoader.LoadFile(path, BuiltinChecks.Ids);
        var checks = BuiltinChecks.All.ToDictionary(c => c.Id);
        foreach (var plugin in CheckPlugins.Load(rubric.Plugins))
        {
            if (!checks.TryAdd(plugin.Id, plugin))
            {
                throw new OperatorException($"{rubric.Source}: plugin check '{plugin.Id}' has the id of another check");
            }
        }

        foreach (var entry in rubric.Checks.Where(c => c.Enabled && c.Id is not SubmissionGrader.BuildId && !checks.ContainsKey(c.Id)))
        {
            throw new OperatorException($"{rubric.Source}: no built-in or plugin check has the id '{entry.Id}'");
        }

        // --only with a typo would silently grade less than asked for.
        var ids = rubric.Checks.Select(c => c.Id).ToList();
        foreach (var id in (only ?? new HashSet<string>()).Order(StringComparer.Ordinal).Where(id => !ids.Contains(id)))
        {
            throw new OperatorException(RubricLoader.Closest(id, ids) is { } near
                ? $"unknown check '{id}'; did you mean '{near}'?"
                : $"unknown check '{id}'; the rubric's checks are {string.Join(", ", ids)}");
        }

        return (rubric, checks);
    }

    /// <summary>
    /// Grades the submissions and keeps every result in the returned run: for one submission or a few
    /// (check, gradescope, tests). A class goes through <see cref="RunSpooledAsync"/>. Cancellation stops
    /// starting new work, kills running workers and returns the partial run with Complete = false. Throws
    /// <see cref="OperatorException"/> for a bad rubric.
    /// </summary>
    public static async Task<GradingRun> RunAsync(IReadOnlyList<Submission> submissions, GradeOptions options, IGradeObserver observer, CancellationToken cancellationToken)
    {
        var rubric = LoadRubric(options.RubricPath, options.Only);
        var results = new SubmissionResult?[submissions.Count];
        var run = await GradeAsync(submissions, options, rubric, observer, (i, result, _) => results[i] = result, cancellationToken);
        return run with { Submissions = [.. results.OfType<SubmissionResult>()] };
    }

    /// <summary>
    /// Grades a class with memory that does not grow with its size: each result goes to a
    /// <see cref="ResultSpool"/> file in <paramref name="spoolDirectory"/> as soon as it is produced, and only
    /// its summary stays in memory. Dispose the returned run to delete the spool. Cancellation and errors as
    /// <see cref="RunAsync"/>; on an exception the spool is deleted before it propagates.
    /// </summary>
    public static async Task<SpooledRun> RunSpooledAsync(IReadOnlyList<Submission> submissions, GradeOptions options, IGradeObserver observer, string spoolDirectory, CancellationToken cancellationToken)
    {
        var rubric = LoadRubric(options.RubricPath, options.Only); // a bad rubric leaves no trace, not even the spool's folder
        var spool = new ResultSpool(spoolDirectory);
        try
        {
            var run = await GradeAsync(submissions, options, rubric, observer, (_, result, json) => spool.Append(result, json), cancellationToken);
            return new SpooledRun(run, spool);
        }
        catch
        {
            spool.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Every live host holds two pool threads blocked in reads of its stdout and stderr (pipe reads are synchronous
    /// underneath), besides the grading jobs themselves: past the pool's minimum the runtime adds a thread only
    /// every ~0.5 s, and a check that waits for a dead host's output to drain waited that long (the worst hang
    /// costs in the benchmark). Room for every job's hosts, the workers started ahead and the compile services.
    /// </summary>
    private static void EnoughPoolThreads(int jobs)
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        var wanted = 32 + (8 * Math.Max(1, jobs));
        if (workers < wanted)
        {
            ThreadPool.SetMinThreads(wanted, io);
        }
    }

    /// <summary>Grades in parallel and hands each result to <paramref name="keep"/> (with its submission's
    /// index and, when the cache stored it, its compact JSON; called from worker threads) before the observer
    /// sees it. Returns the run without submissions.</summary>
    private static Task<GradingRun> GradeAsync(
        IReadOnlyList<Submission> submissions,
        GradeOptions options,
        (Rubric Rubric, IReadOnlyDictionary<string, ICheck> Checks) loaded,
        IGradeObserver observer,
        Action<int, SubmissionResult, byte[]?> keep,
        CancellationToken cancellationToken)
    {
        var (rubric, checks) = loaded;
        var seed = options.RandomSeed ?? Random.Shared.Next();
        var started = DateTimeOffset.UtcNow;
        EnoughPoolThreads(options.Jobs);
        return Task.Run(() =>
        {
            using var environment = GradingEnvironment.Create(observer.OnWarning, options.AllowlistOff,
                warmRoslyn: submissions.Any(s => s.Language == Language.CSharp));
            var grader = new SubmissionGrader(rubric, checks, environment.Builder, environment.Launcher, options, seed);
            // Incremental regrading (issue 8): unchanged submissions get their stored result back.
            var cache = options.UseCache ? new ResultCache(options.CacheRoot ?? ResultCache.DefaultRoot, rubric, grader.Selected.Select(c => c.Id).Concat(options.AllTraces ? ["+all-traces"] : []), options.RandomSeed) : null;
            observer.OnStart(submissions.Count);
            var complete = true;
            try
            {
                Parallel.For(0, submissions.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Jobs), CancellationToken = cancellationToken }, i =>
                {
                    byte[]? json = null;
                    var graded = cache is null
                        ? grader.Grade(submissions[i], cancellationToken)
                        : cache.GetOrGrade(submissions[i], s => grader.Grade(s, cancellationToken), cancellationToken, out json);
                    // After the cache: when a hand-in came is not part of what the cache keys on.
                    var result = LatePenalty.Apply(graded, submissions[i], rubric);
                    keep(i, result, ReferenceEquals(result, graded) ? json : null);
                    observer.OnResult(result);
                });
            }
            catch (OperationCanceledException)
            {
                complete = false;
            }

            return new GradingRun
            {
                GraderVersion = Version,
                Rubric = rubric.Name,
                RubricTitle = rubric.Title,
                RubricSha256 = rubric.Sha256,
                Complete = complete,
                Shard = options.Shard,
                MaxScore = grader.Selected.Sum(c => c.Points),
                RandomSeed = seed,
                StartedAt = started,
                Visibility = options.Visibility,
                DueDate = rubric.Due,
                Warnings = environment.Warnings,
                ReusedFromCache = cache?.Hits ?? 0,
            };
        }, CancellationToken.None);
    }
}
