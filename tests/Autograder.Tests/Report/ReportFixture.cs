using System.Runtime.CompilerServices;
using Autograder.Model;
using Autograder.Report;

namespace Autograder.Tests.Report;

/// <summary>Paths of the committed test data and a helper that renders it into a fresh temp folder.</summary>
internal static class ReportFixture
{
    /// <summary>The rendering moment the golden files were made for: before the due date (2026-03-01).</summary>
    public static readonly DateTimeOffset BeforeDue = new(2026, 2, 25, 12, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset AfterDue = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);

    public static string Folder { get; } = Path.GetDirectoryName(ThisFile())!;

    public static string Data(string name) => Path.Combine(Folder, "Data", name);

    public static string Golden(string name) => Path.Combine(Folder, "Golden", name);

    public static GradingRun Run() => Reports.ReadResults(Data("results.json"));

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "autograder-report-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Renders the committed results with the committed roster and overrides, as an instructor would.</summary>
    public static (string Dir, IReadOnlyList<string> Notes) RenderAll(DateTimeOffset? now = null)
    {
        var dir = TempDir();
        var run = Reports.ApplyOverrides(Run(), Data("overrides.csv"));
        var notes = Reports.Write(run, dir, new ReportOptions
        {
            RosterPath = Data("roster.csv"),
            LmsCsv = true,
            Now = now ?? BeforeDue,
        });
        return (dir, notes);
    }

    // The test data lives next to the sources so golden files can be rewritten in place.
    private static string ThisFile([CallerFilePath] string path = "") => path;
}
