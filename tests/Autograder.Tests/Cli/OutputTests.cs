using Autograder.Report;
using Autograder.Cli.Output;
using Autograder.Model;
using static Autograder.Tests.Cli.Results;

namespace Autograder.Tests.Cli;

public class OutputTests
{
    [Test]
    public void Plain_progress_lines_are_greppable()
    {
        var graded = Submission("csharp-ref", 100) with { DurationMs = 420 };
        var broken = Submission("bob", 0, outcome: Outcomes.CompileError) with { DurationMs = 1234 };

        Assert.That(ProgressDisplay.PlainObserver.Line(12, 40, graded), Is.EqualTo("[12/40] csharp-ref 100/100 (0.4 s)"));
        Assert.That(ProgressDisplay.PlainObserver.Line(13, 40, broken), Is.EqualTo("[13/40] bob 0/100 compile-error (1.2 s)"));
    }

    [Test]
    public void The_plain_observer_counts_results_from_many_threads_without_losing_lines()
    {
        var console = new CapturedConsole();
        var observer = new ProgressDisplay.PlainObserver(console.Console, 200);

        Parallel.For(0, 200, i => observer.OnResult(Submission($"s{i}", 1)));

        var lines = console.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(200));
        Assert.That(lines[^1], Does.StartWith("[200/200] "));
    }

    [Test]
    public void Trace_events_read_as_a_timeline()
    {
        TraceEvent[] trace =
        [
            new() { Kind = "call", Op = "ioctl", Cmd = 0x80047101, Arg = 0x7ffd0000 },
            new() { Kind = "mmio", Dir = "read", Offset = 0, Size = 4, Value = 0x6b8b4567, Api = "ioread32" },
            new() { Kind = "user", Dir = "to_user", Address = 0x7ffd0000, Size = 8, NotCopied = 4, Api = "copy_to_user" },
            new() { Kind = "return", Op = "ioctl", Ret = -14 },
            new() { Kind = "dmesg", Level = 6, Text = "my_rng_driver loaded" },
        ];

        Assert.That(trace.Select(TraceFormatter.Line), Is.EqualTo(new[]
        {
            "-> ioctl(cmd=0x80047101, arg=0x7ffd0000)",
            "   mmio read32 +0x0 = 0x6b8b4567 (ioread32)",
            "   copy to user 8 bytes at 0x7ffd0000, 4 not copied (copy_to_user)",
            "<- ioctl returned -14",
            "   dmesg <6> my_rng_driver loaded",
        }));
    }

    [Test]
    public void Control_characters_from_student_text_cannot_reach_the_terminal() =>
        Assert.That(Format.Printable("hi\u001b[2Jthere"), Is.EqualTo("hi\\x1b[2Jthere"));

    [Test]
    public void The_self_check_shows_visible_checks_with_feedback_and_the_trace_of_failures_only()
    {
        var seed = CheckOf("seed", "failed", 0, 10) with
        {
            // As CheckRunner composes it: the count, each failing case once, the hint.
            Feedback = "Passed 0 of 1 cases.\n✗ seed 42: next RAND was 1804289383, expected 71876166\nHow to fix: SEED wrote the value at offset 0; the device takes the seed at offset 4.",
            CasesPassed = 0,
            CasesTotal = 1,
            Cases = [new CaseResult("seed 42", false, "next RAND was 1804289383, expected 71876166")],
            Trace = [new TraceEvent { Kind = "mmio", Dir = "write", Offset = 0, Size = 4, Value = 42, Api = "iowrite32" }],
        };
        var rand = CheckOf("rand", "passed", 10, 10) with
        {
            Trace = [new TraceEvent { Kind = "note", Text = "should not be shown" }],
        };
        var hidden = CheckOf("secret", "failed", 0, 10, visibility: "hidden");
        var console = new CapturedConsole();

        CheckReport.Render(console.Console, Submission("my-rng", 10, 30, checks: [rand, seed, hidden]));

        Golden.AssertMatches("check-report.txt", console.Text);
    }

    [Test]
    public void The_summary_table_lists_every_submission_with_its_failed_checks()
    {
        var console = new CapturedConsole();
        var run = Run(
            Submission("alice", 100, checks: CheckOf("rand", "passed", 10, 10)),
            Submission("bob", 40, checks: [CheckOf("rand", "passed", 10, 10), CheckOf("seed", "failed", 0, 10), CheckOf("ioctl-enotty", "error", 0, 10)]),
            Submission("carol", 0, outcome: Outcomes.CompileError));

        Summary.Render(console.Console, RunResults.InMemory(run));

        Golden.AssertMatches("summary.txt", console.Text);
    }
}
