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

    private GradingEnvironment(HostLauncher launcher, CCompiler cCompiler, bool allowlistOff)
    {
        Launcher = launcher;
        _cCompiler = cCompiler;
        // allowlistOff is the test-only switch of GradeOptions.AllowlistOff (sandbox tests); never set in production.
        _csharpCompiler = new CSharpCompileService(launcher, enforceAllowlist: !allowlistOff);
        // Roslyn's cold start (references, JIT) in a first service, in the background while the run begins.
        _csharpCompiler.WarmUp();
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
    public static GradingEnvironment Create(Action<string> warn, bool allowlistOff = false)
    {
        var (toolchain, problem) = NativeToolchain.Shared;
        var warnings = new List<string>();
        string? launch = null;
        var workerDir = AppContext.BaseDirectory;
        if (toolchain is null)
        {
            warnings.Add($"{problem ?? NativeToolchain.MissingGcc}. C submissions cannot be graded (a grader fault, costing students nothing), and C# workers run without the OS sandbox (the compile-time allowlist still applies).");
        }
        else
        {
            launch = toolchain.LaunchPath;
            // As root the worker runs as nobody behind a private /tmp: its files must be world-readable and
            // outside /tmp, whatever AUTOGRADER_CACHE says.
            workerDir = PublishWorker(Environment.IsPrivilegedProcess ? "/var/cache/autograder" : toolchain.Root);
            if (!Environment.IsPrivilegedProcess)
            {
                // Namespaces, the private /tmp and the switch to an unprivileged uid need root.
                warnings.Add("not running as root: driver hosts run as the current user with rlimits (and, for C, seccomp) but without private namespaces or /tmp; run as root (as CI does) for the full sandbox.");
            }
        }

        var launcher = new HostLauncher(workerDir, launch, new HostLimits());
        var environment = new GradingEnvironment(launcher, new CCompiler(NativeToolchain.Shared), allowlistOff);
        foreach (var w in warnings)
        {
            environment._warnings.Add(w);
            warn(w);
        }

        return environment;
    }

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

        var temp = dir + ".tmp-" + Environment.ProcessId;
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
