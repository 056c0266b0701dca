using System.Runtime.InteropServices;

namespace Autograder.Compile;

/// <summary>
/// What one boxed tool run may use. <see cref="Cpu"/>, <see cref="MemoryBytes"/> and <see cref="FileBytes"/>
/// are rlimits of every process in the box (cc1 and as each get the CPU time); <see cref="Wall"/> is the
/// grader's clock for the whole run; <see cref="OutputBytes"/> is how much of stdout and of stderr is kept.
/// </summary>
internal sealed record BoxLimits(TimeSpan Cpu, long MemoryBytes, long FileBytes, TimeSpan Wall, int OutputBytes)
{
    public const int CpuSeconds = 10;
    public const long MemoryLimitBytes = 1L << 30;
    public const long FileLimitBytes = 64L << 20;
    public const int WallSeconds = 60;
    public const int OutputLimitBytes = 1 << 20;

    /// <summary>The limits of one compiler run (a unit, the join, the kbuild check).</summary>
    public static BoxLimits Default { get; } = new(
        TimeSpan.FromSeconds(CpuSeconds), MemoryLimitBytes, FileLimitBytes, TimeSpan.FromSeconds(WallSeconds), OutputLimitBytes);
}

/// <summary>
/// The compile box: runs a tool that reads a submission's files (gcc and its cc1/as/ld, make, sparse)
/// under bubblewrap, with new namespaces of every kind (no network), as uid 65534 when the grader is
/// root (setpriv drops to it before bwrap creates an unprivileged user namespace), under rlimits
/// (prlimit) and a wall clock. The box sees the toolchain (/usr, read-only), /etc/alternatives (the
/// tools' symlinks), a private /dev and /tmp, the given read-only folders and one read-write folder
/// at <see cref="BoxDir"/>: nothing of /etc, /root, /home or /var. The environment is ours, not the
/// grader's. Thread-safe; each run is a fresh box.
/// </summary>
internal static class CompileBox
{
    public const string MissingBwrap = "bubblewrap is needed to compile C submissions safely: apt-get install bubblewrap";

    /// <summary>Where the run's read-write folder appears inside the box.</summary>
    public const string BoxDir = "/box";

    private const int Nobody = 65534;
    // The box's private /tmp (gcc's temporary .s files) is memory outside RLIMIT_AS: 128 MiB at most.
    private const string TmpSize = "134217728";

    private static readonly Lazy<string?> ProblemInstance = new(Probe, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Dictionary<string, string> BoxEnvironment = new(StringComparer.Ordinal)
    {
        ["PATH"] = "/usr/bin:/bin",
        ["HOME"] = BoxDir,
        ["TMPDIR"] = "/tmp",
        ["LC_ALL"] = "C",
    };

    /// <summary>Why nothing can be compiled in a box on this machine (no bubblewrap, no user namespaces), or null. Probed once.</summary>
    public static string? Problem => ProblemInstance.Value;

    private static bool AsRoot => Environment.IsPrivilegedProcess;

    /// <summary>
    /// Creates a fresh read-write folder for a box (its parent must exist): as root it is given to
    /// uid 65534, the box's user, and nobody else can write to it.
    /// </summary>
    public static string CreateBoxDir(string path)
    {
        Directory.CreateDirectory(path);
        NativeToolchain.SetMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        if (AsRoot && chown(path, Nobody, Nobody) != 0)
        {
            throw new IOException($"cannot give {path} to uid {Nobody} (errno {Marshal.GetLastPInvokeError()})");
        }

        return path;
    }

    /// <summary>
    /// Runs <paramref name="argv"/> (argv[0] a path under /usr) in a fresh box. <paramref name="boxDir"/> is
    /// bound read-write at <see cref="BoxDir"/>; <paramref name="readOnly"/> maps host folders to paths
    /// inside; <paramref name="workingDirectory"/> is a path inside the box. Requires <see cref="Problem"/> null.
    /// </summary>
    public static NativeProcess.Outcome Run(IReadOnlyList<string> argv, string boxDir, BoxLimits limits,
        string workingDirectory = BoxDir, IReadOnlyList<(string Host, string Box)>? readOnly = null)
    {
        var (file, arguments) = Command(argv, boxDir, limits, workingDirectory, readOnly ?? []);
        return NativeProcess.Run(file, arguments, boxDir, limits.Wall, limits.OutputBytes, BoxEnvironment);
    }

    /// <summary>
    /// Which limit stopped a boxed tool, as a sentence for the student ("the compiler exceeded its limit
    /// of 10 s CPU time"), or null. Read from the tool's own report (gcc names the signal that killed cc1)
    /// and the exit status; the limits are ours, so saying which was hit claims nothing for the tool.
    /// </summary>
    public static string? LimitHit(NativeProcess.Outcome run, BoxLimits limits, string tool = "the compiler")
    {
        var text = run.Stderr + run.Stdout;
        bool Says(string s) => text.Contains(s, StringComparison.OrdinalIgnoreCase);
        if (run.TimedOut)
        {
            return $"{tool} did not finish within {limits.Wall.TotalSeconds:0} s";
        }

        if (run.ExitCode == 0)
        {
            return null; // whatever its messages say (a student's #warning can say anything)
        }

        if (run.ExitCode == 128 + 24 || Says("CPU time limit exceeded"))
        {
            return $"{tool} exceeded its limit of {limits.Cpu.TotalSeconds:0} s CPU time";
        }

        if (run.ExitCode == 128 + 25 || Says("File size limit exceeded") || Says("File too large"))
        {
            return $"{tool} exceeded its limit of {limits.FileBytes >> 20} MiB per file";
        }

        if (Says("out of memory") || Says("memory exhausted") || Says("Cannot allocate memory") || Says("std::bad_alloc"))
        {
            return $"{tool} exceeded its limit of {Size(limits.MemoryBytes)} of memory";
        }

        return null;
    }

    private static string Size(long bytes) => bytes >= 1L << 30 && bytes % (1L << 30) == 0 ? $"{bytes >> 30} GiB" : $"{bytes >> 20} MiB";

    private static (string File, List<string> Arguments) Command(IReadOnlyList<string> argv, string boxDir, BoxLimits limits,
        string workingDirectory, IReadOnlyList<(string Host, string Box)> readOnly)
    {
        var args = new List<string>();
        string file;
        var prlimit = Tool("prlimit");
        if (AsRoot)
        {
            file = Tool("setpriv");
            args.AddRange([$"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "--", prlimit]);
        }
        else
        {
            file = prlimit;
        }

        // A soft CPU limit below the hard one: SIGXCPU first, which gcc names ("CPU time limit exceeded").
        var cpu = (long)Math.Ceiling(limits.Cpu.TotalSeconds);
        args.AddRange([
            $"--cpu={cpu}:{cpu + 1}", $"--as={limits.MemoryBytes}", $"--fsize={limits.FileBytes}", "--core=0", "--nofile=256", "--",
            Tool("bwrap"), "--unshare-all", "--die-with-parent", "--new-session",
            "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
            "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
            "--ro-bind-try", "/etc/alternatives", "/etc/alternatives",
            "--dev", "/dev", "--size", TmpSize, "--tmpfs", "/tmp",
            "--bind", boxDir, BoxDir,
        ]);
        foreach (var (host, box) in readOnly)
        {
            args.AddRange(["--ro-bind", host, box]);
        }

        args.AddRange(["--chdir", workingDirectory, "--", .. argv]);
        return (file, args);
    }

    private static string Tool(string name) =>
        NativeProcess.FindOnPath(name) ?? throw new InvalidOperationException($"{name} vanished after the compile box was probed");

    private static string? Probe()
    {
        if (NativeProcess.FindOnPath("bwrap") is null)
        {
            return MissingBwrap;
        }

        if (NativeProcess.FindOnPath("prlimit") is null || (AsRoot && NativeProcess.FindOnPath("setpriv") is null))
        {
            return "prlimit and setpriv are needed to compile C submissions safely: apt-get install util-linux";
        }

        return Try(Path.GetTempPath(), [], run =>
            $"bubblewrap cannot create the compile box on this machine (are unprivileged user namespaces disabled? sysctl kernel.unprivileged_userns_clone=1): {First(run.Stderr)}");
    }

    /// <summary>
    /// Whether a box can be made in a folder under <paramref name="parent"/> with these read-only binds (uid 65534
    /// must be able to reach them all): null, or why not. Runs /usr/bin/true in such a box; no submission involved.
    /// </summary>
    public static string? ProbeSetup(string parent, IReadOnlyList<(string Host, string Box)> readOnly) =>
        Problem ?? Try(parent, readOnly, run =>
            $"the compile box cannot use {parent} or {string.Join(", ", readOnly.Select(r => r.Host))} (uid {Nobody} must be able to reach them; point TMPDIR or AUTOGRADER_CACHE at a world-searchable folder): {First(run.Stderr)}");

    private static string? Try(string parent, IReadOnlyList<(string Host, string Box)> readOnly, Func<NativeProcess.Outcome, string> failed)
    {
        var dir = Path.Combine(parent, "autograder-box-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            CreateBoxDir(dir);
            var run = Run(["/usr/bin/true"], dir, BoxLimits.Default with { Wall = TimeSpan.FromSeconds(30) }, BoxDir, readOnly);
            return run.ExitCode == 0 ? null : failed(run);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"cannot start the compile box (bubblewrap): {e.Message}";
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static string First(string text)
    {
        var line = text.Trim().Split('\n')[0];
        return line.Length > 300 ? line[..300] : line;
    }

    [DllImport("libc.so.6", SetLastError = true)]
    private static extern int chown(string path, int owner, int group);
}
