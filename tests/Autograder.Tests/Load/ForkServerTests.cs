using Autograder.Compile;
using Autograder.Exercise;
using Autograder.Load;
using Autograder.Tests.Native;

namespace Autograder.Tests.Load;

// The C fork server through the grader's own classes: real gcc builds, a real server, real children.
[TestFixture]
[NonParallelizable]
public sealed class ForkServerTests
{
    private const uint Rand = 0x80047101;

    // Every instance must start from the server's pristine state: the counter starts at 100 in init.
    private const string CounterDriver = """
        #include <linux/module.h>
        #include <linux/fs.h>

        static int calls;

        static long my_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
        {
        	(void)file; (void)cmd; (void)arg;
        	return ++calls;
        }

        static const struct file_operations fops = { .owner = THIS_MODULE, .unlocked_ioctl = my_ioctl };

        static int __init my_init(void)
        {
        	calls += 100;
        	return register_chrdev(250, "my_rng_driver", &fops);
        }

        static void __exit my_exit(void) { unregister_chrdev(250, "my_rng_driver"); }

        module_init(my_init);
        module_exit(my_exit);
        MODULE_LICENSE("GPL");
        """;

    private static HostLauncher Launcher => new(AppContext.BaseDirectory, null, new HostLimits());

    private static CheckBudget Budget(double cpuSeconds = 5) => new(TimeSpan.FromSeconds(cpuSeconds), TimeSpan.FromSeconds(20));

    private static CDriver Counter() => Built("fork-counter", CounterDriver);

    private static CDriver Built(string name, string source)
    {
        NativeTestSupport.RequireGcc();
        var build = NativeTestSupport.Compiler.Compile(name, [("my-rng.c", source)]);
        Assert.That(build.Success, Is.True, () => string.Join("; ", build.Diagnostics.Select(d => d.Message)));
        return build.Driver!;
    }

    private static int ParentOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Test]
    public void Every_instance_is_a_fresh_child_of_one_server_with_pristine_driver_state()
    {
        using var host = new CDriverHost(Counter(), Launcher);
        var pids = new List<int>();
        int? server = null;
        for (var i = 0; i < 3; i++)
        {
            using var instance = host.Start(new SimKernel(new KernelOptions()), Budget(), out var begin);
            Assert.That(begin.Returned, Is.True, begin.ToString());
            pids.Add(instance.Host.Pid);
            var parent = ParentOf(instance.Host.Pid);
            server ??= parent;
            Assert.That(parent, Is.EqualTo(server), "the same server forks every instance");
            Assert.That(instance.Init().Value, Is.Zero);
            Assert.That(instance.Ioctl(Rand, 0).Value, Is.EqualTo(101));
            Assert.That(instance.Ioctl(Rand, 0).Value, Is.EqualTo(102));
            Assert.That(instance.Exit().Returned, Is.True);
        }

        Assert.That(pids.Distinct().Count(), Is.EqualTo(3));
        Assert.That(pids, Does.Not.Contain(server));
    }

    [TestCase("hostile/c/fork-bomb", "SIGSYS")]
    [TestCase("hostile/c/file-write", "SIGSYS")]
    [TestCase("hostile/c/segfault", null)]
    [TestCase("hostile/c/abort", null)]
    [TestCase("hostile/c/stack-overflow", "stack overflow")]
    public void A_crash_costs_only_its_instance_and_the_server_serves_the_next(string example, string? expected)
    {
        var build = NativeTestSupport.BuildExample(example);
        using var host = new CDriverHost(build.Driver!, Launcher);
        int? server = null;
        for (var i = 0; i < 2; i++)
        {
            using var instance = host.Start(new SimKernel(new KernelOptions()), Budget(), out var begin);
            Assert.That(begin.Returned, Is.True, begin.ToString());
            server ??= ParentOf(instance.Host.Pid);
            Assert.That(ParentOf(instance.Host.Pid), Is.EqualTo(server));
            var calls = new[] { instance.Init(), instance.Ioctl(Rand, Autograder.Protocol.Layout.UserWindowBase), instance.Exit() };
            var bad = calls.FirstOrDefault(c => !c.Returned);
            Assert.That(bad, Is.Not.Null, "the hostile driver misbehaves somewhere");
            Assert.That(bad!.Status, Is.AnyOf(CallStatus.Crashed, CallStatus.Oops), bad.ToString());
            if (expected is not null)
            {
                Assert.That(bad.Message, Does.Contain(expected));
            }
        }
    }

    [Test]
    public void A_timeout_kills_the_child_only()
    {
        var build = NativeTestSupport.BuildExample("hostile/c/infinite-loop-init");
        using var host = new CDriverHost(build.Driver!, Launcher);
        int? server = null;
        for (var i = 0; i < 2; i++)
        {
            using var instance = host.Start(new SimKernel(new KernelOptions()), Budget(0.3), out var begin);
            Assert.That(begin.Returned, Is.True, begin.ToString());
            server ??= ParentOf(instance.Host.Pid);
            Assert.That(ParentOf(instance.Host.Pid), Is.EqualTo(server), "the server survived the kill");
            var init = instance.Init();
            Assert.That(init.Status, Is.EqualTo(CallStatus.TimedOut), init.ToString());
            Assert.That(init.Message, Does.Contain("CPU time"));
        }
    }

    [Test]
    public void Two_instances_at_once_run_in_two_servers_and_both_are_reused()
    {
        using var host = new CDriverHost(Counter(), Launcher);
        var servers = new HashSet<int>();
        for (var round = 0; round < 2; round++)
        {
            using var a = host.Start(new SimKernel(new KernelOptions()), Budget(), out var beginA);
            using var b = host.Start(new SimKernel(new KernelOptions()), Budget(), out var beginB);
            Assert.That(beginA.Returned && beginB.Returned, Is.True, $"{beginA} / {beginB}");
            Assert.That(a.Init().Value, Is.Zero);
            Assert.That(b.Init().Value, Is.Zero);
            Assert.That(a.Ioctl(Rand, 0).Value, Is.EqualTo(101));
            Assert.That(b.Ioctl(Rand, 0).Value, Is.EqualTo(101));
            Assert.That(a.Ioctl(Rand, 0).Value, Is.EqualTo(102));
            servers.Add(ParentOf(a.Host.Pid));
            servers.Add(ParentOf(b.Host.Pid));
        }

        Assert.That(servers, Has.Count.EqualTo(2));
    }

    [Test]
    public void A_child_forging_a_server_frame_only_crashes_itself()
    {
        // The child writes a ChildEnded frame on its channel with a raw system call: the server's channel
        // is not its own, so the grader sees a malformed frame from the child, and the server serves on.
        const string Forger = """
            #include <linux/module.h>
            static int __init go(void)
            {
                static const unsigned char frame[] = { 14, 0, 0, 0, 0x22, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
                long ret;
                asm volatile("syscall" : "=a"(ret) : "a"(1L), "D"(4L), "S"(frame), "d"(sizeof frame) : "rcx", "r11", "memory");
                return 0;
            }
            module_init(go);
            """;
        using var host = new CDriverHost(Built("forger", Forger), Launcher);
        int server;
        using (var instance = host.Start(new SimKernel(new KernelOptions()), Budget(), out var begin))
        {
            Assert.That(begin.Returned, Is.True, begin.ToString());
            server = ParentOf(instance.Host.Pid);
            Assert.That(instance.Init().Status, Is.EqualTo(CallStatus.HostFailed), "the submission's doing");
        }

        using var next = host.Start(new SimKernel(new KernelOptions()), Budget(), out var again);
        Assert.That(again.Returned, Is.True, again.ToString());
        Assert.That(ParentOf(next.Host.Pid), Is.EqualTo(server), "the server was not disturbed");
    }

    // Issue 14, class 5: the driver writes a Result frame with the host-error status on its own channel.
    [Test]
    public void A_forged_host_error_is_the_submissions_not_the_graders()
    {
        const string Forger = """
            #include <linux/module.h>
            static int __init go(void)
            {
                /* Result: u8 HostError, i64 0, string "x" */
                static const unsigned char frame[] = { 15, 0, 0, 0, 0x20, 3, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 'x' };
                long ret;
                asm volatile("syscall" : "=a"(ret) : "a"(1L), "D"(4L), "S"(frame), "d"(sizeof frame) : "rcx", "r11", "memory");
                asm volatile("syscall" : "=a"(ret) : "a"(231L), "D"(0L) : "rcx", "r11", "memory");
                return 0;
            }
            module_init(go);
            """;
        using var host = new CDriverHost(Built("forged-result", Forger), Launcher);
        using var instance = host.Start(new SimKernel(new KernelOptions()), Budget(), out var begin);
        Assert.That(begin.Returned, Is.True, begin.ToString());

        var init = instance.Init();

        Assert.That(init.Status, Is.EqualTo(CallStatus.HostFailed), init.ToString());
        Assert.That(init.Message, Does.Contain("HostError").And.Contain("submission"));
    }

    // A server fails to start before any driver code runs: ours, except when the loader refuses the object.
    [Test]
    public void An_object_the_loader_refuses_is_the_submissions_not_the_graders()
    {
        using var host = new CDriverHost(Built("too-big", "#include <linux/module.h>\nstatic char big[300 << 20] __attribute__((used));\nstatic int __init go(void) { return big[1]; }\nmodule_init(go);\n"), Launcher);

        using var instance = host.Start(new SimKernel(new KernelOptions()), Budget(), out var begin);

        Assert.That(begin.Status, Is.EqualTo(CallStatus.HostFailed), begin.ToString());
        Assert.That(begin.Message, Does.StartWith("the driver's object could not be loaded: the driver is too large to load"));
        Assert.That(instance.Init().Status, Is.EqualTo(CallStatus.HostFailed));
    }

    [Test]
    public void A_dead_server_is_replaced_at_the_next_instance()
    {
        using var host = new CDriverHost(Counter(), Launcher);
        int first;
        using (var instance = host.Start(new SimKernel(new KernelOptions()), Budget(), out var begin))
        {
            Assert.That(begin.Returned, Is.True, begin.ToString());
            first = ParentOf(instance.Host.Pid);
            Assert.That(instance.Init().Value, Is.Zero);
            System.Diagnostics.Process.GetProcessById(first).Kill();
            // The child talks to us directly; it dies with its server (PR_SET_PDEATHSIG), a moment later.
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (File.Exists($"/proc/{instance.Host.Pid}/stat") && !File.ReadAllText($"/proc/{instance.Host.Pid}/stat").Contains(") Z", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(5);
            }

            var after = instance.Ioctl(Rand, 0);
            Assert.That(after.Status, Is.EqualTo(CallStatus.Crashed), after.ToString());
        }

        using var next = host.Start(new SimKernel(new KernelOptions()), Budget(), out var again);
        Assert.That(again.Returned, Is.True, again.ToString());
        Assert.That(ParentOf(next.Host.Pid), Is.Not.EqualTo(first));
        Assert.That(next.Init().Value, Is.Zero);
        Assert.That(next.Ioctl(Rand, 0).Value, Is.EqualTo(101));
    }
}
