using System.Globalization;
using Autograder.Similarity;
using CsvHelper;

namespace Autograder.Report;

/// <summary>
/// Writes a <see cref="SimilarityResult"/>: &lt;out&gt;/similarity.html (the listed pairs, highest first, with
/// each side's share; known solutions apart), &lt;out&gt;/similarity/&lt;n&gt;.html (one pair side by side, matching
/// regions highlighted and numbered alike on both sides) and &lt;out&gt;/similarity.csv (one row per listed
/// pair). Similarity is evidence for a person to look at, not proof: nothing here touches a grade.
/// </summary>
internal static class SimilarityReport
{
    public const string PageName = "similarity.html";
    public const string CsvName = "similarity.csv";
    private const string PairFolder = "similarity";

    /// <summary>Writes the files; <paramref name="linkOverview"/> adds a link back to index.html (grade writes one).</summary>
    public static void Write(SimilarityResult result, string outDir, bool linkOverview)
    {
        var css = Templates.Render("style", new { });
        var rows = result.Pairs.Select((p, i) => Row(p, i + 1, known: false)).ToList();
        var knownRows = result.KnownPairs.Select((p, i) => Row(p, i + 1, known: true)).ToList();

        var pairDir = Path.Combine(outDir, PairFolder);
        if (Directory.Exists(pairDir))
        {
            // Pages of an earlier run would be listed by nobody but still linkable: start clean.
            Directory.Delete(pairDir, recursive: true);
        }

        // Pages are independent (templates render concurrently, each with its own context).
        Parallel.ForEach(result.Pairs.Zip(rows).Concat(result.KnownPairs.Zip(knownRows)), item =>
            ReportText.WriteFile(Path.Combine(outDir, item.Second.Href), Templates.Render("similarity-pair", PairPage(item.First, item.Second, css, result.Options.K))));

        var options = result.Options;
        var page = new SimilarityPageView(
            css,
            linkOverview ? "index.html" : "",
            result.Submissions,
            result.Known,
            Percent(options.Threshold),
            options.K,
            options.Window,
            options.Bases is null ? "the handout's skeleton, built in" : string.Join(", ", options.Bases.Select(b => b.Id)),
            result.CommonFingerprints,
            rows,
            result.PairsAboveThreshold,
            knownRows,
            result.KnownAboveThreshold,
            result.Notes);
        ReportText.WriteFile(Path.Combine(outDir, PageName), Templates.Render("similarity", page));

        var csvRows = rows.Select(r => new SimilarityRow(r.Rank, "submission", r.A, r.B, r.ShareA, r.ShareB, r.Shared))
            .Concat(knownRows.Select(r => new SimilarityRow(r.Rank, "known", r.A, r.B, r.ShareA, r.ShareB, r.Shared)));
        CsvGradesExporter.WriteCsv(Path.Combine(outDir, CsvName), new SimilarityRowMap(), csvRows);
    }

    /// <summary>A share as the page and the CSV show it: whole percent, rounded down (49.9% is not 50%).</summary>
    internal static string Percent(double share) =>
        ((int)Math.Floor((share * 100) + 1e-9)).ToString(CultureInfo.InvariantCulture);

    private static PairRowView Row(SimilarityPair p, int rank, bool known)
    {
        var name = (known ? "known-" : "") + rank.ToString(CultureInfo.InvariantCulture);
        return new(known ? "k" + rank.ToString(CultureInfo.InvariantCulture) : rank.ToString(CultureInfo.InvariantCulture),
            $"{PairFolder}/{name}.html", p.A.Id, p.B.Id, Percent(p.ShareA), Percent(p.ShareB), p.Shared,
            p.A.Document.Language == Submissions.Language.CSharp ? "C#" : "C");
    }

    private static PairPageView PairPage(SimilarityPair pair, PairRowView row, string css, int k)
    {
        var regions = MatchRegions.Of(pair, k);
        return new PairPageView(css, row, [Side(pair.A, row.ShareA, regions.A), Side(pair.B, row.ShareB, regions.B)], regions.Count);
    }

    private static SideView Side(Fingerprinted side, string share, IReadOnlyDictionary<(int File, int Line), int> regions)
    {
        var files = side.Document.Files.Select((file, f) => new SimilarFileView(
            file.Path,
            [.. file.Text.ReplaceLineEndings("\n").Split('\n').Select((line, i) => Line(line, i + 1, regions.GetValueOrDefault((f, i + 1))))]));
        return new SideView(side.Id, share, side.Document.Truncated, [.. files]);
    }

    // Six colours, cycling; region 0 = not matching.
    private static SimilarLineView Line(string text, int number, int region) =>
        region == 0
            ? new SimilarLineView(number, text, "", "")
            : new SimilarLineView(number, text, region.ToString(CultureInfo.InvariantCulture), "r" + ((region - 1) % 6).ToString(CultureInfo.InvariantCulture));
}

[TemplateModel]
internal sealed record SimilarityPageView(
    string Css,
    string OverviewHref,
    int Submissions,
    int Known,
    string Threshold,
    int K,
    int Window,
    string Base,
    int CommonFingerprints,
    IReadOnlyList<PairRowView> Pairs,
    int PairsAbove,
    IReadOnlyList<PairRowView> KnownPairs,
    int KnownAbove,
    IReadOnlyList<string> Notes);

[TemplateModel]
internal sealed record PairRowView(string Rank, string Href, string A, string B, string ShareA, string ShareB, int Shared, string Language);

[TemplateModel]
internal sealed record PairPageView(string Css, PairRowView Pair, IReadOnlyList<SideView> Sides, int Regions);

[TemplateModel]
internal sealed record SideView(string Id, string Share, bool Truncated, IReadOnlyList<SimilarFileView> Files);

[TemplateModel]
internal sealed record SimilarFileView(string Path, IReadOnlyList<SimilarLineView> Lines);

/// <summary>A source line; <see cref="Region"/> is the number of the matching region it is in ("" when none),
/// <see cref="Class"/> its colour class.</summary>
[TemplateModel]
internal sealed record SimilarLineView(int Number, string Text, string Region, string Class);

internal sealed record SimilarityRow(string Rank, string Kind, string A, string B, string ShareA, string ShareB, int Shared);

/// <summary>Columns: rank, kind (submission: two submissions; known: a submission and a known solution),
/// a, b (ids), share_a, share_b (whole percent of each side's counted fingerprints that the other holds),
/// shared (fingerprints in common).</summary>
internal sealed class SimilarityRowMap : CsvRecordWriter<SimilarityRow>
{
    private static readonly string[] Columns = ["rank", "kind", "a", "b", "share_a", "share_b", "shared"];

    public override int FieldCount => Columns.Length;

    public override void WriteHeader(CsvWriter writer)
    {
        foreach (var name in Columns)
        {
            WriteColumnName(writer, name);
        }
    }

    public override void Write(CsvWriter writer, SimilarityRow record)
    {
        writer.WriteField(record.Rank);
        writer.WriteField(record.Kind);
        writer.WriteField(record.A);
        writer.WriteField(record.B);
        writer.WriteField(record.ShareA);
        writer.WriteField(record.ShareB);
        writer.WriteField(record.Shared.ToString(CultureInfo.InvariantCulture));
    }
}
