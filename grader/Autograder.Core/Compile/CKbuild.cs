using System.Text.RegularExpressions;
using Autograder.Model;

namespace Autograder.Compile;

/// <summary>
/// The outcome of the optional real-kernel build (the advisory `kbuild` check). SkipReason is set
/// when it could not run (no kernel headers, no make) and says how to install them; Log is the
/// build's output with our temporary directory removed.
/// </summary>
internal sealed record KbuildResult(bool Success, IReadOnlyList<Diagnostic> Diagnostics, string? SkipReason, string Log);

/// <summary>
/// Builds a driver as an out-of-tree object with the real kernel's kbuild and, when installed,
/// sparse (C=2), against Debian's linux-headers-amd64 (found under /usr/src; the running kernel's
/// uname -r is not Debian's). What our model cannot tell — missing __user/__iomem, a declaration
/// after a label, the kernel's exact warnings — shows here. About a second per file: advisory and
/// off unless the rubric turns it on. Thread-safe: each call builds in its own directory.
/// </summary>
internal static partial class CKbuild
{
    public const string InstallHint = "apt-get install linux-headers-amd64 make sparse";

    // The fixed names the file has inside the box: no student name reaches make's command line or the Makefile.
    private const string BoxSource = "agdriver.c";
    private const string BoxObject = "agdriver.o";
    private const int MaxDiagnostics = 50;

    /// <summary>The newest /usr/src/linux-headers-*-amd64 directory with a kbuild Makefile, or null.</summary>
    public static string? FindHeaders(string sourceRoot = "/usr/src")
    {
        if (!Directory.Exists(sourceRoot))
        {
            return null;
        }

        return Directory.EnumerateDirectories(sourceRoot, "linux-headers-*-amd64")
            .Where(d => File.Exists(Path.Combine(d, "Makefile")))
            .OrderByDescending(d => d, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    /// <summary>
    /// Builds one file in the compile box (<see cref="CompileBox"/>): kbuild sees it as agdriver.c, a fixed name
    /// written into the Makefile, and the student's name comes back only in what we report. timeout is the
    /// wall-clock limit of the whole make (default <see cref="BoxLimits.Default"/>'s); limits are the box's
    /// (its rlimits apply to each process make starts).
    /// </summary>
    public static KbuildResult Check(string fileName, string text, TimeSpan? timeout = null, BoxLimits? limits = null)
    {
        var headers = FindHeaders();
        var make = NativeProcess.FindOnPath("make");
        if (headers is null || make is null || NativeProcess.FindOnPath("gcc") is null)
        {
            return new KbuildResult(false, [], $"the real kernel build needs the kernel headers, make and gcc: {InstallHint}", "");
        }

        if (CompileBox.Problem is { } problem)
        {
            return new KbuildResult(false, [], problem, "");
        }

        var name = Path.GetFileName(fileName);
        if (!name.EndsWith(".c", StringComparison.Ordinal))
        {
            name = "my-rng.c";
        }

        var guard = CCompiler.GuardSource(name, text).ToList();
        if (guard.Count > 0)
        {
            return new KbuildResult(false, guard, null, "");
        }

        var box = limits ?? BoxLimits.Default;
        box = timeout is { } wall ? box with { Wall = wall } : box;
        var dir = CompileBox.CreateBoxDir(Path.Combine(Path.GetTempPath(), "autograder-kbuild-" + Guid.NewGuid().ToString("N")));
        try
        {
            File.WriteAllText(Path.Combine(dir, BoxSource), text);
            File.WriteAllText(Path.Combine(dir, "Makefile"), $"obj-m += {BoxObject}\n");
            List<string> args = [make, "-C", headers, $"M={CompileBox.BoxDir}"];
            if (NativeProcess.FindOnPath("sparse") is not null)
            {
                args.Add("C=2");
            }

            args.Add(BoxObject);
            var run = CompileBox.Run(args, dir, box);
            var log = (run.Stdout + run.Stderr).Replace(CompileBox.BoxDir + "/", "", StringComparison.Ordinal);
            var diagnostics = Parse(log, BoxSource)
                .Select(d => d with { File = name, Message = CCompiler.Cap(d.Message, CCompiler.MaxMessageChars) })
                .Take(MaxDiagnostics)
                .ToList();
            log = log.Replace(BoxSource, name, StringComparison.Ordinal);
            if (CompileBox.LimitHit(run, box, "the kernel build") is { } limit)
            {
                return new KbuildResult(false, [.. diagnostics, new Diagnostic("error", name, 0, 0, $"the build was stopped: {limit}")], null, log);
            }

            return new KbuildResult(run.ExitCode == 0, diagnostics, null, log);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Compiles a driver's files (relative paths, already checked by <see cref="CCompiler"/>) against the real
    /// kernel headers, without sparse: the differential oracle of <see cref="KernelOracle"/>. Each .c file is
    /// reached through a generated agN.c that includes <paramref name="prelude"/> and then the file, so no
    /// name of the submission reaches the Makefile or a command line. Success is null when it could not run
    /// (SkipReason says why).
    /// </summary>
    public static (bool? Success, string Log, string? SkipReason) Compiles(IReadOnlyList<(string Relative, string Text)> files, string prelude, TimeSpan? timeout = null)
    {
        var headers = FindHeaders();
        var make = NativeProcess.FindOnPath("make");
        if (headers is null || make is null || NativeProcess.FindOnPath("gcc") is null)
        {
            return (null, "", $"the real kernel build needs the kernel headers, make and gcc: {InstallHint}");
        }

        // Boxed like every build of a submission: the real headers are the only difference from ours (an
        // .incbin of a host file must fail here exactly as it does against our headers).
        if (CompileBox.Problem is { } problem)
        {
            return (null, "", problem);
        }

        var box = timeout is { } wall ? BoxLimits.Default with { Wall = wall } : BoxLimits.Default;
        var dir = CompileBox.CreateBoxDir(Path.Combine(Path.GetTempPath(), "autograder-oracle-" + Guid.NewGuid().ToString("N")));
        try
        {
            File.WriteAllText(Path.Combine(dir, "ag-prelude.h"), prelude);
            var objects = new List<string>();
            foreach (var (relative, text) in files)
            {
                var full = Path.Combine(dir, "src", relative);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, text);
                if (relative.EndsWith(".c", StringComparison.Ordinal))
                {
                    var unit = $"ag{objects.Count}";
                    File.WriteAllText(Path.Combine(dir, unit + ".c"), $"#include \"ag-prelude.h\"\n#include \"src/{relative}\"\n");
                    objects.Add(unit + ".o");
                }
            }

            File.WriteAllText(Path.Combine(dir, "Makefile"), $"obj-m += {string.Join(' ', objects)}\n");
            var run = CompileBox.Run([make, "-C", headers, $"M={CompileBox.BoxDir}", .. objects], dir, box);
            var log = (run.Stdout + run.Stderr).Replace(CompileBox.BoxDir + "/", "", StringComparison.Ordinal);
            return CompileBox.LimitHit(run, box, "the kernel build") is { } limit ? (null, log, limit) : (run.ExitCode == 0, log, null);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // "my-rng.c:30:45: warning: incorrect type ..." followed by sparse's indented "my-rng.c:30:45:    expected ..." lines.
    internal static List<Diagnostic> Parse(string log, string name)
    {
        var result = new List<Diagnostic>();
        foreach (var line in log.Split('\n'))
        {
            var m = Located().Match(line);
            if (!m.Success || Path.GetFileName(m.Groups["file"].Value) != name)
            {
                continue;
            }

            var lineNo = int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture);
            var column = m.Groups["col"].Success ? int.Parse(m.Groups["col"].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
            var rest = m.Groups["rest"].Value;
            var severity = Severity().Match(rest);
            if (severity.Success)
            {
                var kind = severity.Groups[1].Value;
                result.Add(new Diagnostic(kind.Contains("error", StringComparison.Ordinal) ? "error" : "warning", name, lineNo, column, rest[severity.Length..].Trim()));
            }
            else if (result.Count > 0 && result[^1].Line == lineNo && rest.StartsWith("   ", StringComparison.Ordinal))
            {
                result[^1] = result[^1] with { Message = result[^1].Message + "; " + rest.Trim() };
            }
        }

        return result;
    }

    [GeneratedRegex(@"^(?<file>[^:\s]+\.c):(?<line>\d+):(?:(?<col>\d+):)?(?<rest>.*)$")]
    private static partial Regex Located();

    [GeneratedRegex(@"^\s*(fatal error|error|warning):")]
    private static partial Regex Severity();
}
