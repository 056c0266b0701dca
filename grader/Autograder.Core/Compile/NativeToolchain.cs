using System.Security.Cryptography;
using System.Text;

namespace Autograder.Compile;

/// <summary>
/// gcc plus our kernel model, built once per machine: the embedded grader/native/ sources are
/// extracted to a cache directory keyed by their content hash, and the model library, the host's
/// objects and aglaunch are built there. Everything in it is world-readable (hosts run as nobody).
/// Thread-safe (one lazy instance per process) and safe across processes (a build happens in a
/// private temporary directory that is renamed into place atomically; a loser of the race uses the
/// winner's).
/// </summary>
internal sealed class NativeToolchain
{
    public const string MissingGcc = "gcc is needed to grade C submissions: apt-get install gcc";

    private const string ResourcePrefix = "native/";
    private const string ReadyMarker = "ready";
    private const string HostName = "driver-host";

    // Bump when Build changes what it makes of the same sources (steps, flags, the export table).
    private const int BuildRecipe = 2;

    private const UnixFileMode DirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    // libc functions the kernel offers too, with the same contract; a driver's calls resolve to libc's.
    // gcc also emits memcpy/memset/memmove/memcmp calls of its own for struct copies.
    private static readonly string[] KernelLibcFunctions =
    [
        "memcpy", "memmove", "memset", "memcmp", "memchr", "strlen", "strnlen", "strcmp", "strncmp",
        "strcasecmp", "strncasecmp", "strcpy", "strncpy", "strcat", "strncat", "strchr", "strrchr",
        "strstr", "strsep", "snprintf", "sprintf", "vsnprintf", "vsprintf", "sscanf", "__stack_chk_fail",
    ];

    private static readonly Lazy<(NativeToolchain? Toolchain, string? Problem)> SharedInstance =
        new(() => Create(null), LazyThreadSafetyMode.ExecutionAndPublication);

    private NativeToolchain(string gcc, string root, IReadOnlySet<string> exports, IReadOnlySet<string> kernelSymbols, IReadOnlySet<string> kernelHeaders)
    {
        Gcc = gcc;
        Root = root;
        ModelExports = exports;
        KernelSymbols = kernelSymbols;
        KernelHeaders = kernelHeaders;
    }

    /// <summary>The process-wide toolchain, or the reason there is none (e.g. <see cref="MissingGcc"/>).</summary>
    public static (NativeToolchain? Toolchain, string? Problem) Shared => SharedInstance.Value;

    public string Gcc { get; }

    /// <summary>The cache directory of this version of the native sources.</summary>
    public string Root { get; }

    /// <summary>The directory passed as -isystem: our linux/ and asm/ headers.</summary>
    public string IncludeDir => Path.Combine(Root, "include");

    /// <summary>aglaunch: starts a program (the .NET worker) in the sandbox.</summary>
    public string LaunchPath => Path.Combine(Root, "bin", "aglaunch");

    /// <summary>The prebuilt driver host (host.c with the kernel model and the loader): it loads a driver object.</summary>
    public string HostPath => Path.Combine(Root, "bin", HostName);

    /// <summary>Every symbol a driver object may leave undefined: the model's and the kernel's libc-like ones.</summary>
    public IReadOnlySet<string> ModelExports { get; }

    /// <summary>Symbols a real kernel exports (Debian's Module.symvers; grader/native/kernel-symbols.txt).</summary>
    public IReadOnlySet<string> KernelSymbols { get; }

    /// <summary>Header names a real kernel has ("linux/cdev.h", "asm/io.h"; grader/native/kernel-headers.txt).</summary>
    public IReadOnlySet<string> KernelHeaders { get; }

    /// <summary>Finds gcc and builds (or reuses) the cache. cacheRoot overrides the default location.</summary>
    public static (NativeToolchain? Toolchain, string? Problem) Create(string? cacheRoot)
    {
        var gcc = NativeProcess.FindOnPath("gcc");
        if (gcc is null)
        {
            return (null, MissingGcc);
        }

        var resources = ReadResources();
        if (resources.Count == 0)
        {
            return (null, "the grader was built without its native sources (grader/native)");
        }

        var root = cacheRoot ?? DefaultCacheRoot();
        var dir = Path.Combine(root, "native-" + Hash(resources));
        try
        {
            if (!File.Exists(Path.Combine(dir, ReadyMarker)))
            {
                var problem = Build(dir, resources, gcc);
                if (problem is not null)
                {
                    return (null, problem);
                }
            }

            // Build wrote the model's exports and the libc-like functions (the recipe is in the cache key).
            var exports = new HashSet<string>(File.ReadAllLines(Path.Combine(dir, "lib", "exports.txt")), StringComparer.Ordinal);
            return (new NativeToolchain(gcc, dir, exports, ReadList(resources, "kernel-symbols.txt"), ReadList(resources, "kernel-headers.txt")), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"cannot prepare the native toolchain cache in {root}: {e.Message}");
        }
    }

    /// <summary>AUTOGRADER_CACHE, else /var/cache/autograder as root, else ~/.cache/autograder (the result cache shares it).</summary>
    internal static string DefaultCacheRoot()
    {
        var env = Environment.GetEnvironmentVariable("AUTOGRADER_CACHE");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }

        if (Environment.IsPrivilegedProcess)
        {
            return "/var/cache/autograder";
        }

        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "autograder");
    }

    private static SortedDictionary<string, byte[]> ReadResources()
    {
        var assembly = typeof(NativeToolchain).Assembly;
        var result = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            result[name[ResourcePrefix.Length..].Replace('\\', '/')] = buffer.ToArray();
        }

        return result;
    }

    private static string Hash(SortedDictionary<string, byte[]> resources)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // How the sources are built is part of what is cached: a new recipe must not reuse an old build.
        sha.AppendData(Encoding.UTF8.GetBytes($"recipe {BuildRecipe}\0{string.Join(' ', KernelLibcFunctions)}\0"));
        foreach (var (name, content) in resources)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(name + "\0"));
            sha.AppendData(BitConverter.GetBytes(content.Length));
            sha.AppendData(content);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }

    private static HashSet<string> ReadList(SortedDictionary<string, byte[]> resources, string name)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (resources.TryGetValue(name, out var bytes))
        {
            foreach (var line in Encoding.UTF8.GetString(bytes).Split('\n'))
            {
                var entry = line.Trim();
                if (entry.Length > 0 && !entry.StartsWith('#'))
                {
                    set.Add(entry);
                }
            }
        }

        return set;
    }

    private static string? Build(string dir, SortedDictionary<string, byte[]> resources, string gcc)
    {
        var parent = Path.GetDirectoryName(dir)!;
        CreateDirectory(parent);
        var temp = $"{dir}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            CreateDirectory(temp);
            foreach (var (name, content) in resources)
            {
                var path = Path.Combine(temp, name);
                CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, content);
                SetMode(path, FileMode);
            }

            var lib = Path.Combine(temp, "lib");
            var bin = Path.Combine(temp, "bin");
            CreateDirectory(lib);
            CreateDirectory(bin);
            var host = Path.Combine(temp, "host");
            string[] common = ["-O2", "-Wall", "-Wextra", "-Werror", "-g0", "-std=gnu11"];
            string Obj(string name) => Path.Combine(lib, name + ".o");

            // The model is compiled as a driver is, so it shares the driver's struct layouts.
            var steps = new List<(string Tool, string[] Args)>
            {
                (gcc, [.. common, "-nostdinc", "-ffreestanding", "-fno-common", "-isystem", Path.Combine(temp, "include"), "-c", Path.Combine(host, "model.c"), "-o", Obj("model")]),
                (gcc, [.. common, "-c", Path.Combine(host, "channel.c"), "-o", Obj("channel")]),
                (gcc, [.. common, "-c", Path.Combine(host, "host.c"), "-o", Obj("host")]),
                (gcc, [.. common, "-c", Path.Combine(host, "sandbox.c"), "-o", Obj("sandbox")]),
                (gcc, [.. common, "-c", Path.Combine(host, "loader.c"), "-o", Obj("loader")]),
                (gcc, [.. common, Path.Combine(host, "aglaunch.c"), Path.Combine(host, "sandbox.c"), "-o", Path.Combine(bin, "aglaunch")]),
            };
            if (RunAtOnce(steps, temp) is { } failed)
            {
                return failed;
            }

            var model = ElfObject.Read(Obj("model"), out var unreadable);
            if (model is null)
            {
                return $"cannot read the compiled kernel model: {unreadable}";
            }

            // What a driver may call: the model's globals but its ag_* plumbing, and the kernel's libc-like functions.
            var exports = model.Symbols
                .Where(s => s.Defined && s.Bind != ElfSymbol.BindLocal && s.Type is ElfSymbol.TypeFunction or ElfSymbol.TypeObject)
                .Where(s => !s.Name.StartsWith("ag_", StringComparison.Ordinal))
                .Select(s => (s.Name, Data: s.Type == ElfSymbol.TypeObject))
                .Concat(KernelLibcFunctions.Select(name => (Name: name, Data: false)))
                .DistinctBy(e => e.Name)
                .OrderBy(e => e.Name, StringComparer.Ordinal)
                .ToList();
            File.WriteAllLines(Path.Combine(lib, "exports.txt"), exports.Select(e => e.Name));
            File.WriteAllText(Path.Combine(lib, "exports.c"), ExportTable(exports));
            if (Run([
                (gcc, [.. common, "-fno-builtin", "-I", host, "-c", Path.Combine(lib, "exports.c"), "-o", Obj("exports")]),
                (gcc, [Obj("host"), Obj("channel"), Obj("sandbox"), Obj("loader"), Obj("model"), Obj("exports"), "-Wl,-z,relro,-z,now", "-o", Path.Combine(bin, HostName)]),
            ], temp) is { } linkFailed)
            {
                return linkFailed;
            }

            foreach (var file in Directory.EnumerateFiles(temp, "*", SearchOption.AllDirectories))
            {
                SetMode(file, FileMode);
            }

            SetMode(Path.Combine(bin, "aglaunch"), DirMode);
            SetMode(Path.Combine(bin, HostName), DirMode);
            File.WriteAllText(Path.Combine(temp, ReadyMarker), "");
            SetMode(Path.Combine(temp, ReadyMarker), FileMode);
            try
            {
                Directory.Move(temp, dir);
            }
            catch (IOException) when (File.Exists(Path.Combine(dir, ReadyMarker)))
            {
                // Another process won the race; its build is the same sources.
            }

            return null;
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    /// <summary>Runs independent build steps at once: this build is most of a student's first `check` on a
    /// fresh machine (issue 16). The first failure's message (in step order), or null.</summary>
    private static string? RunAtOnce(IReadOnlyList<(string Tool, string[] Args)> steps, string workDir)
    {
        var failures = new string?[steps.Count];
        Parallel.For(0, steps.Count, i => failures[i] = Run([steps[i]], workDir));
        return failures.FirstOrDefault(f => f is not null);
    }

    /// <summary>Runs build steps in order; the first failure's message, or null.</summary>
    private static string? Run(IEnumerable<(string Tool, string[] Args)> steps, string workDir)
    {
        foreach (var (tool, args) in steps)
        {
            var run = NativeProcess.Run(tool, args, workDir);
            if (run.ExitCode != 0)
            {
                return $"building the native host failed ({Path.GetFileName(tool)} {string.Join(' ', args.Where(a => a.EndsWith(".c", StringComparison.Ordinal)).Select(Path.GetFileName))}): {run.Stderr.Trim()}";
            }
        }

        return null;
    }

    /// <summary>exports.c: the loader's symbol table (loader.h), one entry per name a driver may leave undefined.</summary>
    private static string ExportTable(IReadOnlyList<(string Name, bool Data)> exports)
    {
        var text = new StringBuilder("/* Generated by NativeToolchain.cs: what a loaded driver's undefined symbols resolve to. */\n#include \"loader.h\"\n\n");
        foreach (var (name, _) in exports)
        {
            text.Append("extern char ").Append(name).Append("[];\n");
        }

        text.Append("\nconst struct ag_export ag_exports[] = {\n");
        foreach (var (name, data) in exports)
        {
            text.Append("\t{ \"").Append(name).Append("\", ").Append(name).Append(", ").Append(data ? 1 : 0).Append(" },\n");
        }

        return text.Append("\t{ 0, 0, 0 },\n};\n").ToString();
    }

    /// <summary>chmod; a no-op where there are no Unix modes (the grader runs drivers on Linux only).</summary>
    internal static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    /// <summary>Creates missing directories as 0755 whatever the umask; existing ones keep their mode.</summary>
    internal static void CreateDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        var parent = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(parent))
        {
            CreateDirectory(parent);
        }

        Directory.CreateDirectory(path);
        SetMode(path, DirMode);
    }
}
