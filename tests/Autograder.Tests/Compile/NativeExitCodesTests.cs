using Autograder.Compile;

namespace Autograder.Tests.Compile;

[TestFixture]
public sealed class NativeExitCodesTests
{
    [Test]
    public void Wire_header_and_csharp_agree_on_the_exit_codes()
    {
        var header = File.ReadAllText(Path.Combine(Native.NativeTestSupport.RepoRoot, "grader", "native", "host", "wire.h"));

        Assert.That(header, Does.Contain($"#define AG_EXIT_OK {NativeExitCodes.Ok} "));
        Assert.That(header, Does.Contain($"#define AG_EXIT_OOPS {NativeExitCodes.Oops} "));
        Assert.That(header, Does.Contain($"#define AG_EXIT_PROTOCOL {NativeExitCodes.Protocol} "));
        Assert.That(header, Does.Contain($"#define AG_EXIT_SETUP {NativeExitCodes.Setup} "));
        Assert.That(header, Does.Contain($"#define AG_EXIT_PARENT_GONE {NativeExitCodes.ParentGone} "));
        Assert.That(header, Does.Contain($"#define AG_EXIT_LOAD {NativeExitCodes.LoadRefused} "));
    }

    [TestCase(159, true, "forbidden system call")]
    [TestCase(152, true, "CPU time limit")]
    [TestCase(88, false, "sandbox")]
    [TestCase(130, true, "signal 2")]
    public void Deaths_are_described_and_attributed(int code, bool submission, string reason)
    {
        var (text, fault) = NativeExitCodes.Describe(code);

        Assert.That(text, Does.Contain(reason));
        Assert.That(fault, Is.EqualTo(submission));
    }
}
