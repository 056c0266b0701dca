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

/// <summary>Renders every export from the immutable <see cref="GradingRun"/>. Exporters only read the run;
/// the one place points change after grading is <see cref="ApplyOverrides"/>.</summary>
public static class Reports
{
    public static readonly IReadOnlyList<string> AllFormats = ["html", "csv", "json", "junit", "gradescope"];

    private static readonly IReadOnlyList<IReportExporter> Exporters =
    [
        new JsonResultsExporter(),
        new HtmlExporter(),
        new CsvGradesExporter(),
        new JunitExporter(),
        new GradescopeExporter(),
    ];

    /// <summary>Writes every requested export of <paramref name="run"/> under <paramref name="outDir"/>.
    /// Returns operator-facing notes (roster mismatches, ...).</summary>
    /// <exception cref="ArgumentException">An unknown format was requested.</exception>
    /// <exception cref="InvalidDataException">The roster file is malformed.</exception>
    public static IReadOnlyList<string> Write(GradingRun run, string outDir, ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(options);
        var unknown = options.Formats.Where(f => !AllFormats.Contains(f, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException(
                $"unknown report format(s): {string.Join(", ", unknown)} (known: {string.Join(", ", AllFormats)})",
                nameof(options));
        }

        var notes = new List<string>();
        if (options.RosterPath is not null)
        {
            run = Roster.Load(options.RosterPath).Apply(run, notes);
        }

        Directory.CreateDirectory(outDir);
        var context = new ReportContext(run, outDir, options, options.Now ?? DateTimeOffset.UtcNow);
        foreach (var exporter in Exporters.Where(e => options.Formats.Contains(e.Format, StringComparer.Ordinal)))
        {
            exporter.Write(context);
        }

        return notes;
    }

    /// <summary>Reads a results.json written by <see cref="Write"/>; a bad file is an operator error
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

/// <summary>Everything an exporter may read: the run (already joined with the roster) and where to write.</summary>
internal sealed record ReportContext(GradingRun Run, string OutDir, ReportOptions Options, DateTimeOffset Now)
{
    /// <summary>Submissions in a stable order (ordinal by id), whatever order the pipeline finished them in.</summary>
    public IReadOnlyList<SubmissionResult> Submissions { get; } =
        [.. Run.Submissions.OrderBy(s => s.Id, StringComparer.Ordinal)];

    /// <summary>Check ids in rubric order (first appearance), for column layouts.</summary>
    public IReadOnlyList<CheckResult> CheckColumns { get; } = Run.Submissions
        .OrderBy(s => s.Id, StringComparer.Ordinal)
        .SelectMany(s => s.Checks)
        .DistinctBy(c => c.Id, StringComparer.Ordinal)
        .ToList();
}

/// <summary>One export format. Implementations only read the context's run.</summary>
internal interface IReportExporter
{
    string Format { get; }

    void Write(ReportContext context);
}
