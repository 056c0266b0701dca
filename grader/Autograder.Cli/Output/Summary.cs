using Autograder.Model;
using Spectre.Console;

namespace Autograder.Cli.Output;

/// <summary>The end-of-run table and the pointers to the written reports.</summary>
internal static class Summary
{
    public static void Render(IAnsiConsole console, IRunResults run)
    {
        var table = new Table().RoundedBorder()
            .AddColumn("id")
            .AddColumn("language")
            .AddColumn(new TableColumn("score").RightAligned())
            .AddColumn("outcome")
            .AddColumn("failed checks");
        foreach (var result in run.Summaries)
        {
            var colour = result.GraderFault ? "magenta"
                : result.Outcome != Outcomes.Graded || result.Score <= 0 ? "red"
                : result.Score < result.MaxScore ? "yellow" : "green";
            var failed = string.Join(", ", Format.FailedChecks(result).Select(c => c.Id));
            table.AddRow(
                new Text(result.Id),
                new Text(Format.Language(result.Language)),
                new Markup($"[{colour}]{Markup.Escape(Format.Score(result))}[/]"),
                new Text(result.GraderFault ? result.Outcome + " (grader fault)" : result.Outcome),
                new Text(failed));
        }
        var graded = run.Summaries.Count;
        var full = run.Summaries.Count(r => !Format.IsFailure(r));
        var reused = run.Run.ReusedFromCache > 0 ? $", {run.Run.ReusedFromCache} reused from cache" : "";
        table.Caption($"{graded} submission(s), {full} with full marks{reused}{(run.Run.Complete ? "" : ", INCOMPLETE run")}");
        console.Write(table);
    }

    public static void RenderNotes(IAnsiConsole console, IEnumerable<string> notes)
    {
        foreach (var note in notes)
        {
            console.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
        }
    }

    public static void RenderWhereReportsAre(IAnsiConsole console, string outDir, IReadOnlyList<string> formats)
    {
        console.MarkupLine($"reports written to [bold]{Markup.Escape(outDir)}[/] ({Markup.Escape(string.Join(", ", formats))})");
        if (formats.Contains("html"))
        {
            console.MarkupLine($"open [link]{Markup.Escape(Path.Combine(outDir, "index.html"))}[/]");
        }
    }
}
