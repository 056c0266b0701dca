using System.Diagnostics;
using System.Text;
using Autograder.Load;
using Autograder.Model;

namespace Autograder.Check;

/// <summary>
/// Runs one check against one submission's driver host and turns what happened into a
/// <see cref="CheckResult"/>: points from cases, whose fault a bad ending is, the trace observed.
/// </summary>
internal static class CheckRunner
{
    private const int TraceCap = 600;

    // lessons: what earlier checks of the submission learned about calls that did not return.
    // allTraces: keep the trace of a passed check too (else a summary line stands for it).
    public static CheckResult Run(ICheck check, RubricCheck entry, IDriverHost host, SubmissionView submission, Random random, CallLessons? lessons = null, bool allTraces = true)
    {
        var budget = new CheckBudget(entry.CpuLimit, entry.WallLimit, entry.CallCpuLimit, lessons, entry.Id)
        {
            CommandNames = CommandNames(entry.Parameters),
        };
        var ctx = new CheckContext(entry.Id, entry.Parameters, submission, random, budget, (kernel, b) =>
        {
            var instance = host.Start(kernel, b, out var begin);
            return (instance, begin);
        });
        var clock = Stopwatch.StartNew();
        CheckResult result;
        try
        {
            var verdict = check.Run(ctx);
            result = Scored(entry, verdict.Status, null, Compose(verdict, ctx), ctx, verdict.Cases);
        }
        catch (SkipCheckException e)
        {
            result = Skipped(entry, e.Message);
        }
        catch (DriverFaultException e)
        {
            var what = e.Call.Status switch
            {
                CallStatus.Oops => "oopsed the kernel",
                CallStatus.TimedOut => "timed out",
                CallStatus.HostFailed => "broke its host",
                _ => "crashed",
            };
            var text = $"The driver {what} during {e.During}: {e.Call.Message}";
            result = Scored(entry, CheckStatuses.Error, Faults.Submission, Compose(ctx, text), ctx, ctx.Cases);
        }
        catch (HarnessFaultException e)
        {
            result = GraderFault(entry, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug in a check (ours or an instructor's plugin) is never the student's loss.
            result = GraderFault(entry, $"{check.GetType().Name} failed: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            foreach (var d in ctx.Drivers)
            {
                d.Dispose();
            }
        }

        var (trace, focus) = Trace(ctx);
        return result with
        {
            DurationMs = clock.ElapsedMilliseconds,
            Trace = result.Status == CheckStatuses.Passed && !allTraces ? Summary(ctx) : trace,
            TraceFocus = result.Status == CheckStatuses.Passed ? null : focus,
        };
    }

    // The rubric's shared rand-cmd and seed-cmd parameters name the exercise's two commands in timeout messages.
    private static Dictionary<uint, string> CommandNames(CheckParameters parameters)
    {
        var names = new Dictionary<uint, string> { [parameters.Get("rand-cmd", 0x80047101u)] = "RAND" };
        names.TryAdd(parameters.Get("seed-cmd", 0x40047101u), "SEED");
        return names;
    }

    public static CheckResult Skipped(RubricCheck entry, string reason) => new()
    {
        Id = entry.Id,
        Title = entry.Title,
        Status = CheckStatuses.Skipped,
        Fault = null,
        Points = 0,
        MaxPoints = entry.Points,
        Visibility = entry.Visibility,
        Feedback = $"Not run: {reason}.",
    };

    public static CheckResult GraderFault(RubricCheck entry, string message) => new()
    {
        Id = entry.Id,
        Title = entry.Title,
        Status = CheckStatuses.Error,
        Fault = Faults.Grader,
        Points = 0,
        MaxPoints = entry.Points,
        Visibility = entry.Visibility,
        Feedback = $"Grader fault (not the student's doing; this check does not count): {message}",
    };

    private static CheckResult Scored(RubricCheck entry, string status, string? fault, string feedback, CheckContext ctx, IReadOnlyList<CaseResult> cases)
    {
        var passed = cases.Count(c => c.Passed);
        var total = Math.Max(cases.Count, ctx.PlannedCases);
        var points = status == CheckStatuses.Passed
            ? entry.Points
            : total == 0 ? 0 : Math.Round(entry.Points * passed / total, 2, MidpointRounding.AwayFromZero);
        return new CheckResult
        {
            Id = entry.Id,
            Title = entry.Title,
            Status = status,
            Fault = fault ?? (status == CheckStatuses.Passed ? null : Faults.Submission),
            Points = points,
            MaxPoints = entry.Points,
            Visibility = entry.Visibility,
            Feedback = feedback,
            CasesPassed = passed,
            CasesTotal = total,
            Cases = [.. cases],
        };
    }

    private static string Compose(CheckVerdict verdict, CheckContext ctx)
    {
        if (verdict.Status == CheckStatuses.Passed)
        {
            return verdict.Cases.Count == 1 ? "Passed." : $"All {verdict.Cases.Count} cases passed.";
        }

        return Compose(ctx, null);
    }

    private static string Compose(CheckContext ctx, string? headline)
    {
        var text = new StringBuilder();
        if (headline is not null)
        {
            text.AppendLine(headline);
        }

        var total = Math.Max(ctx.Cases.Count, ctx.PlannedCases);
        if (total > 0)
        {
            text.AppendLine($"Passed {ctx.Cases.Count(c => c.Passed)} of {total} cases.");
        }

        foreach (var c in ctx.Cases.Where(c => !c.Passed))
        {
            text.AppendLine($"✗ {c.Name}: {c.Detail}");
        }

        foreach (var hint in ctx.Hints)
        {
            text.AppendLine($"How to fix: {hint}");
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>What stands for a passed check's trace: one note counting what the check did.</summary>
    private static IReadOnlyList<TraceEvent> Summary(CheckContext ctx)
    {
        var traced = ctx.Drivers.Where(d => d.Traced).ToList();
        if (traced.Count == 0)
        {
            return [];
        }

        var events = traced.SelectMany(d => d.Kernel.Trace).ToList();
        var ioctls = events.Count(e => e is { Kind: "call", Op: "ioctl" });
        var mmio = events.Count(e => e.Kind == "mmio");
        var user = events.Count(e => e.Kind == "user");
        var dmesg = events.Count(e => e.Kind == "dmesg");
        var text = $"passed: {traced.Count} driver instance{(traced.Count == 1 ? "" : "s")}, {ioctls} ioctl{(ioctls == 1 ? "" : "s")}, "
            + $"{mmio} MMIO access{(mmio == 1 ? "" : "es")}, {user} user cop{(user == 1 ? "y" : "ies")}, {dmesg} dmesg line{(dmesg == 1 ? "" : "s")} "
            + $"({events.Count} events; --traces all keeps them)";
        return [new TraceEvent { Kind = "note", Text = text }];
    }

    private static (IReadOnlyList<TraceEvent> Events, int? Focus) Trace(CheckContext ctx)
    {
        var events = new List<TraceEvent>();
        int? failure = null;
        var traced = ctx.Drivers.Where(d => d.Traced).ToList();
        foreach (var d in traced)
        {
            if (traced.Count > 1)
            {
                events.Add(new TraceEvent { Kind = "note", Text = $"driver instance {d.Index + 1} (fresh kernel)" });
            }

            if (ctx.FirstFailure is { } first && first.Driver == d)
            {
                failure = events.Count + Math.Max(0, first.Events - 1);
            }

            events.AddRange(d.Kernel.Trace);
        }

        // An oops is where things went wrong, whatever case was recorded first.
        var oops = events.FindIndex(e => e.Kind == "oops");
        int? focus = oops >= 0 ? oops : failure;
        if (events.Count <= TraceCap)
        {
            return (events, focus);
        }

        const int Tail = 100;
        var headCount = TraceCap - Tail;
        var head = events.Take(headCount).ToList();
        head.Add(new TraceEvent { Kind = "note", Text = $"... {events.Count - TraceCap} events left out ..." });
        head.AddRange(events.TakeLast(Tail));
        // Where the focus lands once the middle is left out: in the head, in the tail, or on the gap's note.
        int? kept = focus is not { } f ? null
            : f < headCount ? f
            : f >= events.Count - Tail ? headCount + 1 + (f - (events.Count - Tail))
            : headCount;
        return (head, kept);
    }
}
