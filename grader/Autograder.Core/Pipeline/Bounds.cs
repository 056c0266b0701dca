using Autograder.Model;

namespace Autograder.Pipeline;

/// <summary>
/// Everything a submission can make us store, capped in one place: <see cref="SubmissionGrader"/> applies
/// <see cref="Apply"/> to every result it builds, so no exporter needs caps of its own. One submission adds
/// a bounded amount to results.json (well under 2 MiB) and its HTML page stays under 2 MiB even when every
/// stored character is one the HTML encoder turns into six (<c>&amp;quot;</c>) and dmesg and diagnostics are
/// shown twice. The figures, worst case on a page: sources 64 KiB x 6 + 2,000 lines x ~80 bytes of markup;
/// diagnostics 12 KiB x 6 x 2; feedback 13 checks x 4 KiB x 6; trace text 24 KiB x 6 x 2 + 2,400 events x
/// ~130 bytes; case details 13 x 10 x 200 x 6; output 8 KiB x 6: about 1.9 MiB. A real submission stays far
/// below every cap (a driver is ~5 KiB, its whole result ~50 KiB).
/// </summary>
internal static class Bounds
{
    /// <summary>Source files one submission may consist of (more is the submission's <c>invalid</c> outcome).</summary>
    public const int MaxSourceFiles = 32;
    public const int MaxSourceChars = 64 * 1024;
    public const int MaxSourceLines = 2000;
    public const int MaxDiagnostics = 50;
    public const int MaxDiagnosticChars = 4 * 1024;
    public const int MaxDiagnosticsChars = 12 * 1024;
    public const int MaxMessageChars = 2 * 1024;
    public const int MaxFeedbackChars = 4 * 1024;
    public const int MaxCaseDetailChars = 200;
    public const int MaxEventChars = 512;
    public const int MaxTraceCharsPerCheck = 8 * 1024;
    public const int MaxTraceChars = 24 * 1024;
    public const int MaxTraceEvents = 2400;
    public const int MaxOutputChars = 8 * 1024;

    public static SubmissionResult Apply(SubmissionResult result)
    {
        var traceChars = 0;
        var traceEvents = 0;
        return result with
        {
            Message = result.Message is null ? null : Cut(result.Message, MaxMessageChars),
            Sources = Sources(result.Sources),
            Diagnostics = Diagnostics(result.Diagnostics),
            Output = result.Output is null ? null : Tail(result.Output, MaxOutputChars),
            Checks = [.. result.Checks.Select(c => c with
            {
                Feedback = Cut(c.Feedback, MaxFeedbackChars),
                Cases = [.. c.Cases.Select(k => k.Detail is { Length: > MaxCaseDetailChars } d ? k with { Detail = Cut(d, MaxCaseDetailChars) } : k)],
                Trace = Trace(c.Trace, ref traceChars, ref traceEvents),
            })],
        };
    }

    /// <summary><paramref name="text"/> cut to <paramref name="max"/> characters, saying how much was left out.</summary>
    public static string Cut(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        // The note is at most NoteChars long ("… (" + up to 19 digits + " more characters not kept)").
        var keep = Math.Max(0, max - NoteChars);
        // Never split a surrogate pair: a lone half is not valid UTF-8 in results.json.
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return text[..keep] + $"… ({text.Length - keep} more characters not kept)";
    }

    private const int NoteChars = 48;

    /// <summary>The end of a process's output (its last words are what explain a death).</summary>
    private static string Tail(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var start = text.Length - max + NoteChars;
        if (char.IsLowSurrogate(text[start]))
        {
            start++;
        }

        return $"({start} earlier characters not kept) …\n" + text[start..];
    }

    private static IReadOnlyList<SourceFile> Sources(IReadOnlyList<SourceFile> sources)
    {
        var chars = 0;
        var lines = 0;
        var kept = new List<SourceFile>(sources.Count);
        foreach (var file in sources.Take(MaxSourceFiles))
        {
            var room = Math.Max(0, MaxSourceChars - chars);
            var text = file.Text;
            var cut = text.Length;
            // The line cap: the end of the (MaxSourceLines - lines)th line.
            var lineRoom = MaxSourceLines - lines;
            for (int i = 0, seen = 0; i < text.Length; i++)
            {
                if (text[i] == '\n' && ++seen >= lineRoom)
                {
                    cut = i + 1;
                    break;
                }
            }

            cut = Math.Min(cut, room);
            if (lineRoom <= 0)
            {
                cut = 0;
            }

            if (cut < text.Length)
            {
                if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
                {
                    cut--;
                }

                text = text[..cut] + $"\n… ({file.Text.Length - cut} more characters of this file are not shown)\n";
            }

            chars += cut;
            lines += text.Count(ch => ch == '\n');
            kept.Add(cut < file.Text.Length ? file with { Text = text, Truncated = true } : file);
        }

        return kept;
    }

    private static IReadOnlyList<Diagnostic> Diagnostics(IReadOnlyList<Diagnostic> diagnostics)
    {
        if (diagnostics.Count == 0)
        {
            return diagnostics;
        }

        var kept = new List<Diagnostic>();
        var chars = 0;
        // Room for the final "and N more" entry when not all fit.
        var limit = diagnostics.Count <= MaxDiagnostics ? MaxDiagnostics : MaxDiagnostics - 1;
        foreach (var d in diagnostics)
        {
            var message = Cut(d.Message, MaxDiagnosticChars);
            if (kept.Count == limit || chars + message.Length + d.File.Length > MaxDiagnosticsChars)
            {
                break;
            }

            chars += message.Length + d.File.Length;
            kept.Add(message.Length == d.Message.Length && d.File.Length <= 256 ? d : d with { Message = message, File = Cut(d.File, 256) });
        }

        if (kept.Count < diagnostics.Count)
        {
            var rest = diagnostics.Skip(kept.Count).ToList();
            var errors = rest.Count(d => d.Severity == "error");
            kept.Add(new Diagnostic("note", "", 0, 0, $"and {rest.Count} more diagnostic{(rest.Count == 1 ? "" : "s")} ({errors} error{(errors == 1 ? "" : "s")}) not kept"));
        }

        return kept;
    }

    /// <summary>A check's trace within the per-check and per-submission caps (text and events).</summary>
    private static IReadOnlyList<TraceEvent> Trace(IReadOnlyList<TraceEvent> trace, ref int submissionChars, ref int submissionEvents)
    {
        var kept = new List<TraceEvent>(Math.Min(trace.Count, MaxTraceEvents));
        var checkChars = 0;
        var dropped = 0;
        foreach (var e in trace)
        {
            if (submissionEvents >= MaxTraceEvents - 1)
            {
                dropped++;
                continue;
            }

            var text = e.Text;
            if (text is not null)
            {
                var room = Math.Min(MaxTraceCharsPerCheck - checkChars, MaxTraceChars - submissionChars);
                var max = Math.Min(MaxEventChars, room);
                if (max <= 0)
                {
                    dropped++;
                    continue;
                }

                text = Cut(text, max);
                checkChars += text.Length;
                submissionChars += text.Length;
            }

            submissionEvents++;
            kept.Add(ReferenceEquals(text, e.Text) ? e : e with { Text = text });
        }

        if (dropped > 0)
        {
            submissionEvents++;
            kept.Add(new TraceEvent { Kind = "note", Text = $"… {dropped} more event{(dropped == 1 ? "" : "s")} not kept (the report keeps at most {MaxTraceChars / 1024} KiB of trace text and {MaxTraceEvents} events per submission)" });
        }

        return kept;
    }
}
