using Autograder.Model;

namespace Autograder.Report;

// CONTRACT STUB (owner: reports helper). Every export reads the immutable GradingRun; none recomputes a grade.

/// <summary>What to write and how.</summary>
public sealed record ReportOptions
{
    /// <summary>Subset of <see cref="Reports.AllFormats"/>.</summary>
    public IReadOnlyCollection<string> Formats { get; init; } = Reports.AllFormats;
    /// <summary>Optional roster CSV path (submission id -> name, email, LMS id).</summary>
    public string? RosterPath { get; init; }
    /// <summary>Write grades.csv in the LMS (Canvas/Moodle) import layout as well.</summary>
    public bool LmsCsv { get; init; }
}

public static class Reports
{
    public static readonly IReadOnlyList<string> AllFormats = ["html", "csv", "json", "junit", "gradescope"];

    /// <summary>Writes every requested export of <paramref name="run"/> under <paramref name="outDir"/>.
    /// Returns operator-facing notes (roster mismatches, ...).</summary>
    public static IReadOnlyList<string> Write(GradingRun run, string outDir, ReportOptions options)
        => throw new NotImplementedException();

    /// <summary>Reads a results.json written by <see cref="Write"/>; a bad file is an operator error
    /// (throws InvalidDataException with the path and the problem).</summary>
    public static GradingRun ReadResults(string path) => throw new NotImplementedException();

    /// <summary>Applies an instructor overrides CSV (id, check or "total", points, comment) and returns the new run.</summary>
    public static GradingRun ApplyOverrides(GradingRun run, string overridesCsvPath) => throw new NotImplementedException();
}
