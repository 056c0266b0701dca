using Autograder.Cli;
using Autograder.Pipeline;
using Autograder.Report;
using static Autograder.Tests.Integration.HostileTestSupport;

namespace Autograder.Tests.Integration;

/// <summary>Issue 5: the documented exit codes, end to end through the real CLI (in-process).</summary>
[Parallelizable(ParallelScope.Self)]
public class CliEndToEndTests
{
    private string _dir = "";

    [OneTimeSetUp]
    public void CreateFolder() => _dir = NewTempDir("cliend");

    [OneTimeTearDown]
    public void Cleanup() => DeleteTree(_dir);

    [Test]
    public void Check_on_the_reference_is_0()
    {
        var cli = RunCli("check", Path.Combine(Examples, "csharp", "reference"));
        Assert.That(cli.ExitCode, Is.EqualTo(ExitCodes.Ok), cli.Out + cli.Error);
    }

    [Test]
    public void Check_on_a_defective_driver_is_1_and_says_what_failed()
    {
        var cli = RunCli("check", Path.Combine(Examples, "c", "seed-offset-0"));
        Assert.That(cli.ExitCode, Is.EqualTo(ExitCodes.CheckFailed), cli.Out + cli.Error);
        Assert.That(cli.Out, Does.Contain("seed"), cli.Out);
    }

    [Test]
    public void Grade_with_a_defective_driver_below_fail_under_is_3_and_still_writes_the_reports()
    {
        var input = Path.Combine(_dir, "fail-under-in");
        CopyTree(Path.Combine(Examples, "c", "reference"), Path.Combine(input, "reference"));
        CopyTree(Path.Combine(Examples, "c", "seed-offset-0"), Path.Combine(input, "seed-offset-0"));
        var output = Path.Combine(_dir, "fail-under-out");

        var cli = RunCli("grade", input, "--out", output, "--format", "json,junit", "--fail-under", "90");

        Assert.That(cli.ExitCode, Is.EqualTo(ExitCodes.BelowThreshold), cli.Out + cli.Error);
        Assert.That(cli.Out, Does.Contain("seed-offset-0"));
        var run = Reports.ReadResults(Path.Combine(output, "results.json"));
        Assert.That(run.Complete, Is.True);
        Assert.That(Sub(run, "reference").Score, Is.EqualTo(100m));
        Assert.That(Sub(run, "seed-offset-0").Score, Is.LessThan(90m));
        Assert.That(Directory.GetFiles(output, ResultSpool.FilePrefix + "*"), Is.Empty, "the result spool is deleted");
    }

    /// <summary>
    /// Ctrl+C: the CLI's cancellation token is cancelled as soon as the first result line is printed,
    /// while the other submissions (endless loops in init, under the default 2 s CPU limit: about 25 s
    /// each) are still running. The run stops at once with 130, writes the partial results marked
    /// incomplete, and leaves no driver host process behind.
    /// </summary>
    [Test]
    [NonParallelizable]
    public async Task Ctrl_c_stops_with_130_writes_partial_results_and_kills_every_host()
    {
        var input = Path.Combine(_dir, "ctrlc-in");
        CopyTree(Path.Combine(Examples, "c", "reference"), Path.Combine(input, "a-reference"));
        CopyTree(Path.Combine(Examples, "hostile", "csharp", "infinite-loop-init"), Path.Combine(input, "b-loop-cs"));
        CopyTree(Path.Combine(Examples, "hostile", "c", "infinite-loop-init"), Path.Combine(input, "c-loop-c"));
        CopyTree(Path.Combine(Examples, "hostile", "csharp", "infinite-loop-ioctl"), Path.Combine(input, "d-loop-cs"));
        var output = Path.Combine(_dir, "ctrlc-out");
        var me = Environment.ProcessId;
        var before = MyDriverHosts(me);

        using var cancel = new CancellationTokenSource();
        var seenWhileRunning = new HashSet<int>();
        var spooledWhileRunning = 0;
        var console = new WatchedConsole();
        console.OnWrite = text =>
        {
            if (!cancel.IsCancellationRequested && text.Contains("[1/4]", StringComparison.Ordinal))
            {
                spooledWhileRunning = Directory.GetFiles(output, ResultSpool.FilePrefix + "*").Length;
                // What runs the other submissions right now: these must all be gone afterwards.
                seenWhileRunning.UnionWith(MyDriverHosts(me).Select(p => p.Pid));
                cancel.Cancel();
            }
        };
        // Never hang the suite, whatever happens.
        using var watchdog = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token, watchdog.Token);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, _, error) = await WatchedCli.RunAsync(["grade", input, "--out", output, "--format", "json", "--jobs", "2"], console, both.Token);
        clock.Stop();

        Assert.That(watchdog.IsCancellationRequested, Is.False, "the run was not cancelled after its first result: " + console.Text);
        Assert.That(code, Is.EqualTo(ExitCodes.Interrupted), console.Text + error.Text);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(40)), "stopped at once, not after the loops' time limits");
        Assert.That(console.Text + error.Text, Does.Not.Contain("   at "), "no stack trace");

        var run = Reports.ReadResults(Path.Combine(output, "results.json"));
        Assert.That(run.Complete, Is.False, "partial results are marked incomplete");
        Assert.That(run.Submissions, Has.Count.GreaterThanOrEqualTo(1).And.Count.LessThan(4));
        Assert.That(run.Submissions.Select(s => s.Id), Does.Contain("a-reference"));
        Assert.That(spooledWhileRunning, Is.EqualTo(1), "results are spooled next to the reports while grading");
        Assert.That(Directory.GetFiles(output, ResultSpool.FilePrefix + "*"), Is.Empty, "the spool is deleted after an interrupted run too");

        // Hosts are killed as the token fires; give the kernel a moment to reap them.
        var gone = WaitUntil(() => !seenWhileRunning.Any(Alive) && MyDriverHosts(me).Count <= before.Count, TimeSpan.FromSeconds(10));
        Assert.That(gone, Is.True, "driver hosts left running: " + string.Join("; ", MyDriverHosts(me)));
        TestContext.Progress.WriteLine($"Ctrl+C: {seenWhileRunning.Count} host process(es) were running at the cancel, all gone");
    }

    /// <summary>Driver hosts (worker, launcher, C host) in this process's tree: other test runs on the
    /// same machine have hosts of their own, which must not count.</summary>
    private static List<(int Pid, string CommandLine)> MyDriverHosts(int root)
    {
        var mine = Descendants(root);
        return [.. DriverHostProcesses().Where(p => mine.Contains(p.Pid))];
    }

    private static HashSet<int> Descendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid ...", comm may hold spaces and parentheses.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ppid = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
                if (!children.TryGetValue(ppid, out var list))
                {
                    children[ppid] = list = [];
                }

                list.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
            {
                // gone meanwhile
            }
        }

        var result = new HashSet<int>();
        var queue = new Queue<int>([root]);
        while (queue.TryDequeue(out var pid))
        {
            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                if (result.Add(child))
                {
                    queue.Enqueue(child);
                }
            }
        }

        return result;
    }

    /// <summary>Alive and not a zombie.</summary>
    private static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <summary>The `gradescope` command as Gradescope's run_autograder calls it, with the paths moved.</summary>
public class GradescopeCommandTests
{
    [Test]
    public void Gradescope_grades_the_upload_and_writes_results_in_gradescopes_format()
    {
        var root = Directory.CreateTempSubdirectory("ag-gradescope-").FullName;
        var submission = Directory.CreateDirectory(Path.Combine(root, "submission")).FullName;
        File.Copy(Path.Combine(TestPaths.Examples, "c", "seed-offset-0", "my-rng.c"), Path.Combine(submission, "my-rng.c"));
        var results = Path.Combine(root, "results", "results.json");

        var run = Autograder.Tests.Cli.CliHarness.Run("gradescope", "--submission", submission, "--results", results);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Out + run.Error);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(results));
        var tests = json.RootElement.GetProperty("tests").EnumerateArray().ToList();
        // seed and determinism lose 25: the wrong register is charged once (not by ioctl-encoding too).
        Assert.That(json.RootElement.GetProperty("score").GetDecimal(), Is.EqualTo(75m));
        Assert.That(tests, Has.Count.EqualTo(12));
        var seed = tests.Single(t => t.GetProperty("name").GetString()!.StartsWith("seed:", StringComparison.Ordinal));
        Assert.That(seed.GetProperty("status").GetString(), Is.EqualTo("failed"));
        Assert.That(seed.GetProperty("output").GetString(), Does.Contain("offset 4"));
    }
}
