using Autograder.Compile;
using Autograder.Exercise;
using Autograder.Load;

namespace Autograder.Tests.Load;

/// <summary>Instances share one worker and their load contexts are never freed: memory they keep must not
/// starve a later instance (the worker asks to be replaced past half its heap).</summary>
public class CSharpDriverHostTests
{
    // 80 MB of statics per instance: the fourth would not fit a 256 MB worker heap.
    private const string Hog = """
        using static Autograder.KernelApi.Kernel;
        static class Hog
        {
            static byte[]? kept;

            [module_init]
            static int Init()
            {
                kept = new byte[80 << 20];
                kept[kept.Length - 1] = 1;
                return 0;
            }
        }
        """;

    [Test]
    public void A_driver_keeping_memory_in_statics_gets_a_fresh_worker_before_the_heap_runs_out()
    {
        var build = new CSharpCompiler().Compile([("Hog.cs", Hog)]);
        Assert.That(build.Success, Is.True, () => string.Join("\n", build.Diagnostics));
        using var launcher = new HostLauncher(AppContext.BaseDirectory, null, new HostLimits());
        using var host = new CSharpDriverHost(build.Assembly!, launcher);
        var workers = new HashSet<int>();
        for (var i = 0; i < 8; i++)
        {
            using var instance = host.Start(new SimKernel(new KernelOptions()), new CheckBudget(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)), out var begin);
            Assert.That(begin.Returned, Is.True, begin.ToString());
            var init = instance.Init();
            Assert.That((init.Status, init.Value), Is.EqualTo((CallStatus.Returned, 0L)), $"instance {i}: {init}");
            workers.Add(instance.Host.Pid);
        }

        Assert.That(workers, Has.Count.GreaterThan(1), "the full worker was replaced");
    }
}
