using Autograder.Model;
using CsvHelper;

namespace Autograder.Report;

/// <summary>&lt;out&gt;/grades.csv (one row per submission, one column per check) and, on request,
/// &lt;out&gt;/grades-lms.csv in the gradebook import layout of Canvas (which Moodle's CSV import maps too).
/// Built from the summaries alone (a row is a few hundred bytes), at the end of the pass.</summary>
internal sealed class CsvGradesExporter(ReportContext context) : IReportExporter
{
    public void Add(SubmissionResult submission)
    {
    }

    public void End()
    {
        var checkIds = context.CheckColumns.Select(c => c.Id).ToList();
        var rows = context.Submissions.Select(s => GradeRow.From(s)).ToList();
        WriteCsv(Path.Combine(context.OutDir, "grades.csv"), new GradeRowMap(checkIds), rows);

        if (context.Options.LmsCsv)
        {
            var lms = context.Submissions.Select(s => new LmsRow(
                s.Student?.Name ?? s.Id,
                s.Student?.LmsId ?? "",
                s.Id,
                s.Student?.Email ?? "",
                s.Score)).ToList();
            WriteCsv(Path.Combine(context.OutDir, "grades-lms.csv"), new LmsRowMap(context.Run.Rubric), lms);
        }
    }

    public void Dispose()
    {
    }

    /// <summary>Writes the rows as CSV (invariant culture, LF) to the file; also similarity.csv's writer.</summary>
    internal static void WriteCsv<T>(string path, CsvRecordWriter<T> recordWriter, IEnumerable<T> rows)
    {
        using var text = new StringWriter();
        using (var csv = CsvWriter.Create(text, CsvFormats.Writing, leaveOpen: true))
        {
            csv.WriteRecords(rows, recordWriter);
        }

        ReportText.WriteFile(path, text.ToString());
    }
}

internal sealed record GradeRow(
    string Id,
    string Name,
    string Email,
    string LmsId,
    decimal Score,
    decimal MaxScore,
    string Outcome,
    IReadOnlyDictionary<string, CheckSummary> Checks,
    string Overrides,
    LateWork? Late)
{
    public static GradeRow From(SubmissionSummary s)
    {
        var overrides = s.Checks
            .Where(c => c.Override is not null)
            .Select(c => Describe(c.Id, c.Override!))
            .Concat(s.TotalOverride is null ? [] : [Describe(Report.Overrides.Total, s.TotalOverride)]);
        return new GradeRow(
            s.Id,
            s.Student?.Name ?? "",
            s.Student?.Email ?? "",
            s.Student?.LmsId ?? "",
            s.Score,
            s.MaxScore,
            s.GraderFault ? $"{s.Outcome} (grader fault)" : s.Outcome,
            s.Checks.ToDictionary(c => c.Id, StringComparer.Ordinal),
            string.Join("; ", overrides),
            s.Late);
    }

    private static string Describe(string what, Override o) =>
        $"{what} {ReportText.Points(o.OriginalPoints)}->{ReportText.Points(o.Points)}"
        + (o.Comment is null ? "" : $" ({o.Comment})");
}

/// <summary>Columns: id,name,email,lms_id,score,max_score,outcome, one per check id (its points; empty for a
/// check the submission does not have or whose grader faulted), overrides (what an instructor changed), late
/// ("LATE" or empty), submitted_at (ISO 8601 UTC, where known), late_penalty (points the late policy took; the
/// score is already net of it).</summary>
internal sealed class GradeRowMap(IReadOnlyList<string> checkIds) : CsvRecordWriter<GradeRow>
{
    private static readonly string[] Leading = ["id", "name", "email", "lms_id", "score", "max_score", "outcome"];

    private static readonly string[] Trailing = ["overrides", "late", "submitted_at", "late_penalty"];

    public override int FieldCount => Leading.Length + checkIds.Count + Trailing.Length;

    public override void WriteHeader(CsvWriter writer)
    {
        foreach (var name in Leading.Concat(checkIds).Concat(Trailing))
        {
            WriteColumnName(writer, name);
        }
    }

    public override void Write(CsvWriter writer, GradeRow record)
    {
        writer.WriteField(record.Id);
        writer.WriteField(record.Name);
        writer.WriteField(record.Email);
        writer.WriteField(record.LmsId);
        writer.WriteField(ReportText.Points(record.Score));
        writer.WriteField(ReportText.Points(record.MaxScore));
        writer.WriteField(record.Outcome);
        foreach (var id in checkIds)
        {
            writer.WriteField(
                record.Checks.TryGetValue(id, out var c) && !(ReportText.IsGraderFault(c) && c.Override is null)
                    ? ReportText.Points(c.Points)
                    : "");
        }

        writer.WriteField(record.Overrides);
        writer.WriteField(record.Late is null ? "" : "LATE");
        writer.WriteField(record.Late?.SubmittedAt?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) ?? "");
        writer.WriteField(record.Late is { Penalty: > 0 } late ? ReportText.Points(late.Penalty) : "");
    }
}

internal sealed record LmsRow(string Student, string LmsId, string SubmissionId, string Email, decimal Score);

/// <summary>Canvas' gradebook layout: Student, ID, SIS User ID, SIS Login ID, Section, then one column per
/// assignment (here: the rubric). ID carries the roster's lms_id, SIS User ID the submission id, SIS Login ID the
/// email. Moodle's "Import CSV" lets the instructor map ID (or email) to the user and the rubric column to the
/// grade item.</summary>
internal sealed class LmsRowMap(string assignment) : CsvRecordWriter<LmsRow>
{
    public override int FieldCount => 6;

    public override void WriteHeader(CsvWriter writer)
    {
        foreach (var name in new[] { "Student", "ID", "SIS User ID", "SIS Login ID", "Section", $"{assignment} driver" })
        {
            WriteColumnName(writer, name);
        }
    }

    public override void Write(CsvWriter writer, LmsRow record)
    {
        writer.WriteField(record.Student);
        writer.WriteField(record.LmsId);
        writer.WriteField(record.SubmissionId);
        writer.WriteField(record.Email);
        writer.WriteField("");
        writer.WriteField(ReportText.Points(record.Score));
    }
}
