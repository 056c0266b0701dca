using System.Globalization;
using Autograder.Model;
using CsvHelper;

namespace Autograder.Report;

/// <summary>A course roster (id,name,email,lms_id; any column order or case; only id is required).</summary>
internal sealed class Roster
{
    private readonly IReadOnlyList<RosterRow> _rows;

    private Roster(IReadOnlyList<RosterRow> rows) => _rows = rows;

    public static Roster Load(string path)
    {
        try
        {
            using var csv = CsvReader.FromFile(path, CsvFormats.Reading);
            var rows = new List<RosterRow>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var row in csv.GetRecords<RosterRow>())
            {
                var id = row.Id?.Trim() ?? "";
                if (id.Length == 0)
                {
                    throw new InvalidDataException($"{path} line {csv.LineNumber}: empty id");
                }

                if (!seen.Add(id))
                {
                    throw new InvalidDataException($"{path} line {csv.LineNumber}: duplicate id");
                }

                rows.Add(row with { Id = id });
            }

            return new Roster(rows);
        }
        catch (CsvFormatException e)
        {
            throw new InvalidDataException($"{path} line {e.LineNumber}: malformed roster: {e.Message}", e);
        }
        catch (KeyNotFoundException e)
        {
            throw new InvalidDataException($"{path}: the roster needs a header with id (and optionally name,email,lms_id): {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot read roster: {e.Message}", e);
        }
    }

    /// <summary>Fills <see cref="SubmissionSummary.Student"/> from the roster (a submission not in it keeps what
    /// it had) and lists mismatches in <paramref name="notes"/>. Keeps the order of <paramref name="submissions"/>.</summary>
    public IReadOnlyList<SubmissionSummary> Apply(IReadOnlyList<SubmissionSummary> submissions, List<string> notes)
    {
        var byId = _rows.ToDictionary(r => r.Id, StringComparer.Ordinal);
        var joined = new List<SubmissionSummary>(submissions.Count);
        foreach (var s in submissions)
        {
            if (byId.TryGetValue(s.Id, out var row))
            {
                joined.Add(s with { Student = new StudentInfo(Blank(row.Name), Blank(row.Email), Blank(row.LmsId)) });
            }
            else
            {
                joined.Add(s);
            }
        }

        notes.AddRange(submissions.Where(s => !byId.ContainsKey(s.Id))
            .OrderBy(s => s.Id, StringComparer.Ordinal)
            .Select(s => $"submission '{s.Id}' is not in the roster"));
        var submitted = submissions.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        notes.AddRange(_rows.Where(r => !submitted.Contains(r.Id))
            .OrderBy(r => r.Id, StringComparer.Ordinal)
            .Select(r => $"roster id '{r.Id}' has no submission"));
        return joined;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

[CsvRecord]
internal sealed partial record RosterRow
{
    [CsvColumn("id")]
    public string Id { get; init; } = "";

    [CsvColumn("name", Optional = true)]
    public string? Name { get; init; }

    [CsvColumn("email", Optional = true)]
    public string? Email { get; init; }

    [CsvColumn("lms_id", Optional = true)]
    public string? LmsId { get; init; }
}

/// <summary>CsvHelper settings: always the invariant culture; field values never in exception messages
/// (rosters and overrides hold student data).</summary>
internal static class CsvFormats
{
    public static readonly CsvReaderOptions Reading = CsvReaderOptions.Default with
    {
        Separator = ',',
        FormatProvider = CultureInfo.InvariantCulture,
        TrimWhitespace = true,
        TrackLineNumbers = true,
        IncludeValuesInExceptions = false,
    };

    public static readonly CsvWriterOptions Writing = CsvWriterOptions.Default with
    {
        FormatProvider = CultureInfo.InvariantCulture,
        NewLine = "\n",
        // A student or roster name such as =HYPERLINK(...) must not run as a formula in a spreadsheet.
        Injection = CsvInjection.Escape,
    };
}
