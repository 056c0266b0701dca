using Autograder.Compile;

namespace Autograder.Check.Builtin;

/// <summary>
/// Advisory: builds a C driver for real against Debian's kernel headers with kbuild and sparse, and
/// shows their warnings (missing __user/__iomem, a declaration after a case label, ...). Costs seconds
/// per file, so rubrics turn it on explicitly; skipped with the install command where headers are absent.
/// </summary>
internal sealed class KbuildCheck : ICheck
{
    public string Id => "kbuild";

    public CheckVerdict Run(CheckContext ctx)
    {
        if (ctx.Submission.Language != "c")
        {
            throw new SkipCheckException("kbuild applies to C submissions only");
        }

        var source = ctx.Submission.Sources.FirstOrDefault(s => s.Path.EndsWith(".c", StringComparison.Ordinal))
            ?? throw new SkipCheckException("there is no .c file to build");
        var result = CKbuild.Check(source.Path, source.Text);
        if (result.SkipReason is not null)
        {
            throw new SkipCheckException(result.SkipReason);
        }

        string Format(Model.Diagnostic d) => $"{source.Path}:{d.Line}:{d.Column}: {d.Severity}: {d.Message}";
        var errors = result.Diagnostics.Where(d => d.Severity == "error").Select(Format).ToList();
        ctx.Case("builds against the real kernel headers", result.Success,
            errors.Count > 0 ? string.Join("\n", errors) : result.Log.Trim().Split('\n').LastOrDefault());
        foreach (var warning in result.Diagnostics.Where(d => d.Severity != "error"))
        {
            ctx.Hint(Format(warning));
        }

        return ctx.Verdict();
    }
}
