using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Autograder.Model;

namespace Autograder.Report;

/// <summary>What to write and how.</summary>
public sealed record ReportOptions
{
    /// <summary>Subset of <see cref="Reports.AllFormats"/>.</summary>
    public IReadOnlyCollection<string> Formats { get; init; } = Reports.AllFormats;
    /// <summary>Optional roster CSV path (submission id -> name, email, LMS id).</summary>
    public string? RosterPath { get; init; }
    /// <summary>Write grades.csv in the LMS (Canvas/Moodle) import layout as well.</summary>
    public bool LmsCsv { get; init; }
    /// <summary>The moment student-facing pages are rendered for: `after-due` checks show their details
    /// only from <see cref="GradingRun.DueDate"/> on. Null means now; tests pin it for golden output.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>Renders every export from a finished run. Exporters only read it; the one place points change
/// after grading is <see cref="ApplyOverrides"/>. One pass over the submissions (ordinal by id) feeds every
/// exporter one full result at a time, so a class of any size is exported with the memory of one result
/// plus the summaries.</summary>
public static class Reports
{
    public static readonly IReadOnlyList<string> AllFormats = ["html", "csv", "json", "junit", "gradescope"];

    private static readonly IReadOnlyList<(string Format, Func<ReportContext, IReportExporter> Start)> Exporters =
    [
        ("json", c => new JsonResultsExporter(c)),
        ("html", c => new HtmlExporter(c)),
        ("csv", c => new CsvGradesExporter(c)),
        ("junit", c => new JunitExporter(c)),
        ("gradescope", c => new GradescopeExporter(c)),
    ];

    /// <summary>Writes every requested export of a run held in memory (report, merge, tests).</summary>
    /// <inheritdoc cref="Write(IRunResults, string, ReportOptions)"/>
    public static IReadOnlyList<string> Write(GradingRun run, string outDir, ReportOptions options) =>
        Write(RunResults.InMemory(run), outDir, options);

    /// <summary>Writes every requested export of <paramref name="results"/> under <paramref name="outDir"/>.
    /// Returns operator-facing notes (roster mismatches, ...).</summary>
    /// <exception cref="ArgumentException">An unknown format was requested.</exception>
    /// <exception cref="InvalidDataException">The roster file is malformed.</exception>
    public static IReadOnlyList<string> Write(IRunResults results, string outDir, ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(options);
        var unknown = options.Formats.Where(f => !AllFormats.Contains(f, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException(
                $"unknown report format(s): {string.Join(", ", unknown)} (known: {string.Join(", ", AllFormats)})",
                nameof(options));
        }

        var notes = new List<string>();
        var roster = options.RosterPath is null ? null : Roster.Load(options.RosterPath);
        var summaries = roster is null ? results.Summaries : roster.Apply(results.Summaries, notes);

        Directory.CreateDirectory(outDir);
        // Exporters see the run's fields only: the submissions come through the pass below.
        var context = new ReportContext(results.Run with { Submissions = [] }, summaries, outDir, options, options.Now ?? DateTimeOffset.UtcNow);
        var exporters = new List<IReportExporter>();
        try
        {
            foreach (var (_, start) in Exporters.Where(e => options.Formats.Contains(e.Format, StringComparer.Ordinal)))
            {
                exporters.Add(start(context));
            }

            // The roster join, per submission: the summary already carries the student.
            var pass = results.ReadAll().Zip(summaries, (result, summary) => roster is null ? result : result with { Student = summary.Student });
            FanOut(pass, exporters);
        }
        finally
        {
            foreach (var exporter in exporters)
            {
                exporter.Dispose();
            }
        }

        return notes;
    }

    /// <summary>
    /// Feeds every exporter the whole pass, each on its own thread through a short queue (they write different
    /// files, and the pages of a class take seconds to render): the results are read once, and memory stays
    /// that of a few results. The first exporter's failure stops the others and is rethrown as it was thrown.
    /// </summary>
    private static void FanOut(IEnumerable<SubmissionResult> pass, IReadOnlyList<IReportExporter> exporters)
    {
        using var stop = new CancellationTokenSource();
        var queues = exporters.Select(_ => new BlockingCollection<SubmissionResult>(boundedCapacity: 8)).ToList();
        // Own threads (LongRunning): five blocking consumers would wait for the pool to grow.
        var consumers = exporters.Select((exporter, k) => Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var result in queues[k].GetConsumingEnumerable(stop.Token))
                {
                    exporter.Add(result);
                }

                exporter.End();
            }
            catch
            {
                stop.Cancel();
                throw;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();

        ExceptionDispatchInfo? failure = null;
        try
        {
            foreach (var result in pass)
            {
                foreach (var queue in queues)
                {
                    queue.Add(result, stop.Token);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // An exporter failed: its exception is the one to report.
        }
        catch (Exception e)
        {
            failure = ExceptionDispatchInfo.Capture(e);
            stop.Cancel();
        }
        finally
        {
            foreach (var queue in queues)
            {
                queue.CompleteAdding();
            }
        }

        try
        {
            Task.WaitAll(consumers);
        }
        catch (AggregateException e)
        {
            failure ??= ExceptionDispatchInfo.Capture(
                e.InnerExceptions.FirstOrDefault(x => x is not OperationCanceledException) ?? e.InnerExceptions[0]);
        }

        foreach (var queue in queues)
        {
            queue.Dispose();
        }

        failure?.Throw();
    }

    /// <summary>Reads a results.json written by <see cref="Write(IRunResults, string, ReportOptions)"/>; a bad file is an operator error
    /// (throws InvalidDataException with the path and the problem).</summary>
    public static GradingRun ReadResults(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot read results: {e.Message}", e);
        }

        try
        {
            using (var doc = JsonDocument.Parse(text))
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object
                    || !doc.RootElement.TryGetProperty("schema", out var schema)
                    || schema.ValueKind != JsonValueKind.Number)
                {
                    throw new InvalidDataException($"{path}: not a results.json (no \"schema\" number at the top level)");
                }

                if (!schema.TryGetInt32(out var version) || version != 1)
                {
                    throw new InvalidDataException(
                        $"{path}: results schema {schema.GetRawText()} is not supported (this grader reads schema 1)");
                }
            }

            var run = JsonSerializer.Deserialize<GradingRun>(text, ResultsJson.Options)
                ?? throw new InvalidDataException($"{path}: results.json is null");
            Validate(run, path);
            return run;
        }
        catch (JsonException e)
        {
            // JsonException names the JSON path and line, which is what the operator needs to fix the file.
            throw new InvalidDataException($"{path}: malformed results.json: {e.Message}", e);
        }
    }

    // System.Text.Json lets an explicit null into a non-nullable list; exporters must not meet one.
    private static void Validate(GradingRun run, string path)
    {
        if (run.Submissions is null || run.Warnings is null)
        {
            throw new InvalidDataException($"{path}: \"submissions\" and \"warnings\" must be lists");
        }

        foreach (var (s, i) in run.Submissions.Select((s, i) => (s, i)))
        {
            if (s is null || s.Checks is null || s.Sources is null || s.Diagnostics is null
                || s.Checks.Any(c => c is null || c.Cases is null || c.Trace is null || c.Feedback is null))
            {
                throw new InvalidDataException($"{path}: submissions[{i}] has a null where a value or list is required");
            }
        }

        var duplicate = run.Submissions.GroupBy(s => s.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidDataException($"{path}: submission id \"{duplicate.Key}\" appears more than once");
        }
    }

    /// <summary>Applies an instructor overrides CSV (id, check or "total", points, comment) and returns the new run.</summary>
    /// <exception cref="InvalidDataException">The file is malformed or names an unknown submission or check (the message names the line).</exception>
    public static GradingRun ApplyOverrides(GradingRun run, string overridesCsvPath)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Overrides.Load(overridesCsvPath).Apply(run);
    }

    /// <summary>Writes one submission's result in Gradescope's results.json format to <paramref name="path"/>
    /// (used by the CLI's <c>gradescope</c> command, which runs as a Gradescope autograder).</summary>
    public static void WriteGradescope(SubmissionResult submission, string path)
    {
        ArgumentNullException.ThrowIfNull(submission);
        GradescopeExporter.WriteOne(submission, path);
    }
}

/// <summary>Everything an exporter may read before the pass: the run's fields (no submissions), the summaries
/// (already joined with the roster) in the pass's order, and where to write.</summary>
internal sealed record ReportContext(
    GradingRun Run,
    IReadOnlyList<SubmissionSummary> Submissions,
    string OutDir,
    ReportOptions Options,
    DateTimeOffset Now)
{
    /// <summary>Check ids in rubric order (first appearance), for column layouts.</summary>
    public IReadOnlyList<CheckSummary> CheckColumns { get; } = Submissions
        .SelectMany(s => s.Checks)
        .DistinctBy(c => c.Id, StringComparer.Ordinal)
        .ToList();
}

/// <summary>One export format, started for one run (its constructor takes the <see cref="ReportContext"/>).
/// Implementations only read what they are given, and write per-submission files in <see cref="Add"/>
/// without keeping the result; class-wide files stream or are built from the summaries in <see cref="End"/>.</summary>
internal interface IReportExporter : IDisposable
{
    /// <summary>One submission's full result, in the order of <see cref="ReportContext.Submissions"/>.</summary>
    void Add(SubmissionResult submission);

    /// <summary>After the last submission: finish the class-wide files.</summary>
    void End();
}
