using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Autograder.Check.Builtin;

/// <summary>
/// Advisory: builds a C driver for real against Debian's kernel headers with kbuild and sparse (C=1),
/// and shows their warnings (missing __user/__iomem, a declaration after a case label, ...). Costs
/// seconds per file, so rubrics turn it on explicitly; skipped with the install command without headers.
/// </summary>
internal sealed partial class KbuildCheck : ICheck
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    public string Id => "kbuild";

    public CheckVerdict Run(CheckContext ctx)
    {
        if (ctx.Submission.Language != "c")
        {
            throw new SkipCheckException("kbuild applies to C submissions only");
        }

        var headers = FindHeaders()
            ?? throw new SkipCheckException("Debian's kernel headers are not installed (apt-get install linux-headers-amd64 sparse)");
        var source = ctx.Submission.Sources.FirstOrDefault(s => s.Path.EndsWith(".c", StringComparison.Ordinal))
            ?? throw new SkipCheckException("no .c file to build");
        var sparse = File.Exists("/usr/bin/sparse");
        var dir = Directory.CreateTempSubdirectory("ag-kbuild-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "my-rng.c"), source.Text);
            File.WriteAllText(Path.Combine(dir.FullName, "Kbuild"), "obj-m += my-rng.o\n");
            var psi = new ProcessStartInfo("make") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in (string[])["-C", headers, $"M={dir.FullName}", sparse ? "C=1" : "C=0", "my-rng.o"])
            {
                psi.ArgumentList.Add(a);
            }

            using var make = Process.Start(psi)!;
            var stderr = make.StandardError.ReadToEndAsync();
            var stdout = make.StandardOutput.ReadToEndAsync();
            if (!make.WaitForExit(Limit))
            {
                make.Kill(entireProcessTree: true);
                throw new SkipCheckException($"the kernel build took longer than {Limit.TotalSeconds:0} s");
            }

            var output = stdout.Result + stderr.Result;
            var findings = Finding().Matches(output)
                .Select(m => $"{source.Path}:{m.Groups["line"].Value}:{m.Groups["col"].Value}: {m.Groups["kind"].Value}: {m.Groups["msg"].Value.Trim()}")
                .Distinct().ToList();
            var built = make.ExitCode == 0;
            ctx.Case("builds against the real kernel headers", built,
                built ? null : string.Join("\n", findings.Where(f => f.Contains(": error:", StringComparison.Ordinal)).DefaultIfEmpty(output.Trim().Split('\n').Last())));
            foreach (var warning in findings.Where(f => !f.Contains(": error:", StringComparison.Ordinal)))
            {
                ctx.Hint(warning);
            }

            if (!sparse)
            {
                ctx.Hint("sparse is not installed (apt-get install sparse), so __user/__iomem annotations were not checked.");
            }

            var verdict = ctx.Verdict();
            return built && findings.Count > 0 ? verdict with { Feedback = "Built, with these warnings (advisory):\n" + verdict.Feedback } : verdict;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string? FindHeaders() =>
        Directory.Exists("/usr/src")
            ? Directory.GetDirectories("/usr/src", "linux-headers-*-amd64").Where(d => File.Exists(Path.Combine(d, "Makefile"))).Order().LastOrDefault()
            : null;

    [GeneratedRegex(@"my-rng\.c:(?<line>\d+):(?<col>\d+): (?<kind>warning|error): (?<msg>[^\n]*)")]
    private static partial Regex Finding();
}
