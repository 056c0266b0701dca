using Autograder.Model;
using Spectre.Console;

namespace Autograder.Cli.Output;

/// <summary>The student's self-check verdict: one block per visible check, with feedback, the failing
/// cases and, for checks that did not pass, the trace of what the grader observed.</summary>
internal static class CheckReport
{
    /// <summary>Traces can be long (a loop of ioctls); the HTML report has the whole thing.</summary>
    public const int MaxTraceLines = 40;

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
        var notPassing = visible.Count(IsNotPassing);
        console.WriteLine();
        console.MarkupLine(result.Outcome == Outcomes.Graded && notPassing == 0
            ? $"[green]all {visible.Count} visible checks pass[/]"
            : $"[red]{notPassing} of {visible.Count} visible checks did not pass[/]");
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
        if (check.CasesTotal > 0)
        {
            Write(console, $"      cases: {check.CasesPassed}/{check.CasesTotal} passed");
            foreach (var c in check.Cases.Where(c => !c.Passed))
            {
                Write(console, $"        x {c.Name}{(c.Detail is null ? "" : ": " + c.Detail)}");
            }
        }
        RenderTrace(console, check);
    }

    private static void RenderTrace(IAnsiConsole console, CheckResult check)
    {
        if (check.Trace.Count > 0)
        {
            Write(console, "      trace:");
            foreach (var e in check.Trace.Take(MaxTraceLines))
            {
                Write(console, "        " + TraceFormatter.Line(e));
            }
            if (check.Trace.Count > MaxTraceLines)
            {
                Write(console, $"        ... {check.Trace.Count - MaxTraceLines} more events (see the HTML report)");
            }
        }
    }

    private static void Write(IAnsiConsole console, string line) => console.WriteLine(Format.Printable(line));

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
