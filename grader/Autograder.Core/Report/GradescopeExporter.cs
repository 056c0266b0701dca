using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Autograder.Model;

namespace Autograder.Report;

/// <summary>&lt;out&gt;/gradescope/&lt;id&gt;/results.json: Gradescope's autograder result format.</summary>
internal sealed class GradescopeExporter(ReportContext context) : IReportExporter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public void Add(SubmissionResult submission) =>
        WriteOne(submission, Path.Combine(context.OutDir, "gradescope", ReportText.FileName(submission.Id), "results.json"));

    public void End()
    {
    }

    public void Dispose()
    {
    }

    public static void WriteOne(SubmissionResult s, string path) =>
        ReportText.WriteFile(path, JsonSerializer.Serialize(Convert(s), Json) + "\n");

    internal static GsResult Convert(SubmissionResult s)
    {
        var output = new List<string>();
        if (s.GraderFault)
        {
            output.Add("GRADER ERROR: the grader failed on part of this submission. Those checks are not counted "
                + "against you; your instructor has been notified and will grade them.");
        }

        if (s.Message is not null)
        {
            output.Add(s.Message);
        }

        if (s.Late is not null)
        {
            output.Add("Late: " + s.Late.Note);
        }

        if (s.TotalOverride is not null)
        {
            output.Add($"Total set by your instructor to {ReportText.Points(s.TotalOverride.Points)}"
                + (s.TotalOverride.Comment is null ? "." : $": {s.TotalOverride.Comment}"));
        }

        var tests = s.Checks.Select(c => new GsTest(
            Name: $"{c.Id}: {c.Title}",
            Score: ReportText.IsGraderFault(c) && c.Override is null ? 0 : c.Points,
            MaxScore: ReportText.IsGraderFault(c) && c.Override is null ? 0 : c.MaxPoints,
            Status: c.Status == CheckStatuses.Passed ? "passed" : "failed",
            Visibility: c.Visibility switch
            {
                "hidden" => "hidden",
                "after-due" => "after_due_date",
                _ => "visible",
            },
            Output: TestOutput(c))).ToList();
        return new GsResult(s.Score, string.Join("\n\n", output), tests);
    }

    private static string TestOutput(CheckResult c)
    {
        var lines = new List<string>();
        if (ReportText.IsGraderFault(c))
        {
            lines.Add("GRADER ERROR (not your fault, not counted): " + c.Feedback);
        }
        else if (c.Status == CheckStatuses.Skipped)
        {
            lines.Add(c.Feedback.StartsWith("skipped", StringComparison.OrdinalIgnoreCase) ? c.Feedback : "Skipped: " + c.Feedback);
        }
        else if (c.Status == CheckStatuses.Error)
        {
            lines.Add("Error: " + c.Feedback);
        }
        else if (c.Feedback.Length > 0)
        {
            lines.Add(c.Feedback);
        }

        if (c.CasesTotal > 0)
        {
            lines.Add($"{c.CasesPassed}/{c.CasesTotal} cases passed");
        }

        // What the grader observed, as `check` prints it: on Gradescope the most useful thing a student sees.
        if (c.Status is CheckStatuses.Failed or CheckStatuses.Error && c.Trace.Count > 0)
        {
            lines.Add("Trace:");
            lines.AddRange(TraceFormatter.Lines(c.Trace).Select(l => "  " + l));
        }

        if (c.Override is not null)
        {
            lines.Add($"Points set by your instructor: {ReportText.Points(c.Override.OriginalPoints)} -> {ReportText.Points(c.Override.Points)}"
                + (c.Override.Comment is null ? "" : $" ({c.Override.Comment})"));
        }

        return string.Join("\n", lines);
    }
}

internal sealed record GsResult(decimal Score, string Output, IReadOnlyList<GsTest> Tests);

internal sealed record GsTest(string Name, decimal Score, decimal MaxScore, string Status, string Visibility, string Output)
{
    public string? Number { get; init; }
}
