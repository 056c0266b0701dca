using System.Globalization;
using Autograder.Model;

namespace Autograder.Report;

// View models of the HTML pages. Templates read only these (registered by [TemplateModel]); every value
// is already formatted (invariant culture) so templates stay free of logic. Student data stays plain text
// here: the template engine's HTML encoder escapes it on output.

[TemplateModel]
internal sealed record OverviewView(
    string Css,
    RunView Run,
    IReadOnlyList<ColumnView> Checks,
    IReadOnlyList<RowView> Rows,
    IReadOnlyList<string> Outcomes,
    IReadOnlyList<BarView> Histogram,
    IReadOnlyList<RateView> PassRates,
    int PassRatesHeight,
    string MeanScore,
    string MedianScore,
    int GraderFaults,
    bool HasNames,
    IReadOnlyList<ModelGapView> ModelGaps,
    string SimilarityHref)
{
    /// <summary>Only on the review server's pages (ReviewViews.cs); null in the static reports.</summary>
    public OverviewReviewView? Review { get; init; }

    /// <summary>Templates test this, never <see cref="Review"/> (strict variables reject a null).</summary>
    public bool Reviewing => Review is not null;
}

/// <summary>A name the grader's kernel model lacks, with the submissions whose build needed it.</summary>
[TemplateModel]
internal sealed record ModelGapView(string Name, IReadOnlyList<GapSubmissionView> Submissions);

[TemplateModel]
internal sealed record GapSubmissionView(string Id, string Href);

[TemplateModel]
internal sealed record RunView(
    string Rubric,
    string Title,
    string GraderVersion,
    string StartedAt,
    string DueDate,
    string MaxScore,
    bool Complete,
    string Shard,
    string RandomSeed,
    int Submissions,
    IReadOnlyList<string> Warnings);

[TemplateModel]
internal sealed record ColumnView(string Id, string Title, string MaxPoints);

[TemplateModel]
internal sealed record RowView(
    string Id,
    string Href,
    string Name,
    string Score,
    string MaxScore,
    string Percent,
    string Outcome,
    bool GraderFault,
    bool TotalOverridden,
    string TotalComment,
    string Late,
    IReadOnlyList<CellView> Cells)
{
    /// <summary>Review server only: the reviewed mark and a regrade changed a reviewed verdict.</summary>
    public bool Reviewed { get; init; }

    public bool VerdictChanged { get; init; }
}

/// <summary>A failed check at the top of a submission page: what went wrong in one line, and where to read more.</summary>
[TemplateModel]
internal sealed record ProblemView(string Id, string Title, string Status, string Reason, string Lost);

/// <summary>Checks skipped for one reason, said once ("not run: the driver does not compile").</summary>
[TemplateModel]
internal sealed record SkipGroupView(string Reason, IReadOnlyList<string> Titles);

[TemplateModel]
internal sealed record CellView(string Status, string Mark, string Points, string Sort, bool Overridden, string Tooltip);

[TemplateModel]
internal sealed record BarView(string Label, int Count, int X, int Y, int Height, int LabelX);

[TemplateModel]
internal sealed record RateView(string Id, int Y, int Width, string Percent, int TextY);

[TemplateModel]
internal sealed record SubmissionView(
    string Css,
    bool StudentView,
    string BackHref,
    RunView Run,
    string Id,
    string Name,
    string Email,
    string LmsId,
    string Language,
    string Path,
    string Score,
    string MaxScore,
    string Outcome,
    string Message,
    bool GraderFault,
    bool TotalOverridden,
    string TotalOriginal,
    string TotalComment,
    string Duration,
    IReadOnlyList<CheckView> Checks,
    IReadOnlyList<DiagnosticView> Diagnostics,
    IReadOnlyList<SourceView> Sources,
    string Output,
    int HiddenCount,
    string Late,
    string SubmittedAt,
    IReadOnlyList<ProblemView> Problems,
    IReadOnlyList<SkipGroupView> SkipGroups,
    string VisibleScore,
    string VisibleMax)
{
    /// <summary>Only on the review server's pages (ReviewViews.cs); null in the static reports.</summary>
    public SubmissionReviewView? Review { get; init; }

    /// <summary>Templates test this, never <see cref="Review"/> (strict variables reject a null).</summary>
    public bool Reviewing => Review is not null;
}

[TemplateModel]
internal sealed record CheckView(
    string Id,
    string Title,
    string Status,
    string StatusLabel,
    string Mark,
    bool GraderFault,
    string Points,
    string MaxPoints,
    string Visibility,
    bool Concealed,
    string ConcealedReason,
    string Feedback,
    string Duration,
    string Cases,
    IReadOnlyList<CaseView> CaseList,
    IReadOnlyList<TraceRowView> Trace,
    IReadOnlyList<string> Dmesg,
    bool Overridden,
    string OriginalPoints,
    string OverrideComment,
    bool Collapsed,
    IReadOnlyList<TraceRowView> TraceAll,
    int TraceTotal)
{
    /// <summary>Whether the trace is shown open: only the first failing check's, so a page with many failures
    /// stays short; the others open with a click.</summary>
    public bool TraceOpen { get; init; }

    /// <summary>Only on the review server's pages (ReviewViews.cs); null in the static reports.</summary>
    public CheckReviewView? Review { get; init; }

    /// <summary>Templates test this, never <see cref="Review"/> (strict variables reject a null).</summary>
    public bool Reviewing => Review is not null;
}

[TemplateModel]
internal sealed record CaseView(string Name, bool Passed, string Detail);

[TemplateModel]
internal sealed record TraceRowView(string Kind, string Text, bool Nested, string Anchor, string Where, bool Focus);

[TemplateModel]
internal sealed record DiagnosticView(string Severity, string Location, string Anchor, string Message, string Code);

[TemplateModel]
internal sealed record SourceView(string Path, bool Truncated, IReadOnlyList<LineView> Lines);

[TemplateModel]
internal sealed record LineView(int Number, string Anchor, string Text, bool Highlight, string Severity, IReadOnlyList<string> Notes);

/// <summary>Builds the page views: the overview from the summaries, a submission's pages from its full result.
/// Reads only; visibility is decided here, not in templates, so a student page never even receives the data it
/// must not show.</summary>
internal static class HtmlViews
{
    public static OverviewView Overview(ReportContext context, string css)
    {
        var columns = context.CheckColumns;
        var rows = context.Submissions.Select(s => Row(s, columns)).ToList();
        var percents = context.Submissions
            .Select(s => s.MaxScore > 0 ? s.Score / s.MaxScore * 100m : 0m)
            .ToList();

        return new OverviewView(
            css,
            RunInfo(context),
            [.. columns.Select(c => new ColumnView(c.Id, c.Title, ReportText.Points(c.MaxPoints)))],
            rows,
            [.. context.Submissions.Select(s => s.Outcome).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            Histogram(percents),
            PassRates(context),
            (columns.Count * 18) + 10,
            percents.Count == 0 ? "-" : ReportText.Points(Math.Round(context.Submissions.Average(s => s.Score), 2)),
            Median(context.Submissions.Select(s => s.Score).ToList()),
            context.Submissions.Count(s => s.GraderFault),
            context.Submissions.Any(s => !string.IsNullOrEmpty(s.Student?.Name)),
            [.. context.Submissions.Where(s => s.ModelGap is not null)
                .GroupBy(s => s.ModelGap!, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new ModelGapView(g.Key, [.. g.Select(s => new GapSubmissionView(s.Id, SubmissionHref(s.Id)))]))],
            // Written by grade --similarity before the reports; linked only when it is there.
            File.Exists(Path.Combine(context.OutDir, SimilarityReport.PageName)) ? SimilarityReport.PageName : "");
    }

    private static string SubmissionHref(string id) => $"submissions/{Uri.EscapeDataString(ReportText.FileName(id) + ".html")}";

    public static SubmissionView Submission(ReportContext context, SubmissionResult s, string css, bool studentView)
    {
        var links = new SourceLinks(s);
        var all = s.Checks.Select(c => (Result: c, View: Check(c, studentView, context, links))).ToList();
        // Skipped checks are said once per reason, not as one identical box each.
        var skipGroups = all.Where(x => !x.View.Concealed && x.Result.Status == CheckStatuses.Skipped)
            .GroupBy(x => x.Result.Feedback, StringComparer.Ordinal)
            .Select(g => new SkipGroupView(g.Key.StartsWith("Not run: ", StringComparison.Ordinal) ? g.Key["Not run: ".Length..] : g.Key, [.. g.Select(x => x.Result.Title)]))
            .ToList();
        var checks = all.Where(x => x.View.Concealed || x.Result.Status != CheckStatuses.Skipped)
            .Select(x => x.Result.Id == BuildCheckId && s.Diagnostics.Count > 0 && !x.View.Concealed
                ? x.View with { Feedback = OneLine(x.Result.Feedback) + "\n(each diagnostic is listed under Compiler diagnostics, linked to your source)" }
                : x.View)
            .ToList();
        // Triage: the first few failing checks open; the rest are one line each, as in the list at the top.
        const int OpenFailures = 3;
        var open = 0;
        for (var i = 0; i < checks.Count; i++)
        {
            if (!checks[i].Concealed && !checks[i].Collapsed && ++open > OpenFailures)
            {
                checks[i] = checks[i] with { Collapsed = true };
            }
        }

        var firstTraced = checks.FindIndex(c => !c.Concealed && !c.Collapsed && c.Trace.Count > 0);
        if (firstTraced >= 0)
        {
            checks[firstTraced] = checks[firstTraced] with { TraceOpen = true };
        }

        var problems = all
            .Where(x => !x.View.Concealed && x.Result.Status is CheckStatuses.Failed or CheckStatuses.Error)
            .Select(x => new ProblemView(x.Result.Id, x.Result.Title, x.View.Status, OneLine(x.Result.Feedback),
                x.View.GraderFault ? "not counted" : "-" + ReportText.Points(x.Result.MaxPoints - x.Result.Points)))
            .ToList();
        // A student's total must not reveal hidden checks: their page shows the score of what it shows.
        var shown = all.Where(x => !x.View.Concealed && !x.View.GraderFault).Select(x => x.Result).ToList();
        return new SubmissionView(
            css,
            studentView,
            studentView ? "" : "../index.html",
            RunInfo(context),
            s.Id,
            s.Student?.Name ?? "",
            studentView ? "" : s.Student?.Email ?? "",
            studentView ? "" : s.Student?.LmsId ?? "",
            s.Language,
            studentView ? "" : s.Path ?? "",
            ReportText.Points(s.Score),
            ReportText.Points(s.MaxScore),
            s.Outcome,
            // Said once: a compile failure's message is already the first item to fix.
            problems.Any(p => p.Reason == s.Message) ? "" : s.Message ?? "",
            s.GraderFault,
            s.TotalOverride is not null,
            s.TotalOverride is null ? "" : ReportText.Points(s.TotalOverride.OriginalPoints),
            s.TotalOverride?.Comment ?? "",
            ReportText.Seconds(s.DurationMs),
            checks,
            [.. s.Diagnostics.Select((d, i) => new DiagnosticView(
                d.Severity,
                $"{d.File}:{d.Line}:{d.Column}",
                SourceAnchor(s, d),
                d.Message,
                d.Code ?? ""))],
            [.. s.Sources.Select((f, i) => Source(s, f, i))],
            studentView ? "" : s.Output ?? "",
            checks.Count(c => c.Concealed),
            s.Late?.Note ?? "",
            s.Late?.SubmittedAt is { } at ? ReportText.Date(at) : "",
            problems,
            skipGroups,
            ReportText.Points(shown.Sum(c => c.Points)),
            ReportText.Points(shown.Sum(c => c.MaxPoints)));
    }

    private const string BuildCheckId = "build";

    /// <summary>One line saying what went wrong: the first failing case, else the feedback's first real line.</summary>
    internal static string OneLine(string feedback)
    {
        var lines = feedback.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var line = lines.FirstOrDefault(l => l.StartsWith('✗'))?.TrimStart('✗', ' ')
            ?? lines.FirstOrDefault(l => !l.StartsWith("Passed ", StringComparison.Ordinal))
            ?? lines.FirstOrDefault()
            ?? "";
        return line.Length <= 200 ? line : line[..199] + "…";
    }

    private static RunView RunInfo(ReportContext context) => new(
        context.Run.Rubric,
        context.Run.RubricTitle ?? context.Run.Rubric,
        context.Run.GraderVersion,
        ReportText.Date(context.Run.StartedAt),
        ReportText.Date(context.Run.DueDate),
        ReportText.Points(context.Run.MaxScore),
        context.Run.Complete,
        context.Run.Shard ?? "",
        context.Run.RandomSeed?.ToString(CultureInfo.InvariantCulture) ?? "",
        context.Submissions.Count,
        context.Run.Warnings);

    private static RowView Row(SubmissionSummary s, IReadOnlyList<CheckSummary> columns)
    {
        var byId = s.Checks.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var cells = columns.Select(col =>
        {
            if (!byId.TryGetValue(col.Id, out var c))
            {
                return new CellView("none", "", "", "-1", false, "not run");
            }

            var tooltip = $"{c.Id}: {ReportText.StatusLabel(c)}";
            if (c.Override is not null)
            {
                tooltip += $"; overridden from {ReportText.Points(c.Override.OriginalPoints)}"
                    + (c.Override.Comment is null ? "" : $": {c.Override.Comment}");
            }

            return new CellView(
                ReportText.StatusClass(c),
                ReportText.StatusMark(c),
                ReportText.IsGraderFault(c) && c.Override is null ? "n/a" : ReportText.Points(c.Points),
                ReportText.IsGraderFault(c) && c.Override is null ? "-1" : ReportText.Points(c.Points),
                c.Override is not null,
                tooltip);
        }).ToList();

        return new RowView(
            s.Id,
            SubmissionHref(s.Id),
            s.Student?.Name ?? "",
            ReportText.Points(s.Score),
            ReportText.Points(s.MaxScore),
            s.MaxScore > 0 ? ReportText.Points(Math.Round(s.Score / s.MaxScore * 100m, 1)) : "0",
            s.Outcome,
            s.GraderFault,
            s.TotalOverride is not null,
            s.TotalOverride is null ? "" : $"total overridden from {ReportText.Points(s.TotalOverride.OriginalPoints)}"
                + (s.TotalOverride.Comment is null ? "" : $": {s.TotalOverride.Comment}"),
            s.Late?.Note ?? "",
            cells);
    }

    private static CheckView Check(CheckResult c, bool studentView, ReportContext context, SourceLinks links)
    {
        var concealedReason = !studentView ? "" : c.Visibility switch
        {
            "hidden" => "This is a hidden check: its details are not shown.",
            "after-due" when context.Run.DueDate is null || context.Now < context.Run.DueDate =>
                context.Run.DueDate is null
                    ? "Details of this check are shown after the due date."
                    : $"Details of this check are shown after the due date ({ReportText.Date(context.Run.DueDate)}).",
            _ => "",
        };
        var concealed = concealedReason.Length > 0;
        var graderFault = ReportText.IsGraderFault(c) && c.Override is null;
        if (concealed)
        {
            // Nothing but the title: no status, points, feedback or trace reach the page.
            return new CheckView(c.Id, c.Title, "concealed", "hidden", "?", false, "", "", c.Visibility, true, concealedReason,
                "", "", "", [], [], [], false, "", "", true, [], 0);
        }

        var passed = c.Status == CheckStatuses.Passed;
        // Failing cases are in the feedback already (CheckRunner.Compose): the list keeps the ones that passed.
        var cases = passed ? c.Cases : [.. c.Cases.Where(k => k.Passed)];
        var (trace, traceAll) = TraceWindow(c, links);

        return new CheckView(
            c.Id,
            c.Title,
            ReportText.StatusClass(c),
            ReportText.StatusLabel(c),
            ReportText.StatusMark(c),
            graderFault,
            graderFault ? "n/a" : ReportText.Points(c.Points),
            ReportText.Points(c.MaxPoints),
            c.Visibility,
            false,
            "",
            c.Feedback,
            $"{c.DurationMs} ms",
            c.CasesTotal > 0 && cases.Count > 0 ? $"{c.CasesPassed}/{c.CasesTotal} cases passed" : "",
            [.. cases.Select(k => new CaseView(k.Name, k.Passed, k.Detail ?? ""))],
            trace,
            [.. c.Trace.Where(e => e.Kind == "dmesg").Select(e => TraceText.Dmesg(e))],
            c.Override is not null,
            c.Override is null ? "" : ReportText.Points(c.Override.OriginalPoints),
            c.Override?.Comment ?? "",
            passed || c.Status == CheckStatuses.Skipped,
            traceAll,
            c.Trace.Count);
    }

    /// <summary>Rows shown at first: the whole trace when short, else a window around <see cref="CheckResult.TraceFocus"/>
    /// (or the start); the second list is the whole trace for "show all" when the first is a window.</summary>
    private static (List<TraceRowView> Shown, List<TraceRowView> All) TraceWindow(CheckResult c, SourceLinks links)
    {
        const int Short = 24;
        const int Before = 8;
        var failing = c.Status is CheckStatuses.Failed or CheckStatuses.Error;
        var rows = Trace(c.Trace, failing ? links : null, c.TraceFocus);
        if (rows.Count <= Short)
        {
            return (rows, []);
        }

        var start = Math.Clamp((c.TraceFocus ?? 0) - Before, 0, rows.Count - Short);
        return (rows.GetRange(start, Short), rows);
    }

    private static List<TraceRowView> Trace(IReadOnlyList<TraceEvent> events, SourceLinks? links, int? focus)
    {
        var rows = new List<TraceRowView>(events.Count);
        var inCall = false;
        string callAnchor = "", callWhere = "";
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            // Calls link to the student's function; accesses to the line using that API; an oops to the call it happened in.
            var (anchor, where) = links is null ? ("", "")
                : e.Kind == "oops" ? (callAnchor, callWhere)
                : links.For(e);
            if (e.Kind == "call")
            {
                (callAnchor, callWhere) = (anchor, where);
            }

            rows.Add(new TraceRowView(e.Kind, TraceText.Describe(e), e.Kind != "call" && inCall, anchor, where, i == focus));
            inCall = e.Kind switch
            {
                "call" => true,
                "return" => false,
                _ => inCall,
            };
        }

        return rows;
    }

    private static string SourceAnchor(SubmissionResult s, Diagnostic d)
    {
        var index = FindSource(s, d.File);
        return index < 0 ? "" : $"src{index}-L{d.Line}";
    }

    private static int FindSource(SubmissionResult s, string file)
    {
        var normal = file.Replace('\\', '/');
        for (var i = 0; i < s.Sources.Count; i++)
        {
            var path = s.Sources[i].Path.Replace('\\', '/');
            if (path == normal || normal.EndsWith("/" + path, StringComparison.Ordinal) || path.EndsWith("/" + normal, StringComparison.Ordinal))
            {
                return i;
            }
        }

        // Fall back to the file name alone, when only one source has it.
        var name = System.IO.Path.GetFileName(normal);
        var matches = s.Sources.Select((f, i) => (f, i)).Where(x => System.IO.Path.GetFileName(x.f.Path.Replace('\\', '/')) == name).ToList();
        return matches.Count == 1 ? matches[0].i : -1;
    }

    private static SourceView Source(SubmissionResult s, SourceFile file, int index)
    {
        var diagnostics = s.Diagnostics.Where(d => FindSource(s, d.File) == index).ToLookup(d => d.Line);
        var lines = file.Text.Split('\n');
        if (lines.Length > 0 && lines[^1].Length == 0)
        {
            lines = lines[..^1];
        }

        return new SourceView(
            file.Path,
            file.Truncated,
            [.. lines.Select((text, i) =>
            {
                var number = i + 1;
                var here = diagnostics[number].ToList();
                var severity = here.Any(d => d.Severity == "error") ? "error" : here.Count > 0 ? "warning" : "";
                return new LineView(
                    number,
                    $"src{index}-L{number}",
                    text.TrimEnd('\r'),
                    here.Count > 0,
                    severity,
                    [.. here.Select(d => $"{d.Severity}{(d.Code is null ? "" : " " + d.Code)} (col {d.Column}): {d.Message}")]);
            })]);
    }

    private static List<BarView> Histogram(IReadOnlyList<decimal> percents)
    {
        const int Bins = 10;
        const int ChartHeight = 100;
        var counts = new int[Bins];
        foreach (var p in percents)
        {
            counts[Math.Clamp((int)Math.Floor(p / 10m), 0, Bins - 1)]++;
        }

        var max = Math.Max(1, counts.Max());
        return [.. counts.Select((count, i) =>
        {
            var height = count * ChartHeight / max;
            var x = 30 + (i * 36);
            return new BarView(
                i == Bins - 1 ? "90-100" : $"{i * 10}-{(i * 10) + 9}",
                count,
                x,
                10 + ChartHeight - height,
                height,
                x + 15);
        })];
    }

    private static List<RateView> PassRates(ReportContext context)
    {
        var rates = new List<RateView>();
        var y = 5;
        foreach (var column in context.CheckColumns)
        {
            var results = context.Submissions
                .SelectMany(s => s.Checks.Where(c => c.Id == column.Id && !ReportText.IsGraderFault(c)))
                .ToList();
            var passed = results.Count(c => c.Status == CheckStatuses.Passed);
            var rate = results.Count == 0 ? 0m : (decimal)passed / results.Count;
            rates.Add(new RateView(
                column.Id,
                y,
                (int)Math.Round(rate * 200m),
                $"{ReportText.Points(Math.Round(rate * 100m, 0))}% ({passed}/{results.Count})",
                y + 11));
            y += 18;
        }

        return rates;
    }

    private static string Median(List<decimal> scores)
    {
        if (scores.Count == 0)
        {
            return "-";
        }

        scores.Sort();
        var mid = scores.Count / 2;
        return ReportText.Points(scores.Count % 2 == 1 ? scores[mid] : Math.Round((scores[mid - 1] + scores[mid]) / 2m, 2));
    }
}
