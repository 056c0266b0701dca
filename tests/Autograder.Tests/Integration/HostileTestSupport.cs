using System.Security.Cryptography;
using Autograder.Cli;
using Autograder.Model;
using Autograder.Pipeline;
using Autograder.Report;
using Autograder.Tests.Cli;
using Spectre.Console;

namespace Autograder.Tests.Integration;

/// <summary>
/// Shared plumbing of the end-to-end tests of issue 5 (hostile submissions, bad input, exit codes): the
/// repository's examples, throw-away folders, a fast rubric, the CLI run in-process, sandbox snapshots.
/// </summary>
internal static class HostileTestSupport
{
    /// <summary>
    /// The paths the hostile examples try to create outside their sandbox (read from their sources:
    /// examples/hostile/{c,csharp}/file-write and csharp/process-spawn all aim at /tmp/pwned).
    /// </summary>
    public static readonly string[] HostileTargets = ["/tmp/pwned", "/var/tmp/pwned", "/dev/shm/pwned", "/run/lock/pwned", "/var/lock/pwned"];

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Examples => Path.Combine(RepoRoot, "examples");

    public static bool IsRoot => Environment.UserName == "root" || (OperatingSystem.IsLinux() && File.ReadAllText("/proc/self/status").Contains("\nUid:\t0\t", StringComparison.Ordinal));

    /// <summary>A fresh folder under the system temp folder; delete with <see cref="DeleteTree"/>.</summary>
    public static string NewTempDir(string prefix) => Directory.CreateTempSubdirectory("autograder-" + prefix + "-").FullName;

    public static void DeleteTree(string? dir)
    {
        if (dir is not null && Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Copies a folder (the examples' README.md files are left out: they are not driver sources).</summary>
    public static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(file) == "README.md")
            {
                continue;
            }

            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>
    /// rubrics/virt-101.yaml with a 600 ms CPU limit per check instead of 2 s. Only for speed: an endless
    /// loop otherwise costs 2 s of CPU for each of its 12 checks (about 25 s per example); the loops
    /// are killed the same way either way. (300 ms was too tight: a .NET stack overflow, which must show
    /// as one, sometimes spent that much unwinding under a loaded machine and showed as a timeout.) The wall-clock cap stays at its default, so a busy machine
    /// cannot turn a slow legitimate check into a timeout.
    /// </summary>
    public static string FastRubric(string dir, int? callCpuMs = null)
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot, "rubrics", "virt-101.yaml"));
        Assert.That(text, Does.Contain("cpu-ms: 2000").And.Contain("call-cpu-ms: 15 "), "the default rubric's CPU limits moved; update FastRubric");
        var path = Path.Combine(dir, "fast-rubric.yaml");
        text = text.Replace("call-cpu-ms: 15 ", $"call-cpu-ms: {callCpuMs ?? 15} ", StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace(" cpu-ms: 2000", " cpu-ms: 600", StringComparison.Ordinal));
        return path;
    }

    /// <summary>The real command tree in-process, with redirected, colourless consoles (plain CI lines).</summary>
    public static CliHarness.Outcome RunCli(params string[] args) => CliHarness.Run(args);

    /// <summary>Hashes of every file under <paramref name="dir"/> (relative path to SHA-256).</summary>
    public static Dictionary<string, string> Snapshot(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(dir, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    /// <summary>What exists at the hostile targets now (path to length and write time, or "absent").</summary>
    public static Dictionary<string, string> TargetsState() =>
        HostileTargets.ToDictionary(p => p, p => File.Exists(p) ? $"{new FileInfo(p).Length} bytes, {File.GetLastWriteTimeUtc(p):O}" : "absent");

    /// <summary>Processes that run driver code: C# workers, the sandbox launcher, C driver hosts.</summary>
    public static List<(int Pid, string CommandLine)> DriverHostProcesses() =>
        ProcessesMatching(c => c.Contains("Autograder.Worker", StringComparison.Ordinal)
            || c.Contains("aglaunch", StringComparison.Ordinal)
            || c.Contains("driver-host", StringComparison.Ordinal));

    /// <summary>Live processes (not zombies) whose command line matches.</summary>
    public static List<(int Pid, string CommandLine)> ProcessesMatching(Func<string, bool> match)
    {
        var found = new List<(int, string)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            string cmdline;
            try
            {
                cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // gone meanwhile
            }

            if (cmdline.Length > 0 && match(cmdline))
            {
                found.Add((pid, cmdline));
            }
        }

        return found;
    }

    /// <summary>Polls until <paramref name="done"/> holds or the time is up; returns whether it held.</summary>
    public static bool WaitUntil(Func<bool> done, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!done())
        {
            if (DateTime.UtcNow > until)
            {
                return false;
            }

            Thread.Sleep(50);
        }

        return true;
    }

    public static SubmissionResult Sub(GradingRun run, string id) =>
        run.Submissions.SingleOrDefault(s => s.Id == id) ?? throw new AssertionException($"no submission '{id}' in the run; ids: {string.Join(", ", run.Submissions.Select(s => s.Id))}");

    public static CheckResult CheckOf(SubmissionResult result, string id) =>
        result.Checks.SingleOrDefault(c => c.Id == id) ?? throw new AssertionException($"{result.Id} has no check '{id}'");

    /// <summary>One line per check, for assertion messages.</summary>
    public static string Describe(SubmissionResult result) =>
        $"{result.Id}: {result.Outcome} {result.Score}/{result.MaxScore}\n" + string.Join("\n", result.Checks.Select(c =>
            $"  {c.Id}: {c.Status} fault={c.Fault ?? "-"} {FirstLine(c.Feedback)}"));

    public static string FirstLine(string? text)
    {
        var line = (text ?? "").Split('\n')[0];
        return line.Length > 200 ? line[..200] + "..." : line;
    }

    private static string FindRepoRoot() => TestPaths.RepoRoot;
}

/// <summary>Collects what Grader.RunAsync reports (for the tests that call the pipeline directly).</summary>
internal sealed class CollectingObserver : IGradeObserver
{
    private readonly Lock _lock = new();
    private readonly List<string> _warnings = [];

    public IReadOnlyList<string> Warnings
    {
        get
        {
            lock (_lock)
            {
                return [.. _warnings];
            }
        }
    }

    public void OnStart(int total)
    {
    }

    public void OnResult(SubmissionResult result)
    {
    }

    public void OnWarning(string message)
    {
        lock (_lock)
        {
            _warnings.Add(message);
        }
    }
}

/// <summary>A redirected console whose writes can be watched from another thread (thread-safe, unlike
/// StringWriter): lets a test react to a line the CLI prints, e.g. cancel after the first result.</summary>
internal sealed class WatchedConsole
{
    private readonly LockedWriter _writer = new();

    public WatchedConsole()
    {
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(_writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        Console.Profile.Width = 120;
    }

    public IAnsiConsole Console { get; }

    /// <summary>Called (under the writer's lock) with the whole text so far after every write.</summary>
    public Action<string>? OnWrite
    {
        get => _writer.OnWrite;
        set => _writer.OnWrite = value;
    }

    public string Text => _writer.Text;

    private sealed class LockedWriter : TextWriter
    {
        private readonly Lock _lock = new();
        private readonly System.Text.StringBuilder _text = new();

        public Action<string>? OnWrite { get; set; }

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_lock)
                {
                    return _text.ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_lock)
            {
                _text.Append(value);
                OnWrite?.Invoke(_text.ToString());
            }
        }

        public override void Write(string? value)
        {
            lock (_lock)
            {
                _text.Append(value);
                OnWrite?.Invoke(_text.ToString());
            }
        }
    }
}

/// <summary>Runs the CLI with watched consoles.</summary>
internal static class WatchedCli
{
    public static async Task<(int Code, WatchedConsole Out, WatchedConsole Error)> RunAsync(string[] args, WatchedConsole output, CancellationToken cancellationToken)
    {
        var error = new WatchedConsole();
        var code = await CliApp.RunAsync(args, output.Console, error.Console, cancellationToken, live: false);
        return (code, output, error);
    }
}

/// <summary>
/// A secret only root may read: /root/ag-canary-&lt;guid&gt;/secret in a 0700 folder when the tests run as root
/// (as CI does), a 0700 temp folder otherwise. An attack that gets the grader (or anything it runs) to read
/// it would carry <see cref="Secret"/> into a report; <see cref="AssertNotIn"/> looks for it, plain, hex and
/// base64, in every file of the output folder and in the console text.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class Canary : IDisposable
{
    public Canary()
    {
        var guid = Guid.NewGuid().ToString("N");
        Secret = $"AG-CANARY-{guid}";
        Dir = HostileTestSupport.IsRoot ? Path.Combine("/root", $"ag-canary-{guid}") : Path.Combine(Path.GetTempPath(), $"ag-canary-{guid}");
        Directory.CreateDirectory(Dir);
        System.IO.File.SetUnixFileMode(Dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File = Path.Combine(Dir, "secret");
        System.IO.File.WriteAllText(File, Secret + "\n");
        System.IO.File.SetUnixFileMode(File, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>The folder holding the secret (mode 0700); nothing may appear in it either.</summary>
    public string Dir { get; }

    public string File { get; }

    public string Secret { get; }

    /// <summary>The forms an attack could carry the secret out in.</summary>
    public IEnumerable<string> Forms
    {
        get
        {
            var bytes = System.Text.Encoding.ASCII.GetBytes(Secret);
            yield return Secret;
            yield return Convert.ToHexString(bytes).ToLowerInvariant();
            yield return Convert.ToHexString(bytes);
            // Base64 of the secret's middle (the alignment of the rest depends on what precedes it).
            yield return Convert.ToBase64String(bytes)[4..40];
        }
    }

    public void AssertNotIn(string outDir, params string[] texts)
    {
        foreach (var file in Directory.EnumerateFiles(outDir, "*", SearchOption.AllDirectories))
        {
            var content = System.IO.File.ReadAllText(file);
            foreach (var form in Forms)
            {
                Assert.That(content, Does.Not.Contain(form), $"the root-only canary appears in {file}");
            }
        }

        foreach (var text in texts)
        {
            foreach (var form in Forms)
            {
                Assert.That(text, Does.Not.Contain(form), "the root-only canary appears on the console");
            }
        }

        Assert.That(Directory.GetFileSystemEntries(Dir), Is.EquivalentTo(new[] { File }), "something was written next to the canary");
    }

    public void Dispose() => HostileTestSupport.DeleteTree(Dir);
}

/// <summary>The CLI run as a child process (the grader alone in its process), with its peak RSS.</summary>
internal static class CliProcess
{
    public sealed record Outcome(int ExitCode, string Out, string Error, long PeakRssBytes, bool Ended);

    /// <summary>Runs autograder.dll from the test's output folder; past <paramref name="timeout"/> the child is
    /// killed and <see cref="Outcome.Ended"/> is false. The peak RSS is the child's VmHWM, polled until it exits.</summary>
    public static Outcome Run(TimeSpan timeout, params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } self && Path.GetFileName(self) == "dotnet" ? self : "dotnet";
        var start = new System.Diagnostics.ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "autograder.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NO_COLOR"] = "1";
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var peak = 0L;
        var until = DateTime.UtcNow + timeout;
        while (!process.HasExited && DateTime.UtcNow < until)
        {
            peak = Math.Max(peak, VmHwm(process.Id));
            Thread.Sleep(100);
        }

        var ended = process.HasExited;
        if (!ended)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
        return new Outcome(ended ? process.ExitCode : -1, stdout.Result, stderr.Result, peak, ended);
    }

    /// <summary>Peak resident set of a live process (VmHWM), 0 when it is gone.</summary>
    public static long VmHwm(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}

/// <summary>
/// The assertions every hostile example must pass (issue 14), for any fixture that grades a batch: the batch
/// ends; no grader fault; the canary is read into no output; nothing is written outside the sandbox; each
/// attack scores at most what its honest twin earns; the reference graded right after it keeps full marks;
/// the grader's peak RSS and the reports stay within bounds. <see cref="HostileBatch"/> lays out and grades a
/// batch so that all of them apply; a fixture with its own batch calls the pieces it needs.
/// </summary>
internal static class HostileAssertions
{
    /// <summary>The grader's peak RSS for a batch of hostile examples (issue 14 saw 5.4 GB and 8 GB).</summary>
    public const long MaxGraderRssBytes = 1L << 30;

    /// <summary>No page may exceed this (issue 14 saw two 201 MB pages).</summary>
    public const long MaxPageBytes = 2L << 20;

    /// <summary>What one submission may add to results.json.</summary>
    public const long MaxResultBytesPerSubmission = 1L << 20;

    public static void NoGraderFault(GradingRun run)
    {
        foreach (var result in run.Submissions)
        {
            Assert.That(result.GraderFault, Is.False, HostileTestSupport.Describe(result));
            Assert.That(result.Outcome, Is.AnyOf(Outcomes.Graded, Outcomes.CompileError, Outcomes.Invalid), HostileTestSupport.Describe(result));
            foreach (var check in result.Checks.Where(c => c.Status is CheckStatuses.Failed or CheckStatuses.Error))
            {
                Assert.That(check.Fault, Is.EqualTo(Faults.Submission), $"{check.Id} of {HostileTestSupport.Describe(result)}");
            }
        }
    }

    /// <summary>The attack earns at most its honest twin's score, out of the same maximum (nothing dropped).</summary>
    public static void ScoresAtMost(GradingRun run, string attackId, string honestId)
    {
        var attack = HostileTestSupport.Sub(run, attackId);
        var honest = HostileTestSupport.Sub(run, honestId);
        Assert.That(attack.MaxScore, Is.EqualTo(run.MaxScore), "a check dropped from the maximum: " + HostileTestSupport.Describe(attack));
        Assert.That(attack.Score, Is.LessThanOrEqualTo(honest.Score), HostileTestSupport.Describe(attack) + "\nhonest: " + HostileTestSupport.Describe(honest));
    }

    public static void KeepsFullMarks(GradingRun run, string id)
    {
        var reference = HostileTestSupport.Sub(run, id);
        Assert.That((reference.Score, reference.MaxScore), Is.EqualTo((run.MaxScore, run.MaxScore)), HostileTestSupport.Describe(reference));
        Assert.That(reference.Checks.Select(c => c.Status), Is.All.EqualTo(CheckStatuses.Passed), HostileTestSupport.Describe(reference));
    }

    /// <summary>Every file of the reports is within its bound: pages under 2 MiB, results.json under 1 MiB per submission.</summary>
    public static void ReportsWithinBounds(string outDir, int submissions)
    {
        foreach (var file in Directory.EnumerateFiles(outDir, "*", SearchOption.AllDirectories))
        {
            var size = new FileInfo(file).Length;
            var bound = Path.GetFileName(file) == "results.json" && Path.GetDirectoryName(file) == outDir
                ? (submissions * MaxResultBytesPerSubmission) + (64 << 10)
                : MaxPageBytes;
            Assert.That(size, Is.LessThan(bound), $"{Path.GetRelativePath(outDir, file)} is {size} bytes");
        }
    }

    public static void PeakRssWithin(long peakBytes) =>
        Assert.That(peakBytes, Is.GreaterThan(0).And.LessThan(MaxGraderRssBytes), $"grader peak RSS {peakBytes >> 20} MiB");
}

/// <summary>
/// One hostile batch through the CLI in a child process with <c>--jobs 1 --no-cache</c>, laid out so that
/// <see cref="HostileAssertions"/> all apply: each attack "NN-a-name" is graded right before the reference
/// "NN-b-name-reference" (ids sort, and one job grades them in order), and its honest twin is "NN-c-name-honest".
/// Add the examples, call <see cref="Grade"/>, then <see cref="AssertCommon"/> and per-attack assertions.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class HostileBatch : IDisposable
{
    private readonly List<(string Attack, string? Reference, string? Honest)> _attacks = [];
    private Dictionary<string, string> _targetsBefore = [];
    private Dictionary<string, string> _inputBefore = [];

    public HostileBatch(string name)
    {
        Dir = HostileTestSupport.NewTempDir(name);
        Input = Path.Combine(Dir, "in");
        Out = Path.Combine(Dir, "out");
        Directory.CreateDirectory(Input);
    }

    public string Dir { get; }

    public string Input { get; }

    public string Out { get; }

    public Canary Canary { get; } = new();

    public CliProcess.Outcome Cli { get; private set; } = null!;

    public GradingRun Run { get; private set; } = null!;

    /// <summary>Adds an attack (a folder to copy, or one written by <paramref name="write"/>) with the language's
    /// reference after it (unless <paramref name="reference"/> is false: an attack refused before anything
    /// runs) and, when given, its honest twin. Returns the attack's id.</summary>
    public string Add(string name, string language, string? from = null, Action<string>? write = null, string? honestFrom = null, Action<string>? writeHonest = null, bool reference = true)
    {
        var n = _attacks.Count + 1;
        var attack = $"{n:D2}-a-{name}";
        var referenceId = reference ? $"{n:D2}-b-{name}-reference" : null;
        var honest = honestFrom is null && writeHonest is null ? null : $"{n:D2}-c-{name}-honest";
        Place(attack, from, write);
        if (referenceId is not null)
        {
            HostileTestSupport.CopyTree(Path.Combine(HostileTestSupport.Examples, language, "reference"), Path.Combine(Input, referenceId));
        }

        if (honest is not null)
        {
            Place(honest, honestFrom, writeHonest);
        }

        _attacks.Add((attack, referenceId, honest));
        return attack;
    }

    public static string ReferenceOf(string attackId) => attackId.Replace("-a-", "-b-", StringComparison.Ordinal) + "-reference";

    public static string HonestOf(string attackId) => attackId.Replace("-a-", "-c-", StringComparison.Ordinal) + "-honest";

    private void Place(string id, string? from, Action<string>? write)
    {
        var target = Path.Combine(Input, id);
        if (from is not null)
        {
            HostileTestSupport.CopyTree(from, target);
        }

        Directory.CreateDirectory(target);
        write?.Invoke(target);
    }

    /// <summary>Grades the batch (600 ms CPU per check, see <see cref="HostileTestSupport.FastRubric"/>).</summary>
    public void Grade(params string[] extra)
    {
        _targetsBefore = HostileTestSupport.TargetsState();
        _inputBefore = SnapshotFollowingNoLinks(Input);
        var rubric = HostileTestSupport.FastRubric(Dir);
        Cli = CliProcess.Run(TimeSpan.FromMinutes(10), ["grade", Input, "--rubric", rubric, "--out", Out, "--jobs", "1", "--no-cache", "--seed", "7", .. extra]);
        TestContext.Progress.WriteLine(Cli.Out);
        Run = Cli.Ended && File.Exists(Path.Combine(Out, "results.json")) ? Reports.ReadResults(Path.Combine(Out, "results.json")) : null!;
    }

    /// <summary>The assertions that hold for every hostile batch.</summary>
    public void AssertCommon()
    {
        Assert.That(Cli.Ended, Is.True, "the batch did not end within 10 minutes");
        Assert.That(Cli.ExitCode, Is.EqualTo(0), Cli.Out + Cli.Error);
        Assert.That(Run.Complete, Is.True);
        Canary.AssertNotIn(Out, Cli.Out, Cli.Error);
        Assert.That(HostileTestSupport.TargetsState(), Is.EqualTo(_targetsBefore), "a hostile target outside the sandbox changed");
        Assert.That(SnapshotFollowingNoLinks(Input), Is.EqualTo(_inputBefore), "the graded submissions' files changed");
        HostileAssertions.NoGraderFault(Run);
        // The progress lines ("[i/n] id ...") are in grading order: each reference right after its attack.
        var order = Cli.Out.Split('\n').Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\[\d+/\d+\] (\S+)")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        foreach (var (attack, reference, honest) in _attacks)
        {
            if (reference is not null)
            {
                HostileAssertions.KeepsFullMarks(Run, reference);
                Assert.That(order.IndexOf(reference), Is.EqualTo(order.IndexOf(attack) + 1).And.GreaterThan(0), $"{reference} graded right after {attack}:\n{string.Join("\n", order)}");
            }
            if (honest is not null)
            {
                HostileAssertions.ScoresAtMost(Run, attack, honest);
            }
        }

        HostileAssertions.ReportsWithinBounds(Out, Run.Submissions.Count);
        HostileAssertions.PeakRssWithin(Cli.PeakRssBytes);
    }

    /// <summary>Hashes of the regular files under <paramref name="dir"/>; a link is recorded as a link, never read.</summary>
    private static Dictionary<string, string> SnapshotFollowingNoLinks(string dir) =>
        Directory.EnumerateFileSystemEntries(dir, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .ToDictionary(f => Path.GetRelativePath(dir, f), f =>
                new FileInfo(f).LinkTarget is { } link ? "link to " + link
                : Directory.Exists(f) ? "folder"
                : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    public void Dispose()
    {
        HostileTestSupport.DeleteTree(Dir);
        Canary.Dispose();
    }
}
