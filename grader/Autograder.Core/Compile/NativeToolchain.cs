using System.Security.Cryptography;
using System.Text;

namespace Autograder.Compile;

/// <summary>
/// gcc plus our kernel model, built once per machine: the embedded grader/native/ sources are
/// extracted to a cache directory keyed by their content hash, and the model library, the host's
/// objects and aglaunch are built there. Everything in it is world-readable (hosts run as nobody).
/// The tool ships that directory prebuilt (<see cref="PrebuiltFolder"/>, made at its build by
/// <see cref="Prebuild"/>): when its key matches, its verified files are copied instead of compiled.
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
    private const string LaunchName = "aglaunch";

    /// <summary>What the build makes besides the sources: a prebuilt copy must hold all of it.</summary>
    private static readonly string[] Products = ["lib/exports.txt", "bin/" + LaunchName, "bin/" + HostName];

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
        new(() => Create(null, Path.Combine(AppContext.BaseDirectory, PrebuiltFolder)), LazyThreadSafetyMode.ExecutionAndPublication);

    private NativeToolchain(string gcc, string root, NativeOrigin origin, IReadOnlySet<string> exports, IReadOnlySet<string> kernelSymbols, IReadOnlySet<string> kernelHeaders)
    {
        Gcc = gcc;
        Root = root;
        Origin = origin;
        ModelExports = exports;
        KernelSymbols = kernelSymbols;
        KernelHeaders = kernelHeaders;
    }

    /// <summary>Where the tool ships its prebuilt toolchain, next to the CLI (Autograder.Cli.csproj, PACKAGE.md):
    /// <c>native-prebuilt/native-HASH/</c>, the same tree as the cache's.</summary>
    public const string PrebuiltFolder = "native-prebuilt";

    /// <summary>The process-wide toolchain, or the reason there is none (e.g. <see cref="MissingGcc"/>).</summary>
    public static (NativeToolchain? Toolchain, string? Problem) Shared => SharedInstance.Value;

    public string Gcc { get; }

    /// <summary>The cache directory of this version of the native sources.</summary>
    public string Root { get; }

    /// <summary>Whether this process found the cache ready, copied the tool's prebuilt one into it, or built it.</summary>
    public NativeOrigin Origin { get; }

    /// <summary>The directory passed as -isystem: our linux/ and asm/ headers.</summary>
    public string IncludeDir => Path.Combine(Root, "include");

    /// <summary>aglaunch: starts a program (the .NET worker) in the sandbox.</summary>
    public string LaunchPath => Path.Combine(Root, "bin", LaunchName);

    /// <summary>The prebuilt driver host (host.c with the kernel model and the loader): it loads a driver object.</summary>
    public string HostPath => Path.Combine(Root, "bin", HostName);

    /// <summary>Every symbol a driver object may leave undefined: the model's and the kernel's libc-like ones.</summary>
    public IReadOnlySet<string> ModelExports { get; }

    /// <summary>Symbols a real kernel exports (Debian's Module.symvers; grader/native/kernel-symbols.txt).</summary>
    public IReadOnlySet<string> KernelSymbols { get; }

    /// <summary>Header names a real kernel has ("linux/cdev.h", "asm/io.h"; grader/native/kernel-headers.txt).</summary>
    public IReadOnlySet<string> KernelHeaders { get; }

    /// <summary>Finds gcc and builds (or reuses) the cache. cacheRoot overrides the default location; a
    /// prebuiltRoot holding this version's build (<see cref="PrebuiltFolder"/>) is copied from instead of compiling,
    /// when it checks out (see <see cref="CopyPrebuilt"/>); otherwise it is ignored.</summary>
    public static (NativeToolchain? Toolchain, string? Problem) Create(string? cacheRoot, string? prebuiltRoot = null)
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
        var key = Hash(resources);
        var dir = Path.Combine(root, "native-" + key);
        try
        {
            var origin = NativeOrigin.Cache;
            if (!File.Exists(Path.Combine(dir, ReadyMarker)))
            {
                // A prebuilt copy that does not check out is no error: building is what we did without one.
                origin = prebuiltRoot is not null
                    && Install(dir, key, temp => CopyPrebuilt(Path.Combine(prebuiltRoot, Path.GetFileName(dir)), temp, key, resources)) is null
                    ? NativeOrigin.Prebuilt
                    : NativeOrigin.Built;
                if (origin == NativeOrigin.Built && Install(dir, key, temp => Build(temp, resources, gcc)) is { } problem)
                {
                    return (null, problem);
                }
            }

            // Build wrote the model's exports and the libc-like functions (the recipe is in the cache key).
            var exports = new HashSet<string>(File.ReadAllLines(Path.Combine(dir, "lib", "exports.txt")), StringComparer.Ordinal);
            return (new NativeToolchain(gcc, dir, origin, exports, ReadList(resources, "kernel-symbols.txt"), ReadList(resources, "kernel-headers.txt")), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"cannot prepare the native toolchain cache in {root}: {e.Message}");
        }
    }

    /// <summary>
    /// Builds this version's toolchain into folder/native-HASH exactly as <see cref="Create"/> builds the cache (it
    /// is that call), for the tool to ship (<c>autograder prebuild-native</c>, run after the CLI's build): an
    /// existing complete build is kept, other versions' folders are removed.
    /// </summary>
    internal static (NativeToolchain? Toolchain, string? Problem) Prebuild(string folder)
    {
        var (toolchain, problem) = Create(folder);
        if (toolchain is not null)
        {
            foreach (var stale in Directory.EnumerateDirectories(folder, "native-*").Where(d => d != toolchain.Root))
            {
                Directory.Delete(stale, recursive: true);
            }
        }

        return (toolchain, problem);
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

    /// <summary>
    /// Fills a private temporary directory (fill returns its problem or null), makes everything world-readable
    /// and the programs executable, writes the ready marker (the key and every file's digest) and renames the
    /// directory into place atomically; a loser of the race uses the winner's. The fill's problem, or null.
    /// </summary>
    private static string? Install(string dir, string key, Func<string, string?> fill)
    {
        CreateDirectory(Path.GetDirectoryName(dir)!);
        var temp = $"{dir}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            CreateDirectory(temp);
            if (fill(temp) is { } problem)
            {
                return problem;
            }

            var files = Directory.EnumerateFiles(temp, "*", SearchOption.AllDirectories).ToList();
            var marker = new StringBuilder(ReadyHeader(key)).Append('\n');
            foreach (var file in files.OrderBy(f => f, StringComparer.Ordinal))
            {
                SetMode(file, FileMode);
                marker.Append(Digest(File.ReadAllBytes(file))).Append(' ').Append(Path.GetRelativePath(temp, file).Replace('\\', '/')).Append('\n');
            }

            SetMode(Path.Combine(temp, "bin", LaunchName), DirMode);
            SetMode(Path.Combine(temp, "bin", HostName), DirMode);
            File.WriteAllText(Path.Combine(temp, ReadyMarker), marker.ToString());
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

    /// <summary>The ready marker's first line: which sources and recipe the directory holds.</summary>
    private static string ReadyHeader(string key) => $"autograder native toolchain {key} recipe {BuildRecipe}";

    private static string Digest(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>Our embedded sources, as they are in the cache: the copy and the build both start from them.</summary>
    private static void WriteSources(string temp, SortedDictionary<string, byte[]> resources)
    {
        foreach (var (name, content) in resources)
        {
            var path = Path.Combine(temp, name);
            CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, content);
        }
    }

    /// <summary>
    /// Copies the tool's prebuilt toolchain into temp, or says why not. Not trusted blindly: its ready marker must
    /// name our key (sources and recipe), the sources are written from our own resources, every other file must
    /// be listed there with its digest and match it, the products must all be there, and the programs must run on
    /// this machine (a tool packed elsewhere may carry another architecture's binaries, or need a newer libc).
    /// A folder it cannot read is a reason too: the caller then builds.
    /// </summary>
    private static string? CopyPrebuilt(string source, string temp, string key, SortedDictionary<string, byte[]> resources)
    {
        try
        {
            var marker = Path.Combine(source, ReadyMarker);
            if (!File.Exists(marker) || new FileInfo(marker).Length > 1 << 20)
            {
                return $"no prebuilt toolchain in {source}";
            }

            var lines = File.ReadAllLines(marker);
            if (lines.Length == 0 || lines[0] != ReadyHeader(key))
            {
                return $"{source} holds a build of other sources";
            }

            WriteSources(temp, resources);
            var copied = new HashSet<string>(StringComparer.Ordinal);
            foreach (var line in lines.Skip(1))
            {
                var fields = line.Split(' ', 2);
                if (fields.Length != 2 || !IsPlainRelative(fields[1]))
                {
                    return $"{marker}: unexpected line {line}";
                }

                var name = fields[1];
                if (resources.ContainsKey(name))
                {
                    continue;
                }

                var from = Path.Combine(source, name);
                var content = File.Exists(from) ? File.ReadAllBytes(from) : null;
                if (content is null || Digest(content) != fields[0])
                {
                    return $"{from} is missing or differs from its digest";
                }

                var to = Path.Combine(temp, name);
                CreateDirectory(Path.GetDirectoryName(to)!);
                File.WriteAllBytes(to, content);
                copied.Add(name);
            }

            if (Products.FirstOrDefault(p => !copied.Contains(p)) is { } missing)
            {
                return $"{source} lacks {missing}";
            }

            return Probe(temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot copy the prebuilt toolchain from {source}: {e.Message}";
        }
    }

    /// <summary>A relative path of plain names ('/'-separated, no '.', '..' or empty parts).</summary>
    private static bool IsPlainRelative(string path) =>
        path.Split('/').All(part => part.Length > 0 && part is not ("." or "..") && !part.Contains('\\'));

    /// <summary>Whether the programs run here: asked for an option they do not know, each must answer with its
    /// own setup exit code (<see cref="NativeExitCodes.Setup"/>), which a binary the loader refuses never does.</summary>
    private static string? Probe(string temp)
    {
        foreach (var program in new[] { LaunchName, HostName })
        {
            var path = Path.Combine(temp, "bin", program);
            SetMode(path, DirMode);
            try
            {
                var run = NativeProcess.Run(path, ["--probe"], temp, TimeSpan.FromSeconds(10), maxOutputBytes: 4096);
                if (run.ExitCode != NativeExitCodes.Setup)
                {
                    return $"the prebuilt {program} does not run here (exit {run.ExitCode}): {run.Stderr.Trim()}";
                }
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                return $"the prebuilt {program} does not run here: {e.Message}";
            }
        }

        return null;
    }

    /// <summary>Extracts our sources into temp and builds the model library, the host and aglaunch there.</summary>
    private static string? Build(string temp, SortedDictionary<string, byte[]> resources, string gcc)
    {
        WriteSources(temp, resources);
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
            (gcc, [.. common, Path.Combine(host, "aglaunch.c"), Path.Combine(host, "sandbox.c"), "-o", Path.Combine(bin, LaunchName)]),
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
        return Run([
            (gcc, [.. common, "-fno-builtin", "-I", host, "-c", Path.Combine(lib, "exports.c"), "-o", Obj("exports")]),
            (gcc, [Obj("host"), Obj("channel"), Obj("sandbox"), Obj("loader"), Obj("model"), Obj("exports"), "-Wl,-z,relro,-z,now", "-o", Path.Combine(bin, HostName)]),
        ], temp);
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

/// <summary>Where a process's <see cref="NativeToolchain"/> came from.</summary>
internal enum NativeOrigin
{
    /// <summary>The cache was ready (an earlier run made it).</summary>
    Cache,

    /// <summary>Copied into the cache from the tool's prebuilt folder.</summary>
    Prebuilt,

    /// <summary>Compiled into the cache by this process.</summary>
    Built,
}
