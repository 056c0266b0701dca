using System.Security.Cryptography;
using Autograder.Cli;
using Autograder.Model;
using Autograder.Pipeline;
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
    public static string FastRubric(string dir)
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot, "rubrics", "virt-101.yaml"));
        Assert.That(text, Does.Contain("cpu-ms: 2000"), "the default rubric's CPU limit moved; update FastRubric");
        var path = Path.Combine(dir, "fast-rubric.yaml");
        File.WriteAllText(path, text.Replace("cpu-ms: 2000", "cpu-ms: 600", StringComparison.Ordinal));
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
