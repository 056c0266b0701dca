using Autograder.Model;
using CsvHelper;

namespace Autograder.Report;

/// <summary>An instructor's overrides CSV: id,check,points,comment where check is a check id or "total".
/// Check overrides replace that check's points (and move the submission's score by the difference); a
/// "total" override then replaces the score outright. The original points are kept in the Override.</summary>
internal sealed class Overrides
{
    public const string Total = "total";

    private readonly string _path;
    private readonly IReadOnlyList<(int Line, OverrideRow Row)> _rows;

    private Overrides(string path, IReadOnlyList<(int, OverrideRow)> rows)
    {
        _path = path;
        _rows = rows;
    }

    public static Overrides Load(string path)
    {
        try
        {
            using var csv = CsvReader.FromFile(path, CsvFormats.Reading);
            var rows = new List<(int, OverrideRow)>();
            foreach (var row in csv.GetRecords<OverrideRow>())
            {
                rows.Add(((int)csv.LineNumber, row with { Id = row.Id?.Trim() ?? "", Check = row.Check?.Trim() ?? "" }));
            }

            return new Overrides(path, rows);
        }
        catch (KeyNotFoundException e)
        {
            throw new InvalidDataException($"{path} line 1: overrides need a header with id,check,points,comment: {e.Message}", e);
        }
        catch (CsvFormatException e)
        {
            // IncludeValuesInExceptions is off, so the message names the column, not the student's data.
            // e.Member is the record's member ("OverrideRow.Points"): name the CSV column the operator wrote.
            var column = e.Member is { } member ? member[(member.LastIndexOf('.') + 1)..].ToLowerInvariant() : null;
            throw new InvalidDataException(
                column is null
                    ? $"{path} line {e.LineNumber}: malformed override; points must be a number like 7.5"
                    : $"{path} line {e.LineNumber}: malformed override: the '{column}' column{(column == "points" ? " must be a number like 7.5" : " cannot be read")}",
                e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot read overrides: {e.Message}", e);
        }
    }

    /// <summary>Overrides kept somewhere else than a CSV file (the review database): <paramref name="source"/>
    /// names it in errors, and each row's position stands for its line.</summary>
    public static Overrides FromRows(string source, IEnumerable<OverrideRow> rows) =>
        new(source, [.. rows.Select((row, i) => (i + 1, row))]);

    /// <summary>The rows as an overrides CSV that <see cref="Load"/> reads back (id,check,points,comment).</summary>
    public static string ToCsv(IEnumerable<OverrideRow> rows)
    {
        using var text = new StringWriter();
        using (var csv = CsvWriter.Create(text, CsvFormats.Writing, leaveOpen: true))
        {
            csv.WriteRecords(rows, new OverrideRowMap());
        }

        return text.ToString();
    }

    public GradingRun Apply(GradingRun run)
    {
        var byId = run.Submissions.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var seen = new HashSet<(string, string)>();
        foreach (var (line, row) in _rows)
        {
            var id = row.Id?.Trim() ?? "";
            var check = row.Check?.Trim() ?? "";
            if (!byId.TryGetValue(id, out var s))
            {
                throw Bad(line, $"unknown submission id '{id}'");
            }

            if (!seen.Add((id, check)))
            {
                throw Bad(line, $"a second override for '{id}' and '{check}'");
            }

            if (row.Points < 0)
            {
                throw Bad(line, $"{id} {check}: points must not be negative");
            }

            var comment = string.IsNullOrWhiteSpace(row.Comment) ? null : row.Comment.Trim();
            if (string.Equals(check, Total, StringComparison.OrdinalIgnoreCase))
            {
                continue; // applied after every check override of the same submission, below
            }

            var index = s.Checks.ToList().FindIndex(c => c.Id == check);
            if (index < 0)
            {
                throw Bad(line, $"{id}: unknown check '{check}' (use a check id or \"total\")");
            }

            var old = s.Checks[index];
            if (row.Points > old.MaxPoints)
            {
                throw Bad(line, $"{id} {check}: {ReportText.Points(row.Points)} points exceed the check's maximum {ReportText.Points(old.MaxPoints)}");
            }

            var original = old.Override?.OriginalPoints ?? old.Points;
            var replaced = old with { Points = row.Points, Override = new Override(row.Points, comment, original) };
            var checks = s.Checks.ToArray();
            checks[index] = replaced;

            // A grader-faulted check was left out of score and max_score; once an instructor judged it by
            // hand it counts again.
            var maxDelta = ReportText.IsGraderFault(old) && old.Override is null ? old.MaxPoints : 0m;
            var scoreDelta = ReportText.IsGraderFault(old) && old.Override is null ? row.Points : row.Points - old.Points;
            byId[id] = s with
            {
                Checks = checks,
                Score = Math.Round(s.Score + scoreDelta, 2),
                MaxScore = s.MaxScore + maxDelta,
                GraderFault = checks.Any(c => ReportText.IsGraderFault(c) && c.Override is null),
            };
        }

        foreach (var (line, row) in _rows.Where(r => string.Equals(r.Row.Check.Trim(), Total, StringComparison.OrdinalIgnoreCase)))
        {
            var s = byId[row.Id.Trim()];
            if (row.Points > s.MaxScore)
            {
                throw Bad(line, $"{s.Id} total: {ReportText.Points(row.Points)} points exceed the maximum score {ReportText.Points(s.MaxScore)}");
            }

            var comment = string.IsNullOrWhiteSpace(row.Comment) ? null : row.Comment.Trim();
            var original = s.TotalOverride?.OriginalPoints ?? s.Score;
            byId[s.Id] = s with { Score = row.Points, TotalOverride = new Override(row.Points, comment, original) };
        }

        return run with { Submissions = [.. run.Submissions.Select(s => byId[s.Id])] };
    }

    private InvalidDataException Bad(int line, string problem) => new($"{_path} line {line}: {problem}");
}

[CsvRecord]
internal sealed partial record OverrideRow
{
    [CsvColumn("id")]
    public string Id { get; init; } = "";

    [CsvColumn("check")]
    public string Check { get; init; } = "";

    [CsvColumn("points")]
    public decimal Points { get; init; }

    [CsvColumn("comment", Optional = true)]
    public string? Comment { get; init; }
}

internal sealed class OverrideRowMap : CsvRecordWriter<OverrideRow>
{
    public override int FieldCount => 4;

    public override void WriteHeader(CsvWriter writer)
    {
        foreach (var name in new[] { "id", "check", "points", "comment" })
        {
            WriteColumnName(writer, name);
        }
    }

    public override void Write(CsvWriter writer, OverrideRow record)
    {
        writer.WriteField(record.Id);
        writer.WriteField(record.Check);
        writer.WriteField(ReportText.Points(record.Points));
        writer.WriteField(record.Comment ?? "");
    }
}
