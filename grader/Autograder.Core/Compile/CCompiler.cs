using System.Text.Json;
using System.Text.RegularExpressions;
using Autograder.Model;

namespace Autograder.Compile;

/// <summary>
/// The outcome of building a C submission. <see cref="GraderGap"/> is set when the build failed
/// for want of something in our kernel model (a real kernel function or header we lack, or no
/// gcc): the grader's fault, costing the student nothing. Otherwise a failure is the student's,
/// explained by the error <see cref="Diagnostics"/>; warnings are kept either way.
/// </summary>
internal sealed record CBuild(bool Success, CDriver? Driver, IReadOnlyList<Diagnostic> Diagnostics, string? GraderGap)
{
    /// <summary>The build's private directory (holds the driver object until deleted).</summary>
    public string? WorkDir { get; init; }

    /// <summary>gcc itself rejected the code (not a guard, link or symbol check): what the real kernel build can judge too.</summary>
    public bool Rejected { get; init; }
}

/// <summary>A built C driver: the prebuilt host to run and the object it loads (its --driver), as the
/// kernel loads a module: no link, and the driver's globals are visible to nothing but itself.</summary>
internal sealed record CDriver(string Host, string Object);

/// <summary>
/// Compiles a student's my-rng.c as the kernel's build does (gnu11, -Wall, freestanding against
/// our headers only, implicit declarations are errors), checks the object's undefined symbols
/// against the kernel model and its sections for load-time code; the host's loader (grader/native/host/
/// loader.c) maps the object. Thread-safe: each call works in its own directory under the work root.
/// Objects stay until <see cref="Delete"/> or <see cref="Dispose"/> (which removes the whole work root).
/// </summary>
internal sealed partial class CCompiler : IDisposable
{
    /// <summary>The longest diagnostic message kept (a longer one is cut and says so).</summary>
    internal const int MaxMessageChars = 4096;

    /// <summary>Where our headers appear inside the compile box.</summary>
    internal const string BoxIncludeDir = "/ag/include";

    // The box's folder (the units' objects) and, below it, the sources with the student's relative paths.
    private const string BoxSources = CompileBox.BoxDir + "/src";

    private static readonly string[] KernelCFlags =
    [
        // The top-level kernel Makefile's flags (6.x) that decide what compiles and what it means.
        "-std=gnu11", "-Wall", "-O2", "-nostdinc", "-ffreestanding", "-fno-common", "-fno-strict-aliasing",
        "-fno-strict-overflow", "-fno-delete-null-pointer-checks", "-funsigned-char", "-Wstrict-prototypes",
        "-Werror=implicit-function-declaration", "-Werror=implicit-int", "-Werror=return-type",
        "-Werror=incompatible-pointer-types", "-Werror=designated-init", "-Werror=date-time",
        "-Wno-pointer-sign", "-Wno-unused-but-set-variable", "-Wno-unused-const-variable",
        "-fdiagnostics-format=json", "-fno-diagnostics-color",
    ];

    private readonly NativeToolchain? _toolchain;
    private readonly string? _problem;
    private readonly string _workRoot;
    private readonly BoxLimits _limits;
    private readonly Func<string?> _boxProblem;
    private readonly Lazy<string?> _boxSetup;

    /// <summary>Uses the process-wide toolchain; workRoot defaults to a fresh world-readable temp directory.</summary>
    public CCompiler(string? workRoot = null, BoxLimits? limits = null)
        : this(NativeToolchain.Shared, workRoot, limits)
    {
    }

    /// <summary>limits: each compiler run's (<see cref="BoxLimits.Default"/>; tests pass smaller ones); boxProblem: why
    /// there is no compile box (<see cref="CompileBox.Problem"/>; tests fake one).</summary>
    public CCompiler((NativeToolchain? Toolchain, string? Problem) toolchain, string? workRoot = null, BoxLimits? limits = null, Func<string?>? boxProblem = null)
    {
        _toolchain = toolchain.Toolchain;
        _problem = toolchain.Problem;
        _workRoot = workRoot ?? Path.Combine(Path.GetTempPath(), $"autograder-c-{Environment.ProcessId}-{Guid.NewGuid():N}"[..48]);
        _limits = limits ?? BoxLimits.Default;
        // The box must reach this work root and our headers as uid 65534: checked once, before any submission.
        _boxProblem = boxProblem ?? (() => _boxSetup!.Value);
        _boxSetup = new Lazy<string?>(() =>
        {
            NativeToolchain.CreateDirectory(_workRoot);
            return CompileBox.ProbeSetup(_workRoot, [(_toolchain!.IncludeDir, BoxIncludeDir)]);
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Why C cannot be compiled on this machine (no gcc, no compile box), or null. Never compiles unboxed.</summary>
    public string? Unavailable => _toolchain is null ? _problem ?? NativeToolchain.MissingGcc
        : !_toolchain.Gcc.StartsWith("/usr/", StringComparison.Ordinal) ? $"gcc must be installed under /usr, which is all the compile box shows (found {_toolchain.Gcc})"
        : _boxProblem();

    public CBuild Compile(string submissionId, IReadOnlyList<(string Path, string Text)> sources)
    {
        if (Unavailable is { } unavailable)
        {
            return new CBuild(false, null, [], unavailable);
        }

        var diagnostics = new List<Diagnostic>();
        var files = new List<(string Relative, string Text)>();
        foreach (var (path, text) in sources)
        {
            var relative = SafeRelative(path);
            if (relative is null)
            {
                return new CBuild(false, null, [new Diagnostic("error", path, 0, 0, "a source path must be relative and stay inside the submission")], null);
            }

            files.Add((relative, text));
            diagnostics.AddRange(GuardSource(relative, text));
        }

        if (diagnostics.Count > 0)
        {
            return new CBuild(false, null, diagnostics, null);
        }

        // work/ is the grader's (it keeps the driver object); work/box/ is the box's, bound at /box: a private
        // copy of the sources under src/ (the student's relative paths: #include "my-rng.h" works) and the objects.
        var work = Path.Combine(_workRoot, Sanitize(submissionId) + "-" + Guid.NewGuid().ToString("N")[..8]);
        var box = Path.Combine(work, "box");
        NativeToolchain.CreateDirectory(_workRoot);
        NativeToolchain.CreateDirectory(work);
        CompileBox.CreateBoxDir(box);
        var src = Path.Combine(box, "src");
        NativeToolchain.CreateDirectory(src);
        foreach (var (relative, text) in files)
        {
            var full = Path.Combine(src, relative);
            NativeToolchain.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }

        var objects = new List<string>();
        string? gap = null;
        var failed = false;
        var rejected = false;
        var units = files.Where(f => f.Relative.EndsWith(".c", StringComparison.Ordinal)).ToList();
        if (units.Count == 0)
        {
            return new CBuild(false, null, [new Diagnostic("error", files.Count > 0 ? files[0].Relative : "", 0, 0, "the submission has no .c file")], null) { WorkDir = work };
        }

        for (var i = 0; i < units.Count; i++)
        {
            // The unit is named "./<its path>" and the object by its index: no name can read as an option or an @file.
            var run = Boxed([_toolchain!.Gcc, .. CompileArguments(BoxIncludeDir, units[i].Relative, $"{CompileBox.BoxDir}/unit{i}.o")], box, BoxSources);
            if (CompileBox.LimitHit(run, _limits) is { } limit)
            {
                diagnostics.Add(new Diagnostic("error", units[i].Relative, 0, 0, $"the build was stopped: {limit}"));
                failed = true;
                continue;
            }

            var parsed = ParseGccJson(run.Stderr, files, _toolchain, ref gap);
            diagnostics.AddRange(parsed);
            if (run.ExitCode != 0)
            {
                failed = true;
                rejected = true;
                if (!parsed.Any(d => d.Severity == "error") && gap is null)
                {
                    diagnostics.Add(new Diagnostic("error", units[i].Relative, 0, 0, "gcc failed: " + Cap(BoxPaths(PlainText(run.Stderr)), 2000)
                        + (run.Truncated ? $" (its output exceeded {_limits.OutputBytes >> 20} MiB and was cut)" : "")));
                }

                continue;
            }

            objects.Add(Path.Combine(box, $"unit{i}.o"));
        }

        if (gap is not null || failed)
        {
            return new CBuild(false, null, diagnostics, gap) { WorkDir = work, Rejected = rejected };
        }

        var joined = Join(objects, box, units[0].Relative, diagnostics);
        string? driver = null;
        ElfObject? elf = null;
        if (joined is not null)
        {
            // gcc made it from the student's code (asm can shape an object): what is wrong with it is theirs.
            // The grader's own copy (the box's user could still write the box's) is what is checked and loaded.
            string? unreadable = "the build left no regular object file";
            if (new FileInfo(joined).LinkTarget is null)
            {
                driver = Path.Combine(work, "driver.o");
                File.Copy(joined, driver);
                elf = ElfObject.Read(driver, out unreadable);
            }

            if (elf is null)
            {
                diagnostics.Add(new Diagnostic("error", units[0].Relative, 0, 0, unreadable ?? "the compiled driver cannot be read"));
            }
        }

        if (elf is not null)
        {
            gap = CheckSymbols(elf, units, diagnostics);
            CheckLoadTime(elf, units[0].Relative, diagnostics);
        }

        if (elf is null || gap is not null || diagnostics.Any(d => d.Severity == "error"))
        {
            return new CBuild(false, null, diagnostics, gap) { WorkDir = work };
        }

        // The host reads the object before its sandbox drops privileges; world-readable keeps that true for any user.
        NativeToolchain.SetMode(driver!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Directory.Delete(box, recursive: true);
        return new CBuild(true, new CDriver(_toolchain!.HostPath, driver!), diagnostics, null) { WorkDir = work };
    }

    /// <summary>gcc's arguments for compiling one unit, as <see cref="Compile"/> uses them but unboxed (the benchmarks' bare compile).</summary>
    internal static string[] CompileArguments(NativeToolchain toolchain, string unit, string obj) =>
        CompileArguments(toolchain.IncludeDir, unit, obj);

    /// <summary>The unit is passed as ./unit: a name starting with '-' or '@' stays a file name; __FILE__ drops the "./"
    /// (BUG_ON's "kernel BUG at my-rng.c:24!").</summary>
    private static string[] CompileArguments(string includeDir, string unit, string obj) =>
        [.. KernelCFlags, "-fmacro-prefix-map=./=", "-isystem", includeDir, .. KbuildDefines(unit), "-c", "./" + unit, "-o", obj];

    /// <summary>Runs gcc in the compile box with our headers at <see cref="BoxIncludeDir"/>.</summary>
    private NativeProcess.Outcome Boxed(IReadOnlyList<string> argv, string box, string workingDirectory) =>
        CompileBox.Run(argv, box, _limits, workingDirectory, [(_toolchain!.IncludeDir, BoxIncludeDir)]);

    /// <summary>gcc's plain-text messages (the assembler's, the driver's) without the empty JSON array before them.</summary>
    private static string PlainText(string stderr)
    {
        var text = stderr.Trim();
        return text.StartsWith("[]", StringComparison.Ordinal) ? text[2..].TrimStart() : text;
    }

    /// <summary>Drops the box's paths from a tool's message (the student knows the files by their own names).</summary>
    private static string BoxPaths(string text) =>
        text.Replace(BoxSources + "/", "", StringComparison.Ordinal).Replace(CompileBox.BoxDir + "/", "", StringComparison.Ordinal);

    /// <summary>What kbuild defines for every object: pr_fmt(fmt) KBUILD_MODNAME ": " fmt is common in drivers.</summary>
    private static string[] KbuildDefines(string unit)
    {
        var name = Path.GetFileNameWithoutExtension(unit).Replace('-', '_');
        name = new string([.. name.Where(c => char.IsAsciiLetterOrDigit(c) || c == '_')]);
        return ["-D__KERNEL__", $"-DKBUILD_MODNAME=\"{name}\"", $"-DKBUILD_BASENAME=\"{name}\""];
    }

    // Code of the driver must only ever run when the grader calls it, in a sandboxed child. These would run
    // at load time instead (the host's loader never runs them, so a driver relying on them is wrong twice):
    // constructors, destructors, ifunc resolvers.
    private static readonly string[] LoadTimeSections = [".init_array", ".preinit_array", ".ctors", ".fini_array", ".dtors"];
    private static readonly string[] LoadTimeExact = [".init", ".fini"];

    /// <summary>One object of the driver's units (gcc -r when there are several: ld reports clashing definitions).</summary>
    private string? Join(List<string> objects, string box, string file, List<Diagnostic> diagnostics)
    {
        if (objects.Count == 1)
        {
            return objects[0];
        }

        var inBox = objects.Select(o => CompileBox.BoxDir + "/" + Path.GetFileName(o));
        var join = Boxed([_toolchain!.Gcc, "-r", "-nostdlib", .. inBox, "-o", CompileBox.BoxDir + "/driver.o"], box, CompileBox.BoxDir);
        if (CompileBox.LimitHit(join, _limits, "the linker") is { } limit)
        {
            diagnostics.Add(new Diagnostic("error", file, 0, 0, $"the build was stopped: {limit}"));
            return null;
        }

        if (join.ExitCode == 0)
        {
            return Path.Combine(box, "driver.o");
        }

        foreach (var line in join.Stderr.Split('\n').Where(l => l.Contains("error", StringComparison.Ordinal) || l.Contains("multiple definition", StringComparison.Ordinal)).Take(10))
        {
            diagnostics.Add(new Diagnostic("error", file, 0, 0, "link: " + Cap(BoxPaths(LinkerMessage(line)), MaxMessageChars)));
        }

        if (!diagnostics.Any(d => d.Severity == "error"))
        {
            diagnostics.Add(new Diagnostic("error", file, 0, 0, "link failed: " + Cap(BoxPaths(join.Stderr.Trim()), 2000)));
        }

        return null;
    }

    private static void CheckLoadTime(ElfObject elf, string file, List<Diagnostic> diagnostics)
    {
        var loadTime = elf.Sections
            .Where(name => LoadTimeExact.Contains(name) || LoadTimeSections.Any(p => name.StartsWith(p, StringComparison.Ordinal)))
            .Distinct()
            .ToList();
        if (loadTime.Count > 0)
        {
            diagnostics.Add(new Diagnostic("error", file, 0, 0,
                $"the driver has code that would run when it is loaded ({string.Join(", ", loadTime)}: __attribute__((constructor)) or the like); a kernel driver starts in its module_init function"));
        }

        if (elf.Symbols.Any(s => s.Type == ElfSymbol.TypeIfunc))
        {
            diagnostics.Add(new Diagnostic("error", file, 0, 0, "the driver defines an ifunc resolver (__attribute__((ifunc))), which the kernel does not support"));
        }
    }

    /// <summary>Removes one build's directory (its driver object included).</summary>
    public static void Delete(CBuild build)
    {
        if (build.WorkDir is not null && Directory.Exists(build.WorkDir))
        {
            Directory.Delete(build.WorkDir, recursive: true);
        }
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(_workRoot))
            {
                Directory.Delete(_workRoot, recursive: true);
            }
        }
        catch (IOException)
        {
            // A host still running from it; the temp directory is the OS's to clean.
        }
    }

    // Undefined symbols must all be the model's (the host's loader resolves nothing else). A real kernel
    // export we lack is our gap; anything else is not something a driver can call.
    private string? CheckSymbols(ElfObject elf, List<(string Relative, string Text)> units, List<Diagnostic> diagnostics)
    {
        string? gap = null;
        foreach (var name in elf.Symbols.Where(s => !s.Defined && s.Name.Length > 0).Select(s => s.Name).Distinct())
        {
            if (_toolchain!.ModelExports.Contains(name))
            {
                continue;
            }

            // The first unit that names it (the object is all units joined).
            var found = units.Select(u => (Unit: u, At: FindCall(u.Text, name))).FirstOrDefault(f => f.At.Line > 0);
            var unit = found.Unit.Text is null ? units[0] : found.Unit;
            var (lineNo, column) = found.At;
            if (name == "__invalid_size_argument_for_IOC")
            {
                diagnostics.Add(new Diagnostic("error", unit.Relative, lineNo, column,
                    "an _IOR/_IOW/_IOWR size argument is not a type the kernel accepts: pass the type, e.g. _IOR('q', 1, unsigned int)"));
            }
            else if (_toolchain.KernelSymbols.Contains(name))
            {
                gap ??= $"the kernel model lacks {name}";
            }
            else
            {
                diagnostics.Add(new Diagnostic("error", unit.Relative, lineNo, column,
                    $"{name} is not a kernel function (drivers cannot call libc)"));
            }
        }

        return gap;
    }

    private static (int Line, int Column) FindCall(string text, string name)
    {
        var match = Regex.Match(text, $@"\b{Regex.Escape(name)}\b");
        if (!match.Success)
        {
            return (0, 0);
        }

        var line = 1 + text.AsSpan(0, match.Index).Count('\n');
        var start = text.LastIndexOf('\n', Math.Max(0, match.Index - 1));
        return (line, match.Index - start);
    }

    // Kernel APIs that are macros (so not in Module.symvers) but that drivers call like functions.
    private static readonly HashSet<string> KernelMacroFunctions =
    [
        "request_mem_region", "release_mem_region", "request_region", "release_region", "request_muxed_region",
        "devm_request_mem_region", "devm_request_region", "pci_resource_flags", "dev_dbg", "pr_devel",
        "class_create", "module_param", "module_param_named", "DEFINE_SPINLOCK", "DEFINE_MUTEX", "ioremap_cache",
        "ioread32be", "iowrite32be", "readl_relaxed", "writel_relaxed", "memcpy_fromio", "memcpy_toio", "memset_io",
        "wait_event", "wait_event_interruptible", "wait_event_timeout", "wait_event_interruptible_timeout",
        "wake_up", "wake_up_interruptible", "wake_up_all", "init_waitqueue_head", "pr_warn_ratelimited",
        "pr_err_ratelimited", "pr_info_ratelimited", "printk_ratelimited", "pr_info_once", "pr_warn_once",
        "pr_err_once", "WARN", "WARN_ONCE", "dev_notice", "pci_err", "pci_info", "pci_warn", "kthread_run",
        "container_of_const", "min_t", "max_t", "clamp", "clamp_t",
    ];

    [GeneratedRegex(@"implicit declaration of function [\u2018'`](\w+)[\u2019']")]
    private static partial Regex ImplicitDeclaration();

    private static List<Diagnostic> ParseGccJson(string stderr, List<(string Relative, string Text)> files, NativeToolchain toolchain, ref string? gap)
    {
        var result = new List<Diagnostic>();
        var start = stderr.IndexOf('[', StringComparison.Ordinal);
        if (start < 0)
        {
            return result;
        }

        // gcc prints the JSON array, then plain lines such as "compilation terminated.": read one value.
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(stderr[start..]));
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return result;
        }

        using (document)
        {
            var studentFiles = files.Select(f => f.Relative).ToHashSet(StringComparer.Ordinal);
            foreach (var item in document.RootElement.EnumerateArray())
            {
                var kind = item.TryGetProperty("kind", out var k) ? k.GetString() ?? "" : "";
                if (kind == "note")
                {
                    continue;
                }

                var message = item.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
                var option = item.TryGetProperty("option", out var o) ? o.GetString() : null;
                var severity = kind.Contains("error", StringComparison.Ordinal) ? "error" : "warning";
                var (file, line, column) = StudentLocation(item, studentFiles) ?? (files[0].Relative, 0, 0);
                var missing = MissingHeader().Match(message);
                if (missing.Success)
                {
                    var header = missing.Groups[1].Value;
                    if (toolchain.KernelHeaders.Contains(header))
                    {
                        gap ??= $"the kernel model lacks <{header}>";
                        continue;
                    }

                    message = $"<{header}> is not a kernel header (drivers cannot use libc headers): {message}";
                }

                // A real kernel function our headers do not declare is our gap, not the student's error.
                var undeclared = ImplicitDeclaration().Match(message);
                if (undeclared.Success && (toolchain.KernelSymbols.Contains(undeclared.Groups[1].Value) || KernelMacroFunctions.Contains(undeclared.Groups[1].Value)))
                {
                    gap ??= $"the kernel model lacks {undeclared.Groups[1].Value}()";
                    continue;
                }

                result.Add(new Diagnostic(severity, file, line, column, Cap(BoxPaths(message), MaxMessageChars), option));
            }
        }

        return result;
    }

    // gcc names a location inside our headers when a macro misused in the student's file expands
    // there; the student's line is then among the "in expansion of" children.
    private static (string File, int Line, int Column)? StudentLocation(JsonElement item, HashSet<string> studentFiles)
    {
        if (item.TryGetProperty("locations", out var locations))
        {
            foreach (var location in locations.EnumerateArray())
            {
                if (location.TryGetProperty("caret", out var caret) && caret.TryGetProperty("file", out var f))
                {
                    var file = NormalizeFile(f.GetString() ?? "");
                    if (studentFiles.Contains(file))
                    {
                        var line = caret.TryGetProperty("line", out var l) ? l.GetInt32() : 0;
                        var column = caret.TryGetProperty("display-column", out var c) ? c.GetInt32()
                            : caret.TryGetProperty("column", out var c2) ? c2.GetInt32() : 0;
                        return (file, line, column);
                    }
                }
            }
        }

        if (item.TryGetProperty("children", out var children))
        {
            foreach (var child in children.EnumerateArray())
            {
                var found = StudentLocation(child, studentFiles);
                if (found is not null)
                {
                    return found;
                }
            }
        }

        return null;
    }

    private static string NormalizeFile(string file) => file.StartsWith("./", StringComparison.Ordinal) ? file[2..] : file;

    // A teaching diagnostic, not the protection: names what would make gcc read files outside the
    // submission (absolute or ../ includes, include names built by macros, the dependency pragma, the
    // assembler's .incbin/.include) with a clearer message than "No such file". What stops such reads is
    // the compile box, which shows gcc nothing of the host but the toolchain (CompileBoxTests get past this).
    internal static IEnumerable<Diagnostic> GuardSource(string relative, string text)
    {
        var spliced = text.Replace("\\\r\n", "", StringComparison.Ordinal).Replace("\\\n", "", StringComparison.Ordinal);
        var lines = StripComments(spliced).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var directive = IncludeDirective().Match(line);
            if (directive.Success)
            {
                var target = directive.Groups["target"].Value.Trim();
                var name = target.Length >= 2 ? target[1..^1] : "";
                var wellFormed = target.Length >= 2 && ((target[0] == '<' && target[^1] == '>') || (target[0] == '"' && target[^1] == '"'));
                if (!wellFormed || name.StartsWith('/') || name.Contains("..", StringComparison.Ordinal) || name.Contains('\\'))
                {
                    yield return new Diagnostic("error", relative, i + 1, 1,
                        $"#include {target}: a driver may include only kernel headers and its own files");
                }
            }

            if (ForbiddenToken().IsMatch(line))
            {
                yield return new Diagnostic("error", relative, i + 1, 1,
                    "this line would make the compiler read a file outside the submission (.incbin, .include or #pragma GCC dependency)");
            }
        }
    }

    private static string StripComments(string text)
    {
        var output = new System.Text.StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '"' || text[i] == '\'')
            {
                var quote = text[i];
                output.Append(text[i++]);
                while (i < text.Length && text[i] != quote && text[i] != '\n')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        output.Append(text[i++]);
                    }

                    output.Append(text[i++]);
                }

                if (i < text.Length)
                {
                    output.Append(text[i++]);
                }
            }
            else if (i + 1 < text.Length && text[i] == '/' && text[i + 1] == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                var comment = end < 0 ? text[i..] : text[i..(end + 2)];
                output.Append(' ').Append('\n', comment.Count(c => c == '\n'));
                i += comment.Length;
            }
            else if (i + 1 < text.Length && text[i] == '/' && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else
            {
                output.Append(text[i++]);
            }
        }

        return output.ToString();
    }

    private static string? SafeRelative(string path)
    {
        var normalized = path.Replace('\\', '/');
        if (normalized.Length == 0 || normalized.StartsWith('/') || normalized.Split('/').Any(p => p is ".." or "." or ""))
        {
            return null;
        }

        return normalized;
    }

    private static string Sanitize(string id)
    {
        var cleaned = new string([.. id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_')]);
        return cleaned.Length > 60 ? cleaned[..60] : cleaned;
    }

    private static string LinkerMessage(string line)
    {
        var text = line.Trim();
        var colon = text.IndexOf(": ", StringComparison.Ordinal);
        // "/usr/bin/ld: unit0.o:(...): multiple definition of `x'; ...": keep what follows the paths.
        var multiple = text.IndexOf("multiple definition", StringComparison.Ordinal);
        return multiple >= 0 ? text[multiple..] : colon >= 0 ? text[(colon + 2)..] : text;
    }

    internal static string Cap(string text, int max) => text.Length <= max ? text : text[..max] + $" ... ({text.Length - max} more characters cut)";

    [GeneratedRegex(@"^(\S+\.h): No such file or directory")]
    private static partial Regex MissingHeader();

    [GeneratedRegex(@"^\s*(#|%:)\s*(include(_next)?|import)\b(?<target>.*)$")]
    private static partial Regex IncludeDirective();

    [GeneratedRegex(@"\.incbin\b|\.include\b|GCC\s+dependency")]
    private static partial Regex ForbiddenToken();
}
