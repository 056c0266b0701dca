using Autograder.Compile;
using Autograder.Tests.Native;

namespace Autograder.Tests.Compile;

[TestFixture]
public sealed class CKbuildTests
{
    [Test]
    public void Sparse_output_is_parsed_with_its_continuation_lines()
    {
        const string Log = "  CC [M]  my-rng.c\n"
            + "my-rng.c:30:45: warning: incorrect type in argument 2 (different address spaces)\n"
            + "my-rng.c:30:45:    expected void const [noderef] __user *from\n"
            + "my-rng.c:30:45:    got unsigned int *\n"
            + "my-rng.c:12:1: error: expected ';' before 'if'\n"
            + "other.c:1:1: warning: not ours\n";

        var diagnostics = CKbuild.Parse(Log, "my-rng.c");

        Assert.That(diagnostics, Has.Count.EqualTo(2));
        Assert.That(diagnostics[0], Is.EqualTo(new Autograder.Model.Diagnostic("warning", "my-rng.c", 30, 45,
            "incorrect type in argument 2 (different address spaces); expected void const [noderef] __user *from; got unsigned int *")));
        Assert.That((diagnostics[1].Severity, diagnostics[1].Line), Is.EqualTo(("error", 12)));
    }

    [Test]
    public void Missing_headers_skip_with_the_install_command()
    {
        Assert.That(CKbuild.FindHeaders(Path.Combine(Path.GetTempPath(), "no-such-src-" + Guid.NewGuid().ToString("N"))), Is.Null);
    }

    [Test]
    [Category("Slow")]
    public void Real_kernel_build_reports_missing_address_space_annotations()
    {
        if (CKbuild.FindHeaders() is null || NativeProcess.FindOnPath("sparse") is null)
        {
            Assert.Ignore($"needs the kernel headers and sparse: {CKbuild.InstallHint}");
        }

        var text = NativeTestSupport.Example("c/reference").Text
            .Replace("void __iomem *devmem", "void *devmem", StringComparison.Ordinal)
            .Replace("(unsigned int __user *)arg", "(unsigned int *)arg", StringComparison.Ordinal);

        var result = CKbuild.Check("my-rng.c", text);

        Assert.That(result.SkipReason, Is.Null, result.Log);
        Assert.That(result.Success, Is.True, result.Log);
        Assert.That(result.Diagnostics.Select(d => d.Message), Has.Some.Contains("different address spaces"));
        Assert.That(result.Diagnostics.Select(d => d.Message), Has.Some.Contains("__user"));
    }
}
