using Autograder.Compile;
using Autograder.Exercise;
using Autograder.Load;

namespace Autograder.Tests.Load;

/// <summary>A driver the worker cannot instantiate (the compile-time rules off, or a case they miss) is the
/// submission's: every command after Begin answers Missing with the worker's reason, none a grader fault.</summary>
public class UnloadableDriverTests
{
    [TestCase("static class D { static int my_init() => 0; }", "no [module_init]")]
    [TestCase("using static Autograder.KernelApi.Kernel;\nstatic class D { [module_init] static long I() => 0; }", "static int I()")]
    [TestCase("using static Autograder.KernelApi.Kernel;\nstatic class D { [module_init] static int I() => 0; [module_exit] static int E() => 0; }", "static void E()")]
    public void Every_command_after_a_failed_load_is_the_submissions(string source, string reason)
    {
        var build = new CSharpCompiler(enforceAllowlist: false).Compile([("D.cs", source)]);
        Assert.That(build.Success, Is.True, () => string.Join("\n", build.Diagnostics));
        using var launcher = new HostLauncher(AppContext.BaseDirectory, null, new HostLimits());
        using var host = new CSharpDriverHost(build.Assembly!, launcher);
        using var instance = host.Start(new SimKernel(new KernelOptions()), new CheckBudget(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)), out var begin);
        Assert.That(begin.Status, Is.EqualTo(CallStatus.Missing), begin.ToString());
        Assert.That(begin.Message, Does.Contain(reason));
        foreach (var call in new[] { instance.Init(), instance.Ioctl(0x80047101, 0x1000), instance.Exit() })
        {
            Assert.That(call.Status, Is.EqualTo(CallStatus.Missing), call.ToString());
        }

        Assert.That(instance.Init().Message, Does.Contain(reason));
    }
}
