using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;

namespace Autograder.Compile;

/// <summary>The outcome of compiling a C# submission: the assembly (with an embedded PDB) or the diagnostics saying
/// why not. <paramref name="Failure"/> replaces the usual one-line summary of a failure (a limit the submission
/// exceeded); <paramref name="GraderGap"/> says the grader could not compile it for a reason of its own.</summary>
internal sealed record CSharpBuild(bool Success, byte[]? Assembly, IReadOnlyList<Model.Diagnostic> Diagnostics, string? Failure = null, string? GraderGap = null)
{
    /// <summary>A failure that is the submission's, with no assembly and no diagnostics of the compiler.</summary>
    public static CSharpBuild Failed(string failure) => new(false, null, [], failure);
}

/// <summary>
/// Compiles a C# driver in memory with Roslyn, against the kernel API and a minimal BCL only, then
/// rejects (through <see cref="CSharpAllowlist"/>) APIs a driver has no business with. Compile errors are
/// data, not exceptions. Thread-safe: references and options are built once per process and shared.
/// </summary>
internal sealed class CSharpCompiler
{
    /// <summary>Diagnostics kept per submission; the rest are counted in one note ("and N more").</summary>
    public const int MaxDiagnostics = 50;

    /// <summary>UTF-8 bytes of one diagnostic's message (an 875-byte file can make Roslyn print 14.7 MB).</summary>
    public const int MaxDiagnosticBytes = 4096;

    /// <summary>The largest assembly the worker can be sent: the LoadAssembly frame (type, length, bytes) must fit
    /// <see cref="Protocol.Layout.MaxFrame"/>.</summary>
    public const int MaxAssembly = Protocol.Layout.MaxFrame - 16;

    private static int _referenceBuilds;

    // Built once: reading metadata is the expensive part of a cold compile.
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(BuildReferences, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.None);

    private static readonly CSharpCompilationOptions CompilationOptions = new(
        OutputKind.DynamicallyLinkedLibrary,
        optimizationLevel: OptimizationLevel.Release,
        nullableContextOptions: NullableContextOptions.Enable,
        allowUnsafe: false,
        deterministic: true,
        concurrentBuild: false);

    private static readonly EmitOptions EmitOptions = new(debugInformationFormat: DebugInformationFormat.Embedded);

    private readonly bool _enforceAllowlist;

    // The kernel's fixed-width type names, so `u32 val = ioread32(devmem);` ports as written.
    private static readonly (string Alias, string Type)[] KernelTypes =
    [
        ("u8", "System.Byte"), ("u16", "System.UInt16"), ("u32", "System.UInt32"), ("u64", "System.UInt64"),
        ("s8", "System.SByte"), ("s16", "System.Int16"), ("s32", "System.Int32"), ("s64", "System.Int64"),
    ];

    /// <summary>Global aliases for the kernel types the student did not alias already (a second alias of the
    /// same name would not compile), and `using System;`, which C# students expect implicit (their own is
    /// merely redundant). It names nothing but namespaces and aliases: the allowlist judges each use.</summary>
    private static SyntaxTree KernelTypeAliases(IEnumerable<SyntaxTree> student)
    {
        var taken = student
            .SelectMany(t => t.GetCompilationUnitRoot().Usings)
            .Select(u => u.Alias?.Name.Identifier.ValueText)
            .OfType<string>()
            .ToHashSet();
        var text = string.Concat(KernelTypes.Where(k => !taken.Contains(k.Alias)).Select(k => $"global using {k.Alias} = {k.Type};\n"))
            + "global using System;\n";
        return CSharpSyntaxTree.ParseText(SourceText.From(text, Encoding.UTF8), ParseOptions, "<kernel types>");
    }

    public CSharpCompiler()
        : this(enforceAllowlist: true)
    {
    }

    /// <param name="enforceAllowlist">Test-only: false skips the allowlist and <see cref="CSharpDriverRules"/>, to prove the OS
    /// sandbox and the worker hold on their own.</param>
    internal CSharpCompiler(bool enforceAllowlist) => _enforceAllowlist = enforceAllowlist;

    /// <summary>How many times the metadata references were built in this process (1 once warm).</summary>
    internal static int ReferenceBuilds => Volatile.Read(ref _referenceBuilds);

    /// <summary>
    /// Builds the references and JIT-compiles Roslyn's hot paths with a tiny driver, so the first real
    /// submission does not pay for a cold start. Call it on a background thread at startup; safe to repeat.
    /// </summary>
    public static void WarmUp() =>
        _ = new CSharpCompiler().Compile([("warmup.cs", "using static Autograder.KernelApi.Kernel;\nstatic class W { [module_init] static int I() { printk(\"%d\", 1); return 0; } }\n")]);

    /// <summary>Compiles the submission's files; <paramref name="sources"/> paths are the student's relative paths.</summary>
    public CSharpBuild Compile(IReadOnlyList<(string Path, string Text)> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var student = sources
            .Select(s => CSharpSyntaxTree.ParseText(SourceText.From(s.Text, Encoding.UTF8), ParseOptions, s.Path))
            .ToArray();
        SyntaxTree[] trees = [.. student, KernelTypeAliases(student)];
        var compilation = CSharpCompilation.Create("Driver", trees, References.Value, CompilationOptions);

        if (_enforceAllowlist)
        {
            var rejected = CSharpAllowlist.Check(compilation);
            if (rejected.Count > 0)
            {
                // Show the compiler's own errors beside the rejections (a forbidden name that does not even
                // resolve in a driver yields both; the rejection says why).
                var all = rejected.Concat(ToModels(compilation.GetDiagnostics())).ToList();
                return new CSharpBuild(false, null, Dedupe(all));
            }
        }

        using var pe = new MemoryStream();
        var result = compilation.Emit(pe, options: EmitOptions);
        var rules = _enforceAllowlist ? CSharpDriverRules.Check(compilation, result.Success) : [];
        var diagnostics = Dedupe([.. ToModels(result.Diagnostics), .. rules]);
        if (result.Success && pe.Length > MaxAssembly)
        {
            return new CSharpBuild(false, null, diagnostics, $"The compiled driver is {pe.Length} bytes; the limit is 1 MiB.");
        }

        return result.Success && !rules.Any(d => d.Severity == "error")
            ? new CSharpBuild(true, pe.ToArray(), diagnostics)
            : new CSharpBuild(false, null, diagnostics);
    }

    private static IEnumerable<Model.Diagnostic> ToModels(IEnumerable<Diagnostic> diagnostics) =>
        diagnostics
            .Where(d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning)
            .OrderBy(d => d.Severity == DiagnosticSeverity.Error ? 0 : 1)
            .Select(ToModel);

    internal static Model.Diagnostic ToModel(Diagnostic d)
    {
        var span = d.Location.GetMappedLineSpan();
        var (file, line, column) = d.Location.IsInSource
            ? (span.Path, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1)
            : ("", 0, 0);
        var severity = d.Severity == DiagnosticSeverity.Error ? "error" : "warning";
        return new Model.Diagnostic(severity, file, line, column, Cap(d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)), d.Id);
    }

    /// <summary>A message cut to <see cref="MaxDiagnosticBytes"/> UTF-8 bytes, saying how long it was.</summary>
    internal static string Cap(string message)
    {
        if (Encoding.UTF8.GetByteCount(message) <= MaxDiagnosticBytes)
        {
            return message;
        }

        var note = $" [... {message.Length} characters in all]";
        var budget = MaxDiagnosticBytes - note.Length;
        var keep = budget;
        for (var over = Encoding.UTF8.GetByteCount(message.AsSpan(0, keep)) - budget; over > 0; over = Encoding.UTF8.GetByteCount(message.AsSpan(0, keep)) - budget)
        {
            keep -= (over + 1) / 2;
        }

        if (char.IsHighSurrogate(message[keep - 1]))
        {
            keep--;
        }

        return message[..keep] + note;
    }

    private static List<Model.Diagnostic> Dedupe(List<Model.Diagnostic> all)
    {
        List<Model.Diagnostic> sorted = [.. all.Distinct().OrderBy(d => d.Severity == "error" ? 0 : 1).ThenBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Line).ThenBy(d => d.Column)];
        if (sorted.Count <= MaxDiagnostics)
        {
            return sorted;
        }

        var more = sorted.Count - (MaxDiagnostics - 1);
        return [.. sorted.Take(MaxDiagnostics - 1), new Model.Diagnostic("note", "", 0, 0, $"and {more} more diagnostics, not shown")];
    }

    private static ImmutableArray<MetadataReference> BuildReferences()
    {
        Interlocked.Increment(ref _referenceBuilds);
        // The framework the grader runs on: its CoreLib plus the facades drivers' code binds to. Nothing
        // else (no System.Console, System.Net.*, System.Diagnostics.Process): what is not referenced cannot
        // even be named, and the allowlist covers what CoreLib itself exposes.
        var frameworkDir = Path.GetDirectoryName(typeof(object).Assembly.Location)
            ?? throw new InvalidOperationException("cannot locate the .NET framework directory");
        string[] framework = ["System.Private.CoreLib.dll", "System.Runtime.dll", "System.Collections.dll"];
        var references = framework
            .Select(name => Path.Combine(frameworkDir, name))
            .Append(typeof(KernelApi.Kernel).Assembly.Location)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path));
        return [.. references];
    }
}
