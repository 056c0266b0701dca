using Autograder.Compile;
using Autograder.Load;
using Autograder.Submissions;

namespace Autograder.Pipeline;

/// <summary>
/// The machinery one run needs, set up once: compilers, the sandbox launcher, the worker files. Finds
/// what the machine lacks (gcc) and says so once as a warning instead of failing.
/// </summary>
internal sealed class GradingEnvironment : IDisposable
{
    private static readonly string[] WorkerFiles =
        ["Autograder.Worker.dll", "Autograder.Worker.runtimeconfig.json", "Autograder.Worker.deps.json", "Autograder.KernelApi.dll",
            "Microsoft.CodeAnalysis.dll", "Microsoft.CodeAnalysis.CSharp.dll"];

    private readonly List<string> _warnings = [];
    private readonly CCompiler _cCompiler;
    private readonly CSharpCompileService _csharpCompiler;
    private readonly Dictionary<Language, ISubmissionBuilder> _builders;

    private GradingEnvironment(HostLauncher launcher, CCompiler cCompiler, bool allowlistOff, bool warmRoslyn)
    {
        Launcher = launcher;
        _cCompiler = cCompiler;
        // allowlistOff is the test-only switch of GradeOptions.AllowlistOff (sandbox tests); never set in production.
        _csharpCompiler = new CSharpCompileService(launcher, enforceAllowlist: !allowlistOff);
        // Roslyn's cold start (references, JIT) in a first service, in the background while the run begins.
        if (warmRoslyn)
        {
            _csharpCompiler.WarmUp();
        }
        _builders = new()
        {
            [Language.CSharp] = new CSharpBuilder(_csharpCompiler),
            [Language.C] = new CBuilder(cCompiler),
        };
    }

    public HostLauncher Launcher { get; }

    public IReadOnlyList<string> Warnings => _warnings;

    public ISubmissionBuilder Builder(Language language) => _builders[language];

    /// <param name="warn">Receives each warning once.</param>
    /// <param name="allowlistOff">Test-only (see <see cref="GradeOptions.AllowlistOff"/>): compile C# without the allowlist.</param>
    /// <param name="warmRoslyn">Warm Roslyn up in the background and publish the worker (false when no C# is to be
    /// graded: a student's `check my-rng.c` would only pay its CPU on a small machine, and reading the worker's
    /// 28 MB to publish them, since only C# starts workers).</param>
    public static GradingEnvironment Create(Action<string> warn, bool allowlistOff = false, bool warmRoslyn = true)
    {
        var (toolchain, problem) = NativeToolchain.Shared;
        var warnings = new List<string>();
        string? launch = null;
        var workerDir = AppContext.BaseDirectory;
        if (toolchain is null)
        {
            warnings.Add($"{problem ?? NativeToolchain.MissingGcc}. Neither C nor C# submissions can be graded (a grader fault, costing students nothing): the sandbox launcher every student process starts in is built with gcc.");
        }
        else
        {
            if (CompileBox.Problem is { } box)
            {
                // Never compiled unboxed: each C submission is then a grader fault saying the same.
                warnings.Add($"{box}. C submissions cannot be graded (a grader fault, costing students nothing).");
            }

            launch = toolchain.LaunchPath;
            if (KernelOracle.Unavailable is { } noOracle)
            {
                warnings.Add(noOracle + ".");
            }

            // As root the worker runs as nobody behind a private /tmp: its files must be world-readable and
            // outside /tmp, whatever AUTOGRADER_CACHE says.
            if (warmRoslyn)
            {
                workerDir = PublishWorker(Environment.IsPrivilegedProcess ? "/var/cache/autograder" : toolchain.Root);
            }

            if (!Environment.IsPrivilegedProcess)
            {
                // Namespaces, the private /tmp and the switch to an unprivileged uid need root.
                // Said once, in plain words: a student checking their own driver needs nothing more.
                warnings.Add(NotRootNote);
            }
        }

        var launcher = new HostLauncher(workerDir, launch, new HostLimits());
        var environment = new GradingEnvironment(launcher, new CCompiler(NativeToolchain.Shared), allowlistOff, warmRoslyn && launcher.Sandboxed);
        if (!launcher.Sandboxed)
        {
            // No student process runs outside the sandbox: without its launcher C# is the grader's gap too.
            environment._builders[Language.CSharp] = new UnavailableBuilder(
                $"C# drivers compile and run only inside the sandbox, whose launcher is built with gcc: {problem ?? NativeToolchain.MissingGcc}");
        }

        foreach (var w in warnings)
        {
            environment._warnings.Add(w);
            warn(w);
        }

        return environment;
    }

    /// <summary>
    /// What is and is not isolated when the grader runs as an ordinary user (a student's own `check`).</summary>
    internal const string NotRootNote =
        "running as your own user: the driver runs in a separate process with limits on CPU time, memory, files "
        + "and processes (C drivers also behind a system-call filter), but as you, so it could read what you can read. "
        + "That is fine for checking your own driver; course graders run as root, where each driver also gets its "
        + "own namespaces, an empty filesystem view and an unprivileged user.";

    /// <summary>
    /// Workers run as an unprivileged user, who cannot read a build folder under /root: the worker's few
    /// files are copied once into the world-readable cache (keyed by their content).
    /// </summary>
    private static string PublishWorker(string cacheRoot)
    {
        var sources = WorkerFiles.Select(f => Path.Combine(AppContext.BaseDirectory, f)).ToList();
        if (sources.Any(f => !File.Exists(f)))
        {
            return AppContext.BaseDirectory;
        }

        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var f in sources)
        {
            sha.AppendData(File.ReadAllBytes(f));
        }

        var dir = Path.Combine(cacheRoot, "worker-" + Convert.ToHexStringLower(sha.GetHashAndReset())[..16]);
        if (Directory.Exists(dir))
        {
            return dir;
        }

        // Unique per call, not per process: two gradings in one process (tests run fixtures in parallel) would
        // otherwise copy into the same folder, and the second lose it to the first's rename mid-copy.
        var temp = dir + ".tmp-" + Guid.NewGuid().ToString("N");
        NativeToolchain.CreateDirectory(temp);
        foreach (var f in sources)
        {
            var target = Path.Combine(temp, Path.GetFileName(f));
            File.Copy(f, target, overwrite: true);
            NativeToolchain.SetMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        try
        {
            Directory.Move(temp, dir);
        }
        catch (IOException)
        {
            // Another grader published the same files first.
            Directory.Delete(temp, recursive: true);
        }

        return dir;
    }

    public void Dispose()
    {
        _csharpCompiler.Dispose();
        Launcher.Dispose();
        _cCompiler.Dispose();
    }
}
