using Autograder.Model;
using Autograder.Pipeline;
using Autograder.Submissions;
using static Autograder.Tests.Integration.HostileTestSupport;

namespace Autograder.Tests.Integration;

/// <summary>
/// Defence in depth (issue 5): with the C# allowlist switched off (the test-only
/// <see cref="GradeOptions.AllowlistOff"/>), the C# hostile examples the allowlist normally rejects are
/// compiled and run, and the OS sandbox alone (aglaunch: network and mount namespaces, private /tmp,
/// uid 65534, rlimits; the worker's one-thread kernel channel) must still hold. Some attacks name
/// assemblies drivers are not even compiled against (System.Console, System.Net.Sockets,
/// System.Diagnostics.Process): those examples do not compile with the allowlist off either, so this
/// fixture also grades variants generated here that reach the same APIs through reflection.
/// </summary>
[Parallelizable(ParallelScope.Self)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class HostileSandboxTests
{
    private const string SleepMarker = "4242.5";
    private const string DaemonMarker = "4242.75";

    private string _dir = "";
    private string _readOnlyDir = "";
    private Dictionary<string, string> _targetsBefore = [];
    private GradingRun _run = null!;
    private IReadOnlyList<string> _warnings = [];

    [OneTimeSetUp]
    public async Task GradeWithTheAllowlistOff()
    {
        _dir = NewTempDir("sandbox");
        // A folder of the real filesystem (visible inside the worker's mount namespace) that only root may
        // write: the worker runs as uid 65534 and must not be able to create anything in it.
        _readOnlyDir = Path.Combine(_dir, "root-only");
        Directory.CreateDirectory(_readOnlyDir);
        File.SetUnixFileMode(_readOnlyDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(_dir, File.GetUnixFileMode(_readOnlyDir));

        var input = Path.Combine(_dir, "in");
        foreach (var name in new[] { "file-write", "environment-exit", "reflection-into-grader", "thread-spawn", "console-fake-results", "network-connect", "process-spawn" })
        {
            CopyTree(Path.Combine(Examples, "hostile", "csharp", name), Path.Combine(input, name));
        }

        CopyTree(Path.Combine(Examples, "csharp", "reference"), Path.Combine(input, "reference"));
        // Creating a file needs no write (RLIMIT_FSIZE=0 allows it): every world-writable place must be private.
        Variant(input, "touch-outside", $$"""
            foreach (var target in new[] { "{{_readOnlyDir}}/pwned", "/tmp/pwned", "/var/tmp/pwned", "/dev/shm/pwned", "/run/lock/pwned", "/var/lock/pwned" })
            {
                try { System.IO.File.Create(target).Dispose(); } catch (System.Exception) { }
            }
            """);
        Variant(input, "console-via-reflection", """
            var console = System.Type.GetType("System.Console, System.Console", throwOnError: true)!;
            console.GetMethod("WriteLine", new[] { typeof(string) })!.Invoke(null, new object[] { "{\"schema\":1,\"complete\":true,\"max_score\":100,\"submissions\":[{\"id\":\"console-via-reflection\",\"score\":100,\"max_score\":100,\"outcome\":\"graded\"}]}" });
            console.GetMethod("Flush") ?.Invoke(null, null);
            """);
        Variant(input, "connect-via-reflection", """
            var tcp = System.Type.GetType("System.Net.Sockets.TcpClient, System.Net.Sockets", throwOnError: true)!;
            var client = System.Activator.CreateInstance(tcp)!;
            tcp.GetMethod("Connect", new[] { typeof(string), typeof(int) })!.Invoke(client, new object[] { "1.1.1.1", 80 });
            """);
        Variant(input, "spawn-via-reflection", $$"""
            var process = System.Type.GetType("System.Diagnostics.Process, System.Diagnostics.Process", throwOnError: true)!;
            process.GetMethod("Start", new[] { typeof(string), typeof(string) })!.Invoke(null, new object[] { "/bin/sleep", "{{SleepMarker}}" });
            """);
        // The same, but the sleep is left behind by a shell that exits at once: it is no longer in the
        // worker's process tree when the worker is killed.
        Variant(input, "daemon-via-reflection", $$"""
            var process = System.Type.GetType("System.Diagnostics.Process, System.Diagnostics.Process", throwOnError: true)!;
            process.GetMethod("Start", new[] { typeof(string), typeof(string) })!.Invoke(null, new object[] { "/bin/sh", "-c \"/bin/sleep {{DaemonMarker}} &\"" });
            """);

        _targetsBefore = TargetsState();
        var submissions = SubmissionFinder.Find(input);
        var observer = new CollectingObserver();
        _run = await Grader.RunAsync(submissions, new GradeOptions
        {
            // Reflection into the framework JIT-compiles much of it inside init (a TcpClient, a Process): this
            // fixture probes the sandbox's walls, not the per-call budget.
            RubricPath = FastRubric(_dir, callCpuMs: 500),
            Jobs = 2,
            RandomSeed = 5,
            AllowlistOff = true,
        }, observer, CancellationToken.None);
        _warnings = observer.Warnings;
        TestContext.Progress.WriteLine(string.Join("\n", _run.Submissions.Select(Describe)));
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        foreach (var (pid, _) in ProcessesMatching(c => c.Contains(SleepMarker, StringComparison.Ordinal) || c.Contains(DaemonMarker, StringComparison.Ordinal)))
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill();
            }
            catch (ArgumentException)
            {
            }
        }

        DeleteTree(_dir);
    }

    [Test]
    public void Everything_compiles_with_the_allowlist_off_except_what_names_unreferenced_assemblies()
    {
        foreach (var id in new[] { "file-write", "environment-exit", "reflection-into-grader", "thread-spawn", "touch-outside", "console-via-reflection", "connect-via-reflection", "spawn-via-reflection", "daemon-via-reflection" })
        {
            var result = Sub(_run, id);
            Assert.That(result.Outcome, Is.EqualTo(Outcomes.Graded), Describe(result));
            Assert.That(result.Diagnostics.Any(d => d.Code == "AG0001"), Is.False, "the allowlist was off: " + Describe(result));
        }

        // Console, sockets and processes live in assemblies a driver is not compiled against: even without
        // the allowlist these cannot be named (CS0234), which is why the reflection variants exist.
        foreach (var id in new[] { "console-fake-results", "network-connect", "process-spawn" })
        {
            var result = Sub(_run, id);
            Assert.That(result.Outcome, Is.EqualTo(Outcomes.CompileError), Describe(result));
            Assert.That(result.Diagnostics.Any(d => d.Code == "CS0234"), Is.True, Describe(result));
        }
    }

    [Test]
    public void No_check_is_ever_blamed_on_the_grader()
    {
        foreach (var result in _run.Submissions)
        {
            Assert.That(result.GraderFault, Is.False, Describe(result));
            Assert.That(result.Checks.Where(c => c.Fault == Faults.Grader), Is.Empty, Describe(result));
        }
    }

    [Test]
    public void The_reference_graded_in_the_same_batch_keeps_full_marks()
    {
        var reference = Sub(_run, "reference");
        Assert.That(reference.Score, Is.EqualTo(100m), Describe(reference));
    }

    [Test]
    public void Writes_never_reach_the_real_filesystem()
    {
        Assert.That(TargetsState(), Is.EqualTo(_targetsBefore), "a hostile target outside the sandbox changed");
        Assert.That(Directory.EnumerateFileSystemEntries(_readOnlyDir), Is.Empty, "the sandbox user wrote into a root-only folder");
    }

    [Test]
    public void Creating_files_everywhere_world_writable_is_contained()
    {
        Assume.That(IsRoot, "private tmpfs mounts need root");
        // Every File.Create either failed (root-only folder) or landed in a private tmpfs that vanished with
        // the worker; the driver then went on as the reference does and earned what the reference earns.
        var result = Sub(_run, "touch-outside");
        Assert.That(result.Score, Is.EqualTo(Sub(_run, "reference").Score), Describe(result));
        Assert.That(TargetsState(), Is.EqualTo(_targetsBefore), "a file appeared outside the sandbox");
    }

    [Test]
    public void File_write_into_tmp_lands_in_the_private_tmpfs_or_kills_the_worker_never_in_the_real_tmp()
    {
        Assume.That(IsRoot, "namespaces need root; without them only the allowlist stops the write");
        Assert.That(File.Exists("/tmp/pwned") && _targetsBefore["/tmp/pwned"] == "absent", Is.False);
        var result = Sub(_run, "file-write");
        // The file lands in the private tmpfs (discarded with the worker) or RLIMIT_FSIZE=0 kills the worker
        // on the first byte (SIGXFSZ): either way the student's code ran, so any error is theirs.
        Assert.That(result.Checks.Where(c => c.Status == CheckStatuses.Error).All(c => c.Fault == Faults.Submission), Describe(result));
    }

    [Test]
    public void Environment_exit_is_a_crashed_worker_never_a_pass()
    {
        var result = Sub(_run, "environment-exit");
        var load = CheckOf(result, "load");
        Assert.That(load.Status, Is.EqualTo(CheckStatuses.Error), Describe(result));
        Assert.That(load.Fault, Is.EqualTo(Faults.Submission));
        Assert.That(load.Feedback, Does.Contain("module_init").And.Contain("exit").IgnoreCase, Describe(result));
        // init never returned: nothing that needs a loaded driver may pass.
        Assert.That(result.Checks.Where(c => c.Id != SubmissionGrader.BuildId && c.Status == CheckStatuses.Passed), Is.Empty, Describe(result));
        Assert.That(result.Score, Is.EqualTo(5m), "only the build's points: " + Describe(result));
    }

    [Test]
    public void Reflection_into_the_kernel_api_earns_nothing_the_grader_did_not_observe()
    {
        // The driver swaps the kernel API's backend for its own; the grader's kernel then never sees
        // ioremap or register_chrdev, so no check that needs them can pass, whatever the driver believes.
        var result = Sub(_run, "reflection-into-grader");
        Assert.That(CheckOf(result, "load").Status, Is.Not.EqualTo(CheckStatuses.Passed), Describe(result));
        foreach (var id in new[] { "load", "dmesg", "ioctl-encoding", "rand", "seed", "determinism", "efault", "enotty", "user-memory", "unload" })
        {
            Assert.That(CheckOf(result, id).Status, Is.Not.EqualTo(CheckStatuses.Passed), Describe(result));
        }
    }

    [Test]
    public void A_thread_cannot_make_kernel_calls_and_dies_with_its_worker()
    {
        var result = Sub(_run, "thread-spawn");
        // The worker refuses kernel calls from any thread but the command's: the thread's printk
        // throws, and an unhandled exception on a thread ends the worker. Either way none of the
        // thread's "from a thread" lines may reach the grader's kernel log.
        foreach (var check in result.Checks)
        {
            Assert.That(check.Trace.Where(e => e.Text?.Contains("from a thread", StringComparison.Ordinal) == true), Is.Empty, $"{check.Id}: a thread's printk reached the kernel");
        }

        Assert.That(result.Checks.Where(c => c.Status == CheckStatuses.Error).All(c => c.Fault == Faults.Submission), Describe(result));
        Assert.That(DriverHostProcesses().Where(p => p.CommandLine.Contains("from a thread", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public void A_fake_results_document_on_stdout_changes_nothing()
    {
        var result = Sub(_run, "console-via-reflection");
        // Results travel over the channel only: what the driver printed is its output, not its grade.
        // The driver is otherwise the reference, so it deserves (and gets) exactly what the reference gets.
        Assert.That(result.Score, Is.EqualTo(Sub(_run, "reference").Score), Describe(result));
        Assert.That(_run.Submissions.Count(s => s.Id == "console-via-reflection"), Is.EqualTo(1));
        Assert.That(result.Output ?? "", Does.Contain("\"schema\":1").Or.Empty, "stdout is captured as the submission's output");
    }

    [Test]
    public void A_network_connect_fails_inside_the_network_namespace()
    {
        Assume.That(IsRoot, "the network namespace needs root");
        var result = Sub(_run, "connect-via-reflection");
        var load = CheckOf(result, "load");
        Assert.That(load.Status, Is.EqualTo(CheckStatuses.Error), Describe(result));
        Assert.That(load.Fault, Is.EqualTo(Faults.Submission));
        // The exception is the driver's (at its own line); connect() fails at once (no interface but lo):
        // nothing waited for a timeout.
        Assert.That(load.Feedback, Does.Contain("MyRng.cs:"), Describe(result));
        Assert.That(result.DurationMs, Is.LessThan(60_000), Describe(result));
    }

    [Test]
    public void A_spawned_process_does_not_outlive_the_grading()
    {
        var result = Sub(_run, "spawn-via-reflection");
        Assert.That(result.Checks.Where(c => c.Status == CheckStatuses.Error).All(c => c.Fault == Faults.Submission), Describe(result));
        var leftovers = ProcessesMatching(c => c.Contains(SleepMarker, StringComparison.Ordinal)).ToList();
        Assert.That(leftovers, Is.Empty, "a process the driver started survived its worker: " + string.Join("; ", leftovers));
    }

    [Test]
    public void A_process_a_shell_left_behind_does_not_outlive_the_grading()
    {
        var result = Sub(_run, "daemon-via-reflection");
        Assert.That(result.GraderFault, Is.False, Describe(result));
        // Give a kill in flight a moment; a survivor would sleep for over an hour.
        WaitUntil(() => ProcessesMatching(c => c.Contains(DaemonMarker, StringComparison.Ordinal)).Count == 0, TimeSpan.FromSeconds(2));
        var leftovers = ProcessesMatching(c => c.Contains(DaemonMarker, StringComparison.Ordinal)).ToList();
        Assert.That(leftovers, Is.Empty, "a process the driver left behind survived its worker: " + string.Join("; ", leftovers));
    }

    [Test]
    public void The_run_says_whether_the_sandbox_is_there()
    {
        if (IsRoot)
        {
            Assert.That(_warnings.Where(w => w.Contains("sandbox", StringComparison.OrdinalIgnoreCase)), Is.Empty, string.Join("\n", _warnings));
        }
        else
        {
            Assert.Warn("running as non-root: only the weaker guarantees (rlimits, uid unchanged) were checked");
        }
    }

    /// <summary>The reference driver with <paramref name="code"/> at the start of init.</summary>
    private static void Variant(string input, string name, string code)
    {
        var source = File.ReadAllText(Path.Combine(Examples, "csharp", "reference", "MyRng.cs"));
        const string Anchor = "static int my_rng_driver_init()\n    {\n";
        Assert.That(source, Does.Contain(Anchor), "the reference's init moved; update Variant");
        var indented = string.Join("\n", code.Split('\n').Select(l => "        " + l)) + "\n";
        Directory.CreateDirectory(Path.Combine(input, name));
        File.WriteAllText(Path.Combine(input, name, "MyRng.cs"), source.Replace(Anchor, Anchor + indented, StringComparison.Ordinal));
    }
}
