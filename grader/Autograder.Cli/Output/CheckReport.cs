using Autograder.Model;
using Autograder.Report;
using Spectre.Console;

namespace Autograder.Cli.Output;

/// <summary>The student's self-check verdict: one block per visible check, with feedback, the failing
/// cases and, for checks that did not pass, the trace of what the grader observed.</summary>
internal static class CheckReport
{
    public static void Render(IAnsiConsole console, SubmissionResult result, bool allTraces = false)
    {
        console.MarkupLine($"[bold]{Markup.Escape(result.Id)}[/] ({Format.Language(result.Language)}): {Markup.Escape(Format.Score(result))}");
        if (result.Outcome != Outcomes.Graded)
        {
            console.MarkupLine($"[red]{Markup.Escape(result.Outcome)}[/]{(result.Message is null ? "" : ": " + Markup.Escape(result.Message))}");
        }
        foreach (var d in result.Diagnostics.Where(d => d.Severity == "error"))
        {
            Write(console, $"  {d.File}:{d.Line}:{d.Column}: {d.Severity}: {d.Message}");
        }
        foreach (var check in VisibleChecks(result))
        {
            RenderCheck(console, check, allTraces);
        }
        var visible = VisibleChecks(result).ToList();
        console.WriteLine();
        console.MarkupLine(result.Outcome == Outcomes.Graded && !visible.Any(IsNotPassing)
            ? $"[green]all {visible.Count} visible checks pass[/]"
            : $"[red]{Markup.Escape(Tally(visible))}[/]");
    }

    /// <summary>"2 passed, 1 failed, 11 skipped": an error counts as failed; zero counts are left out.</summary>
    internal static string Tally(IReadOnlyList<CheckResult> checks)
    {
        var parts = new List<string>();
        var passed = checks.Count(c => c.Status == CheckStatuses.Passed);
        var failed = checks.Count(IsNotPassing);
        var skipped = checks.Count - passed - failed;
        if (passed > 0)
        {
            parts.Add($"{passed} passed");
        }
        parts.Add($"{failed} failed");
        if (skipped > 0)
        {
            parts.Add($"{skipped} skipped");
        }
        return string.Join(", ", parts);
    }

    public static IEnumerable<CheckResult> VisibleChecks(SubmissionResult result) =>
        result.Checks.Where(c => c.Visibility == "visible");

    public static bool IsNotPassing(CheckResult check) =>
        check.Status is CheckStatuses.Failed or CheckStatuses.Error;

    private static void RenderCheck(IAnsiConsole console, CheckResult check, bool allTraces)
    {
        var (label, colour) = check.Status switch
        {
            CheckStatuses.Passed => ("PASS ", "green"),
            CheckStatuses.Failed => ("FAIL ", "red"),
            CheckStatuses.Error => ("ERROR", "red"),
            _ => ("SKIP ", "grey"),
        };
        var points = $"{Format.Number(check.Points)}/{Format.Number(check.MaxPoints)}";
        var fault = check.Fault == Faults.Grader ? " [magenta](grader fault, not yours)[/]" : "";
        console.MarkupLine($"[{colour}]{label}[/] {Markup.Escape(check.Id)}: {Markup.Escape(check.Title)} [grey]{Markup.Escape(points)}[/]{fault}");
        foreach (var line in Lines(check.Feedback))
        {
            Write(console, "      " + line);
        }
        if (!IsNotPassing(check))
        {
            if (allTraces)
            {
                RenderTrace(console, check);
            }

            return;
        }
        // The feedback already lists each failing case (CheckRunner.Compose): say it once.
        RenderTrace(console, check);
    }

    private static void RenderTrace(IAnsiConsole console, CheckResult check)
    {
        if (check.Trace.Count > 0)
        {
            Write(console, "      trace:");
            foreach (var line in TraceFormatter.Lines(check.Trace))
            {
                Write(console, "        " + line);
            }
        }
    }

    private static void Write(IAnsiConsole console, string line) => console.WriteLine(Format.Printable(line));

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
