using Autograder.Model;
using Autograder.Report;
using Autograder.Tests.Cli;

namespace Autograder.Tests.Check;

/// <summary>
/// Issue 16, end to end through the CLI: the per-call CPU budget stops a spinning call early and names it;
/// a call that hung is not waited for again by later checks (learn once), a call that hangs only for one
/// value still runs for the others; an init that hangs skips the checks that need a loaded driver; a passed
/// check keeps a summary of its trace unless --traces all. The drivers are the reference examples with a
/// loop put in by text replacement (the examples stay data files). Durations are only sanity-bounded.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class CallBudgetTests
{
    private string _dir = "";
    private GradingRun _run = null!;
    private GradingRun _allTraces = null!;

    private static string Reference(string language, string file) =>
        File.ReadAllText(Path.Combine(TestPaths.Examples, language, "reference", file));

    private static void Write(string dir, string file, string text)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, file), text);
    }

    private static string Replace(string text, string what, string with)
    {
        Assert.That(text, Does.Contain(what), "the reference example changed; update the test's replacement");
        return text.Replace(what, with, StringComparison.Ordinal);
    }

    private static GradingRun Grade(string input, string output, params string[] extra)
    {
        var cli = CliHarness.Run(["grade", input, "--out", output, "--format", "json", "--jobs", "2", "--no-cache", "--seed", "7", .. extra]);
        Assert.That(cli.ExitCode, Is.EqualTo(0), cli.Out + cli.Error);
        return Reports.ReadResults(Path.Combine(output, "results.json"));
    }

    [OneTimeSetUp]
    public void GradeTheLoopingDrivers()
    {
        _dir = Directory.CreateTempSubdirectory("ag-callbudget-").FullName;
        var input = Path.Combine(_dir, "in");
        const string CSeed = "\t\t/* Application requests to seed the RNG */\n";
        var c = Reference("c", "my-rng.c");
        Write(Path.Combine(input, "c-seed-loop"), "my-rng.c", Replace(c, CSeed, CSeed + "\t\tfor (;;)\n\t\t\tcpu_relax();\n"));
        // Spins only for the value 42, after reading it: the other values must still be tried.
        Write(Path.Combine(input, "c-seed-42"), "my-rng.c", Replace(c, "\t\tiowrite32(value, devmem + 4);\n", "\t\twhile (value == 42)\n\t\t\tcpu_relax();\n\t\tiowrite32(value, devmem + 4);\n"));
        const string CsSeed = "                    /* Application requests to seed the RNG */\n";
        Write(Path.Combine(input, "cs-seed-loop"), "MyRng.cs", Replace(Reference("csharp", "MyRng.cs"), CsSeed, CsSeed + "                    while (true) cpu_relax();\n"));
        Write(Path.Combine(input, "c-init-loop"), "my-rng.c", File.ReadAllText(Path.Combine(TestPaths.Examples, "hostile", "c", "infinite-loop-init", "my-rng.c")));
        Write(Path.Combine(input, "c-reference"), "my-rng.c", c);
        // Thousands of kernel calls in one init (a register dump): system time, not a loop of the driver's own.
        const string Loaded = "\tprintk(\"my_rng_driver loaded";
        Write(Path.Combine(input, "c-register-dump"), "my-rng.c", Replace(c, Loaded,
            "\t{ int k; for (k = 0; k < 4096; k += 4) printk(KERN_DEBUG \"reg %03x = %08x\\n\", k, ioread32(devmem + 8 + k % 8)); }\n" + Loaded));
        // Polls a register that never reads 1: a loop made of kernel calls, stopped by the total budget.
        Write(Path.Combine(input, "c-seed-poll"), "my-rng.c", Replace(c, CSeed, CSeed + "\t\twhile (ioread32(devmem + 8) != 1)\n\t\t\tcpu_relax();\n"));
        Write(Path.Combine(input, "c-seed-offset-0"), "my-rng.c", File.ReadAllText(Path.Combine(TestPaths.Examples, "c", "seed-offset-0", "my-rng.c")));
        _run = Grade(input, Path.Combine(_dir, "out"));

        var one = Path.Combine(_dir, "one");
        Write(Path.Combine(one, "c-reference"), "my-rng.c", c);
        _allTraces = Grade(one, Path.Combine(_dir, "out-all"), "--traces", "all");
    }

    [OneTimeTearDown]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    private SubmissionResult Sub(string id) => _run.Submissions.Single(s => s.Id == id);

    private static string Describe(SubmissionResult s) =>
        string.Join("\n", s.Checks.Select(c => $"{c.Id} {c.Status} {c.DurationMs} ms: {c.Feedback}"));

    // C# calls get 15 ms more for the runtime's own work (CheckBudget.RuntimeAllowance).
    [TestCase("c-seed-loop", 15)]
    [TestCase("cs-seed-loop", 30)]
    public void A_spinning_SEED_is_stopped_by_its_call_budget_naming_SEED_and_waited_for_once(string id, int budgetMs)
    {
        var result = Sub(id);
        var timedOut = result.Checks.Where(c => c.Feedback.Contains($"SEED did not return within {budgetMs} ms of CPU time", StringComparison.Ordinal)).ToList();
        Assert.That(timedOut.Select(c => c.Id), Is.SupersetOf(new[] { "ioctl-encoding", "seed", "determinism", "user-memory" }), Describe(result));
        Assert.That(timedOut.Select(c => c.Status), Is.All.EqualTo(CheckStatuses.Error), Describe(result));
        Assert.That(timedOut.Select(c => c.Fault), Is.All.EqualTo(Faults.Submission), Describe(result));
        // Learn once: the first check waited for the budget, the later ones were told without running it.
        Assert.That(timedOut.Count(c => !c.Feedback.Contains("not run again", StringComparison.Ordinal)), Is.EqualTo(1), Describe(result));
        Assert.That(timedOut.Skip(1).Select(c => c.Feedback), Has.All.Contain("(seen in ioctl-encoding; not run again)"), Describe(result));
        // Checks that never call SEED are unaffected.
        foreach (var passing in new[] { "load", "dmesg", "enotty", "unload", "error-paths" })
        {
            Assert.That(result.Checks.Single(ch => ch.Id == passing).Status, Is.EqualTo(CheckStatuses.Passed), $"{passing}: {Describe(result)}");
        }

        // Sanity only (a loaded machine stretches wall time): nowhere near the 2 s CPU a check, 11 checks.
        Assert.That(result.Checks.Sum(ch => ch.DurationMs), Is.LessThan(20_000), Describe(result));
    }

    [Test]
    public void A_call_that_makes_thousands_of_kernel_calls_is_not_a_hang()
    {
        var result = Sub("c-register-dump");
        Assert.That(result.Score, Is.EqualTo(100m), Describe(result));
    }

    [Test]
    public void A_call_polling_a_register_forever_is_stopped_by_the_total_budget()
    {
        var result = Sub("c-seed-poll");
        var seed = result.Checks.Single(c => c.Id == "seed");
        Assert.That(seed.Status, Is.EqualTo(CheckStatuses.Error), Describe(result));
        Assert.That(seed.Fault, Is.EqualTo(Faults.Submission), Describe(result));
        // Mostly system time: the total budget (4 x 15 ms) ends it unless its own share runs out first.
        Assert.That(seed.Feedback, Does.Contain("SEED did not return within 60 ms of CPU time, system time included")
            .Or.Contain("SEED did not return within 15 ms of CPU time"), Describe(result));
    }

    [Test]
    public void A_call_that_hangs_for_one_value_still_runs_for_the_others()
    {
        var result = Sub("c-seed-42");
        Assert.That(result.Checks.Single(c => c.Id == "ioctl-encoding").Status, Is.EqualTo(CheckStatuses.Passed), Describe(result));
        var seed = result.Checks.Single(c => c.Id == "seed");
        Assert.That(seed.Status, Is.EqualTo(CheckStatuses.Error), Describe(result));
        Assert.That((seed.CasesPassed, seed.CasesTotal), Is.EqualTo((2, 6)), "SEED(0) and SEED(1) ran and passed before SEED(0x2a) hung");
        Assert.That(seed.Feedback, Does.Contain("SEED did not return within 15 ms of CPU time"));
        // Later checks reach the same state (SEED read 42) and are stopped at once, not after the budget.
        var determinism = result.Checks.Single(c => c.Id == "determinism");
        Assert.That(determinism.Feedback, Does.Contain("stopped at once"), Describe(result));
        Assert.That(determinism.CasesPassed, Is.EqualTo(2), "seeds 0 and 1 before 42");
        Assert.That(result.Checks.Single(c => c.Id == "efault").Status, Is.EqualTo(CheckStatuses.Passed), "a failed copy never reads 42");
    }

    [Test]
    public void A_looping_init_is_waited_for_once_and_the_checks_that_need_a_driver_are_skipped_with_the_reason()
    {
        var result = Sub("c-init-loop");
        var load = result.Checks.Single(c => c.Id == "load");
        Assert.That(load.Status, Is.EqualTo(CheckStatuses.Error), Describe(result));
        Assert.That(load.Feedback, Does.Contain("init did not return within 15 ms of CPU time"));
        foreach (var id in new[] { "dmesg", "ioctl-encoding", "rand", "seed", "determinism", "efault", "enotty", "user-memory", "unload" })
        {
            var check = result.Checks.Single(c => c.Id == id);
            Assert.That(check.Status, Is.EqualTo(CheckStatuses.Skipped), $"{id}: {Describe(result)}");
            Assert.That(check.Feedback, Is.EqualTo("Not run: init did not return: see load."), id);
        }

        // error-paths runs init under other kernels: told from the lesson, not waited for.
        Assert.That(result.Checks.Single(c => c.Id == "error-paths").Feedback, Does.Contain("not run again"), Describe(result));
        Assert.That(result.Score, Is.EqualTo(5m));
        Assert.That(result.Checks.Sum(c => c.DurationMs), Is.LessThan(20_000), Describe(result));
    }

    [Test]
    public void A_passed_check_keeps_a_summary_of_its_trace_and_a_failed_one_all_of_it()
    {
        foreach (var check in Sub("c-reference").Checks.Where(c => c.Id != "build"))
        {
            Assert.That(check.Status, Is.EqualTo(CheckStatuses.Passed), check.Id);
            Assert.That(check.Trace, Has.Count.EqualTo(1), check.Id);
            Assert.That(check.Trace[0].Kind, Is.EqualTo("note"));
            Assert.That(check.Trace[0].Text, Does.StartWith("passed: ").And.Contain("--traces all keeps them"), check.Id);
        }

        var seed = Sub("c-seed-offset-0").Checks.Single(c => c.Id == "seed");
        Assert.That(seed.Status, Is.EqualTo(CheckStatuses.Failed));
        Assert.That(seed.Trace.Count(e => e.Kind == "mmio"), Is.GreaterThanOrEqualTo(6), "the failing check keeps every MMIO access");
    }

    [Test]
    public void Traces_all_keeps_the_trace_of_passed_checks()
    {
        var determinism = _allTraces.Submissions.Single().Checks.Single(c => c.Id == "determinism");
        Assert.That(determinism.Status, Is.EqualTo(CheckStatuses.Passed));
        Assert.That(determinism.Trace.Count(e => e is { Kind: "call", Op: "ioctl" }), Is.GreaterThan(100));
    }

    [Test]
    public void A_typical_submission_adds_at_most_20_KB_to_the_results()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(Sub("c-reference"), ResultsJson.Options);
        Assert.That(json.Length, Is.LessThan(20 * 1024));
    }
}
