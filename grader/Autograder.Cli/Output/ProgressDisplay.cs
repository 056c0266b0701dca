using Autograder.Model;
using Autograder.Pipeline;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Autograder.Cli.Output;

/// <summary>Shows a batch's progress: a live bar on a terminal, one plain line per submission otherwise.</summary>
internal static class ProgressDisplay
{
    public static async Task<TRun> RunAsync<TRun>(CliConsoles consoles, int total, Func<IGradeObserver, Task<TRun>> grade)
    {
        if (!consoles.Live)
        {
            return await grade(new PlainObserver(consoles.Out, total));
        }
        return await consoles.Out.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new CountColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("grading", autoStart: true, maxValue: Math.Max(total, 1));
                return await grade(new LiveObserver(consoles.Out, task));
            });
    }

    /// <summary>"[12/40] csharp-reference 100/100 (0.4 s)": greppable CI log lines. Thread-safe: a lock
    /// keeps lines whole and the counter in step with them.</summary>
    internal sealed class PlainObserver(IAnsiConsole console, int total) : IGradeObserver
    {
        private readonly Lock _lock = new();
        private int _total = total;
        private int _done;

        public void OnStart(int total)
        {
            lock (_lock)
            {
                _total = total;
            }
        }

        public void OnResult(SubmissionResult result)
        {
            lock (_lock)
            {
                _done++;
                console.WriteLine(Line(_done, _total, result));
            }
        }

        public void OnWarning(string message)
        {
            lock (_lock)
            {
                console.WriteLine("warning: " + message);
            }
        }

        internal static string Line(int done, int total, SubmissionResult result)
        {
            var line = $"[{done}/{total}] {result.Id} {Format.Score(result)}";
            if (result.Outcome != Outcomes.Graded)
            {
                line += " " + result.Outcome;
            }
            if (result.GraderFault)
            {
                line += " GRADER-FAULT";
            }
            return line + $" ({Format.Seconds(result.DurationMs)})";
        }
    }

    /// <summary>Feeds Spectre's progress task (itself thread-safe) from worker threads.</summary>
    private sealed class LiveObserver(IAnsiConsole console, ProgressTask task) : IGradeObserver
    {
        private int _failures;

        public void OnStart(int total) => task.MaxValue = Math.Max(total, 1);

        public void OnResult(SubmissionResult result)
        {
            if (Format.IsFailure(result))
            {
                var failures = Interlocked.Increment(ref _failures);
                task.Description = $"grading [red]{failures} not full marks[/]";
            }
            task.Increment(1);
        }

        public void OnWarning(string message) => console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(message)}");
    }

    /// <summary>"12/40 3.1/s": done, total and rate.</summary>
    private sealed class CountColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var speed = task.Speed is { } s ? s.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) : "-";
            return new Text(System.FormattableString.Invariant($"{task.Value:0}/{task.MaxValue:0} {speed}/s"));
        }
    }
}
