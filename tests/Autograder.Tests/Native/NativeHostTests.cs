using Autograder.Protocol;

namespace Autograder.Tests.Native;

// End-to-end: real gcc builds of the examples, real host processes, a fake grader on the pipes.
[TestFixture]
[NonParallelizable]
public sealed class NativeHostTests
{
    private const uint Rand = 0x80047101;
    private const uint Seed = 0x40047101;
    private static readonly ulong UserAddress = Layout.UserWindowBase + 0x100;

    private static bool IsRoot => Environment.IsPrivilegedProcess;

    [Test]
    public void Calls_that_cannot_fail_are_posted_and_the_rest_still_ask()
    {
        const string source = """
            #include <linux/module.h>
            #include <linux/fs.h>
            #include <linux/io.h>
            #include <linux/uaccess.h>
            static void __iomem *m;
            static long ctl(struct file *f, unsigned int cmd, unsigned long arg)
            {
                u32 v = 7;
                switch (cmd) {
                case 1: iowrite32(1, m + 4); return 0;
                case 2: iowrite32(1, m + 4096); return 0;
                case 3: return copy_to_user((void __user *)arg, &v, 4);
                case 4: iounmap(m); iowrite32(1, m + 4); return 0;
                case 5: for (int i = 0; i < 300; i++) iowrite32(i, m + 4); return 0;
                }
                return -ENOTTY;
            }
            static const struct file_operations fops = { .unlocked_ioctl = ctl };
            static int __init go(void) { m = ioremap(0xfebf1000, 4096); return register_chrdev(250, "x", &fops); }
            module_init(go);
            MODULE_LICENSE("GPL");
            """;
        var build = NativeTestSupport.BuildSource("posting", source);
        using var grader = new FakeGrader(build.Driver!, sandbox: false);
        grader.ReadReady();
        Assert.That(grader.Init().Status, Is.EqualTo(ResultStatus.Ok));
        var page = Layout.UserWindowBase + 0x1000;
        grader.UserRuns.Add((page, 0x1000));

        // Inside the mapping ioremap returned: posted. Past its end: asked (the grader decides what that is).
        grader.Ioctl(250, 1, 0);
        grader.Ioctl(250, 2, 0);
        Assert.That(grader.Posted, Is.EqualTo(1));
        Assert.That(grader.Calls.Where(c => c.Type == Msg.MmioWrite).Select(c => c.Address), Is.EqualTo(new[] { Layout.IoWindowBase + 4, Layout.IoWindowBase + 4096 }));

        // copy_to_user wholly inside a writable run: posted; across its end or outside: asked.
        grader.Ioctl(250, 3, page + 0xffc);
        grader.Ioctl(250, 3, page + 0xffd);
        grader.Ioctl(250, 3, Layout.UserWindowBase);
        Assert.That(grader.Posted, Is.EqualTo(2));
        Assert.That(grader.Calls.Count(c => c.Type == Msg.CopyToUser), Is.EqualTo(3));

        // A command posts a bounded number of calls (the grader refuses more); the rest ask.
        grader.Ioctl(250, 5, 0);
        Assert.That(grader.Posted, Is.EqualTo(2 + Layout.MaxPostedPerCommand));
        Assert.That(grader.Calls.Count(c => c.Type == Msg.MmioWrite), Is.EqualTo(2 + 300));

        // After iounmap a write through the old address asks again.
        grader.Ioctl(250, 4, 0);
        Assert.That(grader.Posted, Is.EqualTo(2 + Layout.MaxPostedPerCommand));
    }

    [Test]
    public void Reference_driver_runs_init_rand_seed_exit_through_the_grader()
    {
        var build = NativeTestSupport.BuildExample("c/reference");
        using var grader = new FakeGrader(build.Driver!, sandbox: false);

        Assert.That(grader.ReadReady(), Is.EqualTo(((uint)Autograder.Protocol.Layout.ProtocolVersion, "c")));
        Assert.That(grader.Begin().Status, Is.EqualTo(ResultStatus.Ok));
        var init = grader.Init();
        Assert.That((init.Status, init.Value), Is.EqualTo((ResultStatus.Ok, 0L)));
        Assert.That(grader.Calls[0], Is.EqualTo(new KernelCall(Msg.Ioremap, 0xfebf1000, 4096, 0, Api.Ioremap)));
        Assert.That(grader.Calls[1], Is.EqualTo(new KernelCall(Msg.RegisterChrdev, 250, 1, Text: "my_rng_driver")));
        Assert.That(grader.Calls[2].Text, Is.EqualTo("my_rng_driver loaded, registered ioctls 0x80047101 (get a random number) and 0x40047101 (seed the generator) \n"));

        grader.Calls.Clear();
        var rand = grader.Ioctl(250, Rand, UserAddress);
        Assert.That((rand.Status, rand.Value), Is.EqualTo((ResultStatus.Ok, 0L)));
        Assert.That(grader.Calls, Has.Count.EqualTo(2));
        Assert.That(grader.Calls[0], Is.EqualTo(new KernelCall(Msg.MmioRead, Layout.IoWindowBase, 0, 4, Api.Ioread32)));
        Assert.That(grader.Calls[1].Type, Is.EqualTo(Msg.CopyToUser));
        Assert.That(grader.Calls[1].Address, Is.EqualTo(UserAddress));
        Assert.That(grader.Calls[1].Api, Is.EqualTo(Api.CopyToUser));
        Assert.That(grader.Calls[1].Bytes, Is.EqualTo(BitConverter.GetBytes(FakeGrader.DeviceValue)));

        grader.Calls.Clear();
        var seed = grader.Ioctl(250, Seed, UserAddress);
        Assert.That((seed.Status, seed.Value), Is.EqualTo((ResultStatus.Ok, 0L)));
        Assert.That(grader.Calls[0], Is.EqualTo(new KernelCall(Msg.CopyFromUser, UserAddress, 0, 4, Api.CopyFromUser)));
        Assert.That(grader.Calls[1], Is.EqualTo(new KernelCall(Msg.MmioWrite, Layout.IoWindowBase + 4, 42, 4, Api.Iowrite32)));

        Assert.That(grader.Ioctl(250, 0xdeadbeef, UserAddress).Value, Is.EqualTo(-25));
        Assert.That(grader.Ioctl(251, Rand, UserAddress).Status, Is.EqualTo(ResultStatus.Missing));

        grader.Calls.Clear();
        Assert.That(grader.Exit().Status, Is.EqualTo(ResultStatus.Ok));
        Assert.That(grader.Calls.Select(c => c.Type), Is.EqualTo(new[] { Msg.UnregisterChrdev, Msg.Iounmap, Msg.Printk }));
        Assert.That(grader.End().Status, Is.EqualTo(ResultStatus.Ok));
        Assert.That(grader.WaitForExit(), Is.Zero);
    }

    /// <summary>Init, one RAND and exit of an example in the sandboxed host; returns what it printed on stderr.</summary>
    internal static string RunOnceInSandbox(string example)
    {
        var build = NativeTestSupport.BuildExample(example);
        using var grader = new FakeGrader(build.Driver!, sandbox: true);

        grader.ReadReady();
        Assert.That(grader.Init().Value, Is.Zero);
        Assert.That(grader.Ioctl(250, Rand, UserAddress).Value, Is.Zero);
        Assert.That(grader.Exit().Status, Is.EqualTo(ResultStatus.Ok));
        grader.End();
        Assert.That(grader.WaitForExit(), Is.Zero, () => grader.Stderr.Result);
        return grader.Stderr.Result;
    }

    [Test]
    public void Reference_driver_runs_inside_the_sandbox()
    {
        var stderr = RunOnceInSandbox("c/reference");
        if (IsRoot)
        {
            Assert.That(stderr, Does.Not.Contain("cannot drop"));
        }
    }

    [Test]
    public void Register_failure_path_unmaps_and_returns_ebusy()
    {
        var build = NativeTestSupport.BuildExample("c/reference");
        using var grader = new FakeGrader(build.Driver!, sandbox: false) { RegisterResult = -16 };

        grader.ReadReady();
        Assert.That(grader.Init().Value, Is.EqualTo(-16));
        Assert.That(grader.Calls.Select(c => c.Type), Is.EqualTo(new[] { Msg.Ioremap, Msg.RegisterChrdev, Msg.Printk, Msg.Iounmap }));
        Assert.That(grader.Ioctl(250, Rand, UserAddress).Status, Is.EqualTo(ResultStatus.Missing), "a failed registration keeps no fops");
    }

    [Test]
    public void Direct_user_dereference_is_reported_as_a_user_deref_oops()
    {
        var build = NativeTestSupport.BuildExample("c/direct-user-deref");
        using var grader = new FakeGrader(build.Driver!, sandbox: true);

        grader.ReadReady();
        grader.Init();
        var outcome = grader.Ioctl(250, Rand, UserAddress);
        Assert.That(outcome.Oops, Is.EqualTo(OopsKind.UserDeref));
        Assert.That(outcome.OopsAddress, Is.EqualTo(UserAddress));
        Assert.That(outcome.OopsMessage, Is.EqualTo($"kernel accessed user memory without copy_*_user at 0x{UserAddress:x}"));
        Assert.That(grader.WaitForExit(), Is.EqualTo(86));
    }

    [Test]
    public void Direct_io_dereference_is_reported_as_an_io_deref_oops()
    {
        var build = NativeTestSupport.BuildExample("c/direct-io-deref");
        using var grader = new FakeGrader(build.Driver!, sandbox: true);

        grader.ReadReady();
        grader.Init();
        var outcome = grader.Ioctl(250, Rand, UserAddress);
        Assert.That(outcome.Oops, Is.EqualTo(OopsKind.IoDeref));
        Assert.That(outcome.OopsMessage, Does.Contain("use ioread32()/readl()"));
        Assert.That(grader.WaitForExit(), Is.EqualTo(86));
    }

    [Test]
    public void Null_dereference_and_bug_on_are_oopses_of_their_kind()
    {
        var segfault = NativeTestSupport.BuildExample("hostile/c/segfault");
        using (var grader = new FakeGrader(segfault.Driver!, sandbox: true))
        {
            grader.ReadReady();
            grader.Init();
            var outcome = grader.Ioctl(250, Rand, UserAddress);
            Assert.That((outcome.Oops, outcome.OopsMessage), Is.EqualTo(((OopsKind?)OopsKind.Fault, "NULL pointer dereference at 0x10")));
        }

        var abort = NativeTestSupport.BuildExample("hostile/c/abort");
        using (var grader = new FakeGrader(abort.Driver!, sandbox: true))
        {
            grader.ReadReady();
            grader.Init();
            var outcome = grader.Ioctl(250, Rand, UserAddress);
            Assert.That(outcome.Oops, Is.EqualTo(OopsKind.Bug));
            Assert.That(outcome.OopsMessage, Does.Match(@"^kernel BUG at my-rng\.c:\d+!$"));
        }
    }

    [Test]
    public void Stack_overflow_is_an_oops_not_a_silent_death()
    {
        var build = NativeTestSupport.BuildExample("hostile/c/stack-overflow");
        using var grader = new FakeGrader(build.Driver!, sandbox: true);

        grader.ReadReady();
        grader.Init();
        var outcome = grader.Ioctl(250, Rand, UserAddress);
        Assert.That(outcome.Oops, Is.EqualTo(OopsKind.Fault));
        Assert.That(outcome.OopsMessage, Does.StartWith("kernel stack overflow"));
    }

    [TestCase("hostile/c/fork-bomb")]
    [TestCase("hostile/c/file-write")]
    public void Forbidden_system_calls_are_killed_by_seccomp(string example)
    {
        var build = NativeTestSupport.BuildExample(example);
        using var grader = new FakeGrader(build.Driver!, sandbox: true);

        grader.ReadReady();
        var outcome = grader.Init();
        Assert.That(outcome.Eof, Is.True);
        Assert.That(grader.WaitForExit(), Is.EqualTo(128 + 31), "SIGSYS");
        Assert.That(File.Exists("/tmp/pwned"), Is.False);
    }

    [Test]
    public void Endless_loop_is_stopped_by_the_cpu_limit()
    {
        var build = NativeTestSupport.BuildExample("hostile/c/infinite-loop-init");
        using var grader = new FakeGrader(build.Driver!, sandbox: true, cpuSeconds: 1);

        grader.ReadReady();
        Assert.That(grader.Init().Eof, Is.True);
        Assert.That(grader.WaitForExit(), Is.EqualTo(128 + 24).Or.EqualTo(128 + 9), "SIGXCPU or SIGKILL");
    }

    [Test]
    public void Pci_driver_is_probed_at_registration_and_removed_at_unregistration()
    {
        var build = NativeTestSupport.BuildExample("c/pci-driver");
        using var grader = new FakeGrader(build.Driver!, sandbox: true);

        grader.ReadReady();
        Assert.That(grader.Init().Value, Is.Zero);
        // The bus fills pdev->resource[] from the six standard BARs before probe, as Linux's enumeration does.
        Assert.That(grader.Calls.Select(c => c.Type), Is.EqualTo(new[]
        {
            Msg.PciRegisterDriver, Msg.PciResource, Msg.PciResource, Msg.PciResource, Msg.PciResource, Msg.PciResource, Msg.PciResource,
            Msg.Note, Msg.PciResource, Msg.Ioremap, Msg.RegisterChrdev, Msg.Printk,
        }));
        Assert.That(grader.Calls[9], Is.EqualTo(new KernelCall(Msg.Ioremap, 0xfebf1000, 4096, 0, Api.PciIomap)));
        Assert.That(grader.Calls[11].Text, Does.Contain("my_rng_driver loaded, registered ioctls 0x80047101"));
        Assert.That(grader.Ioctl(250, Rand, UserAddress).Value, Is.Zero);

        grader.Calls.Clear();
        grader.Exit();
        Assert.That(grader.Calls.Select(c => c.Type), Is.EqualTo(new[]
        {
            Msg.Note, Msg.UnregisterChrdev, Msg.Iounmap, Msg.PciUnregisterDriver,
        }));
        Assert.That(grader.Calls[2].Api, Is.EqualTo(Api.PciIounmap));
    }

    [Test]
    public void Pci_get_device_driver_maps_the_bar_it_was_given()
    {
        var build = NativeTestSupport.BuildExample("c/pci-get-device");
        using var grader = new FakeGrader(build.Driver!, sandbox: true);

        grader.ReadReady();
        Assert.That(grader.Init().Value, Is.Zero);
        Assert.That(grader.Calls[0], Is.EqualTo(new KernelCall(Msg.PciGetDevice, 0x1234, 0xcafe)));
        Assert.That(grader.Calls.Single(c => c.Type == Msg.Ioremap).Address, Is.EqualTo(0xfebf1000UL));
    }

    [Test]
    public void Put_user_and_get_user_copy_exactly_the_pointee_size()
    {
        var build = NativeTestSupport.BuildExample("c/alt-correct");
        using var grader = new FakeGrader(build.Driver!, sandbox: true);

        grader.ReadReady();
        grader.Init();
        Assert.That(grader.Calls[0], Is.EqualTo(new KernelCall(Msg.Ioremap, 0xfebf1000, 8, 0, Api.Ioremap)));
        Assert.That(grader.Calls.Single(c => c.Type == Msg.Printk).Text, Does.StartWith("\u00016my_rng: my_rng_driver loaded"));
        grader.Calls.Clear();
        grader.Ioctl(250, Rand, UserAddress);
        Assert.That(grader.Calls[0].Api, Is.EqualTo(Api.Readl));
        Assert.That((grader.Calls[1].Api, grader.Calls[1].Size), Is.EqualTo((Api.PutUser, 4)));
        grader.Calls.Clear();
        grader.Ioctl(250, Seed, UserAddress);
        Assert.That((grader.Calls[0].Api, grader.Calls[0].Size), Is.EqualTo((Api.GetUser, 4)));
        Assert.That(grader.Calls[1], Is.EqualTo(new KernelCall(Msg.MmioWrite, Layout.IoWindowBase + 4, 42, 4, Api.Writel)));
    }

    [Test]
    public void Copy_8_bytes_sends_eight_bytes_to_the_user()
    {
        var build = NativeTestSupport.BuildExample("c/copy-8-bytes");
        using var grader = new FakeGrader(build.Driver!, sandbox: true);

        grader.ReadReady();
        grader.Init();
        grader.Calls.Clear();
        grader.Ioctl(250, Rand, UserAddress);
        Assert.That(grader.Calls.Single(c => c.Type == Msg.CopyToUser).Size, Is.EqualTo(8));
    }

    [Test]
    public void Host_exits_cleanly_when_the_grader_closes_the_channel()
    {
        var build = NativeTestSupport.BuildExample("c/reference");
        using var grader = new FakeGrader(build.Driver!, sandbox: true);

        grader.ReadReady();
        grader.Init();
        grader.CloseChannel();
        Assert.That(grader.WaitForExit(), Is.Zero);
    }

    [Test]
    public void Sandboxed_host_runs_as_nobody_with_seccomp_and_its_own_namespaces()
    {
        if (!IsRoot)
        {
            Assert.Ignore("the uid drop and namespaces need root");
        }

        var build = NativeTestSupport.BuildExample("c/reference");
        using var grader = new FakeGrader(build.Driver!, sandbox: true);
        grader.ReadReady();

        var status = File.ReadAllLines($"/proc/{grader.Pid}/status");
        Assert.That(status, Has.Some.Matches<string>(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries).Skip(1).All(v => v == "65534")));
        Assert.That(status, Has.Some.EqualTo("NoNewPrivs:\t1"));
        Assert.That(status, Has.Some.EqualTo("Seccomp:\t2"));
        Assert.That(Directory.GetFiles($"/proc/{grader.Pid}/fd").Select(Path.GetFileName), Is.EquivalentTo(new[] { "0", "1", "2", "3", "4" }));
        var ourNet = new FileInfo("/proc/self/ns/net").LinkTarget;
        var hostNet = new FileInfo($"/proc/{grader.Pid}/ns/net").LinkTarget;
        Assert.That(hostNet, Is.Not.EqualTo(ourNet), "a private network namespace");
        var limits = File.ReadAllText($"/proc/{grader.Pid}/limits");
        Assert.That(limits, Does.Match(@"Max open files\s+16\s+16"));
        Assert.That(limits, Does.Match(@"Max file size\s+0\s+0"));
    }

    [Test]
    public void Oops_reply_from_the_grader_ends_the_host_at_once()
    {
        var build = NativeTestSupport.BuildExample("c/reference");
        using var grader = new FakeGrader(build.Driver!, sandbox: true) { OopsOn = Msg.MmioRead };

        grader.ReadReady();
        grader.Init();
        Assert.That(grader.Ioctl(250, Rand, UserAddress).Eof, Is.True, "nothing more after an oops");
        Assert.That(grader.WaitForExit(), Is.EqualTo(86));
    }

    [Test]
    public void Unknown_command_is_a_host_error_and_missing_entry_points_are_missing()
    {
        var build = NativeTestSupport.Compiler.Compile("no-init", [("my-rng.c", "#include <linux/module.h>\nint x;\n")]);
        Assert.That(build.Success, Is.True);
        using var grader = new FakeGrader(build.Driver!, sandbox: true);

        grader.ReadReady();
        Assert.That(grader.Raw(Msg.LoadAssembly).Status, Is.EqualTo(ResultStatus.HostError));
        Assert.That(grader.Init().Status, Is.EqualTo(ResultStatus.Missing));
        Assert.That(grader.Exit().Status, Is.EqualTo(ResultStatus.Missing));
        Assert.That(grader.Ioctl(250, Rand, 0).Status, Is.EqualTo(ResultStatus.Missing));
    }

    [Test]
    public void Old_style_init_module_and_cleanup_module_are_the_entry_points()
    {
        NativeTestSupport.RequireGcc();
        const string Driver = """
            #include <linux/module.h>
            #include <linux/kernel.h>
            int init_module(void) { printk(KERN_INFO "old style\n"); return 7; }
            void cleanup_module(void) { printk(KERN_INFO "bye\n"); }
            MODULE_LICENSE("GPL");
            """;
        var build = NativeTestSupport.Compiler.Compile("old-style", [("my-rng.c", Driver)]);
        Assert.That(build.Success, Is.True, () => string.Join("; ", build.Diagnostics.Select(d => d.Message)));
        using var grader = new FakeGrader(build.Driver!, sandbox: true);

        grader.ReadReady();
        Assert.That(grader.Init().Value, Is.EqualTo(7));
        Assert.That(grader.Exit().Status, Is.EqualTo(ResultStatus.Ok));
        Assert.That(grader.Calls.Select(c => c.Text), Is.EqualTo(new[] { "\u00016old style\n", "\u00016bye\n" }));
    }
}
