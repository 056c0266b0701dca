using Autograder.Compile;
using Autograder.Protocol;
using Autograder.Tests.Compile;

namespace Autograder.Tests.Worker;

/// <summary>The real worker process, driven over the real channel by a fake grader.</summary>
internal sealed class WorkerTests
{
    private const uint Rand = 0x80047101;
    private const uint Seed = 0x40047101;

    private static readonly CSharpCompiler Compiler = new();

    private static byte[] Build(string example)
    {
        var build = Compiler.Compile(CSharpExamples.Sources(example));
        Assert.That(build.Success, Is.True, string.Join("\n", build.Diagnostics));
        return build.Assembly!;
    }

    private static byte[] BuildSource(string source, bool allowlist = true)
    {
        var build = new CSharpCompiler(allowlist).Compile([("Driver.cs", source)]);
        Assert.That(build.Success, Is.True, string.Join("\n", build.Diagnostics));
        return build.Assembly!;
    }

    private static FakeGrader Start(byte[] image)
    {
        var grader = new FakeGrader();
        Assert.That(grader.ReadReady(), Is.EqualTo(((uint)Layout.ProtocolVersion, "csharp")));
        Assert.That(grader.Load(image).Status, Is.EqualTo(ResultStatus.Ok));
        Assert.That(grader.Send(Msg.Begin), Is.EqualTo((ResultStatus.Ok, 0L, "")));
        return grader;
    }

    [Test]
    public void The_reference_driver_runs_init_ioctls_and_exit_through_the_grader()
    {
        using var grader = Start(Build("csharp/reference"));

        Assert.That(grader.Send(Msg.Init), Is.EqualTo((ResultStatus.Ok, 0L, "")));
        Assert.That(grader.Events, Is.EqualTo(new[]
        {
            "ioremap febf1000 4096 Ioremap",
            "register_chrdev 250 my_rng_driver ioctl=1",
            "printk my_rng_driver loaded, registered ioctls 0x80047101 (get a random number) and 0x40047101 (seed the generator) \n",
        }));

        grader.Events.Clear();
        Assert.That(grader.Ioctl(250, Rand, FakeGrader.UserAddress), Is.EqualTo((ResultStatus.Ok, 0L, "")));
        Assert.That(grader.Ioctl(250, Seed, FakeGrader.UserAddress), Is.EqualTo((ResultStatus.Ok, 0L, "")));
        Assert.That(grader.Ioctl(250, Rand, 0), Is.EqualTo((ResultStatus.Ok, -14L, "")));
        Assert.That(grader.Ioctl(250, 0xdeadbeef, FakeGrader.UserAddress), Is.EqualTo((ResultStatus.Ok, -25L, "")));
        Assert.That(grader.Events, Is.EqualTo(new[]
        {
            "read 300000000000 4 Ioread32",
            "to_user 200000000040 67458B6B CopyToUser",
            "from_user 200000000040 4 CopyFromUser",
            "write 300000000004 4 42 Iowrite32",
            "read 300000000000 4 Ioread32",
            "to_user 0 67458B6B CopyToUser",
        }));

        grader.Events.Clear();
        Assert.That(grader.Send(Msg.Exit), Is.EqualTo((ResultStatus.Ok, 0L, "")));
        Assert.That(grader.Events, Is.EqualTo(new[]
        {
            "unregister_chrdev 250 my_rng_driver",
            "iounmap 300000000000 Iounmap",
            "printk \u00016my_rng_driver unloaded\n",
        }));
        Assert.That(grader.Send(Msg.End), Is.EqualTo((ResultStatus.Ok, 0L, "")));
        Assert.That(grader.Stdout.Trim(), Is.Empty, "nothing on stdout");
    }

    [Test]
    public void Calls_that_cannot_fail_are_posted_and_the_rest_still_ask()
    {
        using var grader = Start(Build("csharp/reference"));
        Assert.That(grader.Send(Msg.Init).Status, Is.EqualTo(ResultStatus.Ok));
        grader.UserRuns.Add((FakeGrader.UserAddress & ~0xfffUL, 0x1000));

        // RAND's copy_to_user lies in the run, SEED's write in the mapping: both posted, same events.
        grader.Events.Clear();
        Assert.That(grader.Ioctl(250, Rand, FakeGrader.UserAddress), Is.EqualTo((ResultStatus.Ok, 0L, "")));
        Assert.That(grader.Ioctl(250, Seed, FakeGrader.UserAddress), Is.EqualTo((ResultStatus.Ok, 0L, "")));
        Assert.That(grader.Posted, Is.EqualTo(2));
        Assert.That(grader.Events, Is.EqualTo(new[]
        {
            "read 300000000000 4 Ioread32",
            "to_user 200000000040 67458B6B CopyToUser",
            "from_user 200000000040 4 CopyFromUser",
            "write 300000000004 4 42 Iowrite32",
        }));

        // NULL is in no run: asked, and the grader's answer is what the driver sees.
        Assert.That(grader.Ioctl(250, Rand, 0), Is.EqualTo((ResultStatus.Ok, -14L, "")));
        Assert.That(grader.Posted, Is.EqualTo(2));

        // After iounmap (exit), a new instance starts with nothing known: its write asks.
        Assert.That(grader.Send(Msg.Exit).Status, Is.EqualTo(ResultStatus.Ok));
        Assert.That(grader.Send(Msg.End).Status, Is.EqualTo(ResultStatus.Ok));
        Assert.That(grader.Send(Msg.Begin).Status, Is.EqualTo(ResultStatus.Ok));
        Assert.That(grader.Send(Msg.Init).Status, Is.EqualTo(ResultStatus.Ok));
        grader.UserRuns.Clear();
        Assert.That(grader.Ioctl(250, Rand, FakeGrader.UserAddress).Status, Is.EqualTo(ResultStatus.Ok));
        Assert.That(grader.Posted, Is.EqualTo(2));
    }

    [Test]
    public void An_ioctl_under_an_unregistered_major_is_missing()
    {
        using var grader = Start(Build("csharp/reference"));
        Assert.That(grader.Ioctl(250, Rand, FakeGrader.UserAddress).Status, Is.EqualTo(ResultStatus.Missing), "before init");
        grader.Send(Msg.Init);
        Assert.That(grader.Ioctl(251, Rand, FakeGrader.UserAddress).Status, Is.EqualTo(ResultStatus.Missing));
        grader.Send(Msg.Exit);
        Assert.That(grader.Ioctl(250, Rand, FakeGrader.UserAddress).Status, Is.EqualTo(ResultStatus.Missing), "after unregister");
    }

    [Test]
    public void Each_begin_gives_fresh_static_state()
    {
        using var grader = Start(Build("hostile/csharp/static-state"));
        grader.Send(Msg.Init);
        var values = Enumerable.Range(0, 4).Select(_ => grader.Ioctl(250, Rand, FakeGrader.UserAddress).Value).ToArray();
        Assert.That(values, Is.EqualTo(new long[] { 0, 0, 0, 12345 }), "the driver misbehaves on its fourth call");

        Assert.That(grader.Send(Msg.End).Status, Is.EqualTo(ResultStatus.Ok));
        Assert.That(grader.Send(Msg.Begin).Status, Is.EqualTo(ResultStatus.Ok));
        Assert.That(grader.Send(Msg.Init), Is.EqualTo((ResultStatus.Ok, 0L, "")));
        Assert.That(grader.Ioctl(250, Rand, FakeGrader.UserAddress).Value, Is.Zero, "a new instance starts counting again");
    }

    [Test]
    public void A_driver_exception_is_a_fault_naming_the_students_line()
    {
        using var grader = Start(Build("hostile/csharp/throws"));
        grader.Send(Msg.Init);
        var (status, _, message) = grader.Ioctl(250, Rand, FakeGrader.UserAddress);
        var line = CSharpExamples.LineOf("hostile/csharp/throws", "nothing!.Length");
        Assert.That(status, Is.EqualTo(ResultStatus.DriverFault));
        // Optimised code maps the fault to the statement or the one before it (the null check).
        Assert.That(message, Does.StartWith("NullReferenceException: ").And.Match($" at MyRng\\.cs:({line}|{line - 1})$"));
        Assert.That(grader.Ioctl(250, Seed, FakeGrader.UserAddress).Status, Is.EqualTo(ResultStatus.Ok), "the worker goes on");
    }

    [Test]
    public void A_direct_dereference_reports_an_oops_and_abandons_the_command()
    {
        using var grader = Start(Build("csharp/direct-io-deref"));
        grader.Send(Msg.Init);
        grader.Events.Clear();
        var (status, _, message) = grader.Ioctl(250, Rand, FakeGrader.UserAddress);
        Assert.That(status, Is.EqualTo(ResultStatus.DriverFault));
        Assert.That(message, Does.Contain("direct dereference of an ioremap'd address"));
        Assert.That(grader.Events, Is.EqualTo(new[] { "oops IoDeref 300000000000 direct dereference of an ioremap'd address: use ioread32()/readl()" }));
    }

    [Test]
    public void A_driver_that_catches_an_oops_gains_nothing()
    {
        const string source = """
            using static Autograder.KernelApi.Kernel;
            static class D
            {
                [module_init]
                static int init()
                {
                    try { ioread32(null); } catch (System.Exception) { }
                    printk("still here\n");
                    return 0;
                }
            }
            """;
        using var grader = Start(BuildSource(source));
        var (status, _, message) = grader.Send(Msg.Init);
        Assert.That(status, Is.EqualTo(ResultStatus.DriverFault));
        Assert.That(message, Does.Contain("NULL pointer dereference"));
        Assert.That(grader.Events, Is.EqualTo(new[] { "read 0 4 Ioread32" }), "no kernel call gets through after the oops");
    }

    [Test]
    public void A_pci_driver_gives_up_cleanly_when_no_device_matches()
    {
        using var grader = Start(Build("csharp/pci-probe"));
        Assert.That(grader.Send(Msg.Init), Is.EqualTo((ResultStatus.Ok, -19L, "")), "-ENODEV");
        Assert.That(grader.Events, Is.EqualTo(new[] { "pci_register_driver my_rng_driver [1234:cafe]", "pci_unregister_driver my_rng_driver" }));
    }

    [Test]
    public void A_pci_driver_is_probed_when_the_grader_names_a_device_and_removed_on_exit()
    {
        using var grader = Start(Build("csharp/pci-probe"));
        grader.PciHandle = 7;
        Assert.That(grader.Send(Msg.Init), Is.EqualTo((ResultStatus.Ok, 0L, "")));
        Assert.That(grader.Events.Take(5), Is.EqualTo(new[]
        {
            "pci_register_driver my_rng_driver [1234:cafe]",
            "note pci: probing my_rng_driver for device 7",
            "pci_resource 7 0",
            "ioremap febf1000 4096 PciIomap",
            "register_chrdev 250 my_rng_driver ioctl=1",
        }));
        Assert.That(grader.Events, Has.Some.Contains("registered ioctls 0x80047101 (get a random number) and 0x40047101"));

        Assert.That(grader.Ioctl(250, Rand, FakeGrader.UserAddress), Is.EqualTo((ResultStatus.Ok, 0L, "")));
        grader.Events.Clear();
        Assert.That(grader.Send(Msg.Exit), Is.EqualTo((ResultStatus.Ok, 0L, "")));
        Assert.That(grader.Events, Is.EqualTo(new[]
        {
            "unregister_chrdev 250 my_rng_driver",
            "iounmap 300000000000 PciIounmap",
            "pci_unregister_driver my_rng_driver",
        }));
    }

    [Test]
    public void Missing_and_duplicate_entry_points_are_reported()
    {
        using (var grader = new FakeGrader())
        {
            grader.ReadReady();
            grader.Load(BuildSource("static class D { static int X() => 0; }", allowlist: false));
            var (status, _, message) = grader.Send(Msg.Begin);
            Assert.That(status, Is.EqualTo(ResultStatus.Missing));
            Assert.That(message, Does.Contain("no [module_init]"));
            Assert.That(grader.Send(Msg.Init).Status, Is.EqualTo(ResultStatus.HostError));
        }

        using (var grader = new FakeGrader())
        {
            grader.ReadReady();
            grader.Load(BuildSource("using static Autograder.KernelApi.Kernel;\nstatic class D { [module_init] static int A() => 0; [module_init] static int B() => 0; }", allowlist: false));
            var (status, _, message) = grader.Send(Msg.Begin);
            Assert.That(status, Is.EqualTo(ResultStatus.LoadError));
            Assert.That(message, Does.Contain("more than one [module_init]"));
        }

        using (var grader = new FakeGrader())
        {
            grader.ReadReady();
            grader.Load(BuildSource("using static Autograder.KernelApi.Kernel;\nstatic class D { [module_init] static void A() { } }", allowlist: false));
            var (status, _, message) = grader.Send(Msg.Begin);
            Assert.That(status, Is.EqualTo(ResultStatus.LoadError));
            Assert.That(message, Does.Contain("static int A()"));
        }
    }

    [Test]
    public void A_driver_without_exit_answers_missing_to_exit()
    {
        using var grader = Start(BuildSource("using static Autograder.KernelApi.Kernel;\nstatic class D { [module_init] static int A() => 3; }"));
        Assert.That(grader.Send(Msg.Init), Is.EqualTo((ResultStatus.Ok, 3L, "")));
        Assert.That(grader.Send(Msg.Exit).Status, Is.EqualTo(ResultStatus.Missing));
    }

    [Test]
    public void Protocol_misuse_is_a_host_error_and_a_closed_channel_ends_the_worker()
    {
        using var grader = new FakeGrader();
        grader.ReadReady();
        Assert.That(grader.Send(Msg.Begin).Status, Is.EqualTo(ResultStatus.HostError), "Begin before LoadAssembly");
        Assert.That(grader.Command(w => w.Start((Msg)0x7f)).Status, Is.EqualTo(ResultStatus.HostError));
        Assert.That(grader.Command(w => w.Start(Msg.Ioctl).U32(250)), Is.EqualTo((ResultStatus.HostError, 0L, "malformed Ioctl command: frame Ioctl too short")));
        grader.CloseInput();
        Assert.That(grader.Process.WaitForExit(10_000), Is.True);
        Assert.That(grader.Process.ExitCode, Is.Zero);
    }

    [Test]
    public void Kernel_calls_from_another_thread_are_refused()
    {
        // Threads are forbidden by the allowlist; with it off, the channel still cannot interleave.
        const string source = """
            using static Autograder.KernelApi.Kernel;
            static class D
            {
                static string? error;
                [module_init]
                static int init()
                {
                    var t = new System.Threading.Thread(() =>
                    {
                        try { printk("from a thread\n"); } catch (System.InvalidOperationException e) { error = e.Message; }
                    });
                    t.Start();
                    t.Join();
                    printk("thread said: %s\n", error);
                    return 0;
                }
            }
            """;
        using var grader = Start(BuildSource(source, allowlist: false));
        Assert.That(grader.Send(Msg.Init).Status, Is.EqualTo(ResultStatus.Ok));
        Assert.That(grader.Events, Is.EqualTo(new[] { "printk thread said: kernel call outside the driver's own call (from another thread or a finalizer)\n" }));
    }

    [TestCase("reference", "printk my_rng_driver loaded, registered ioctls 0x80047101 (get a random number) and 0x40047101 (seed the generator) \n")]
    [TestCase("alt-correct", "printk \u00016my_rng_driver loaded, registered ioctls 0x80047101 (get a random number) and 0x40047101 (seed the generator)\n")]
    [TestCase("decimal-in-hex", "printk my_rng_driver loaded, registered ioctls 0x-2147192575 (get a random number) and 0x1074032897 (seed the generator) \n")]
    [TestCase("renamed-device", "register_chrdev 251 other_rng ioctl=1")]
    [TestCase("alt-correct", "ioremap febf1000 8 Ioremap")]
    public void Init_of_an_example_shows_its_character(string example, string expectedEvent)
    {
        using var grader = Start(Build("csharp/" + example));
        Assert.That(grader.Send(Msg.Init), Is.EqualTo((ResultStatus.Ok, 0L, "")));
        Assert.That(grader.Events, Does.Contain(expectedEvent));
    }

    [TestCase("reference", Rand, "read 300000000000 4 Ioread32|to_user 200000000040 67458B6B CopyToUser")]
    [TestCase("reference", Seed, "from_user 200000000040 4 CopyFromUser|write 300000000004 4 42 Iowrite32")]
    [TestCase("alt-correct", Rand, "read 300000000000 4 Readl|to_user 200000000040 67458B6B PutUser")]
    [TestCase("alt-correct", Seed, "from_user 200000000040 4 GetUser|write 300000000004 4 42 Writel")]
    [TestCase("alt-correct", 0x80087102u, "read 300000000000 4 Readl|read 300000000000 4 Readl|to_user 200000000040 67458B6B67458B6B PutUser")]
    [TestCase("copy-8-bytes", Rand, "read 300000000000 4 Ioread32|to_user 200000000040 67458B6B00000000 CopyToUser")]
    [TestCase("copy-8-bytes", Seed, "from_user 200000000040 8 CopyFromUser|write 300000000004 4 42 Iowrite32")]
    [TestCase("seed-offset-0", Seed, "from_user 200000000040 4 CopyFromUser|write 300000000000 4 42 Iowrite32")]
    [TestCase("empty-cases", Rand, "")]
    [TestCase("swapped-directions", Seed, "read 300000000000 4 Ioread32|to_user 200000000040 67458B6B CopyToUser")]
    [TestCase("wrong-size-macro", 0x80087101u, "read 300000000000 4 Ioread32|to_user 200000000040 67458B6B CopyToUser")]
    public void An_ioctl_of_an_example_does_what_its_code_says(string example, uint cmd, string expected)
    {
        using var grader = Start(Build("csharp/" + example));
        Assert.That(grader.Send(Msg.Init).Status, Is.EqualTo(ResultStatus.Ok));
        grader.Events.Clear();
        Assert.That(grader.Ioctl(250, cmd, FakeGrader.UserAddress), Is.EqualTo((ResultStatus.Ok, 0L, "")));
        Assert.That(string.Join("|", grader.Events), Is.EqualTo(expected));
    }

    [Test]
    public void Init_failure_paths_return_what_the_code_says()
    {
        using (var wrongBase = Start(Build("csharp/wrong-base")))
        {
            // The fake grader maps only the device's address: the wrong base gets NULL, as with fault injection.
            Assert.That(wrongBase.Send(Msg.Init), Is.EqualTo((ResultStatus.Ok, -12L, "")));
        }

        using (var reference = Start(Build("csharp/reference")))
        {
            reference.TakenMajor = 250;
            Assert.That(reference.Send(Msg.Init), Is.EqualTo((ResultStatus.Ok, -16L, "")), "-EBUSY");
            Assert.That(reference.Events, Does.Contain("iounmap 300000000000 Iounmap"));
        }

        using (var skeleton = Start(Build("csharp/init-returns-minus-one")))
        {
            skeleton.TakenMajor = 250;
            Assert.That(skeleton.Send(Msg.Init), Is.EqualTo((ResultStatus.Ok, -1L, "")));
            Assert.That(skeleton.Events, Has.None.StartsWith("iounmap"), "the skeleton leaks the mapping");
        }
    }

    [Test]
    public void An_allocation_bomb_under_a_heap_limit_is_a_driver_fault()
    {
        var limits = new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x10000000" };
        using var grader = new FakeGrader(limits);
        grader.ReadReady();
        grader.Load(Build("hostile/csharp/allocation-bomb"));
        grader.Send(Msg.Begin);
        grader.Send(Msg.Init);
        var (status, _, message) = grader.Ioctl(250, Rand, FakeGrader.UserAddress);
        Assert.That(status, Is.EqualTo(ResultStatus.DriverFault));
        Assert.That(message, Does.StartWith("OutOfMemoryException"));
        Assert.That(grader.Ioctl(250, Seed, FakeGrader.UserAddress).Status, Is.EqualTo(ResultStatus.Ok), "the hoard is garbage once the call unwound");
    }

    [Test]
    public void A_stack_overflow_ends_the_worker_without_a_result()
    {
        using var grader = Start(Build("hostile/csharp/deep-recursion"));
        grader.Send(Msg.Init);
        var died = grader.DiesDuring(w => w.Start(Msg.Ioctl).U32(250).U32(Rand).U64(FakeGrader.UserAddress).U32(0));
        Assert.That(died, Is.True);
        Assert.That(grader.Process.ExitCode, Is.Not.Zero);
    }

    [Test]
    public void An_exception_whose_message_throws_is_still_described()
    {
        const string source = """
            using static Autograder.KernelApi.Kernel;
            sealed class Nasty : System.Exception
            {
                public override string Message => throw new Nasty();
            }

            static class D
            {
                [module_init]
                static int init() => throw new Nasty();
            }
            """;
        using var grader = Start(BuildSource(source));
        Assert.That(grader.Send(Msg.Init), Is.EqualTo((ResultStatus.DriverFault, 0L, "Nasty (its message could not be read)")));
        Assert.That(grader.Send(Msg.Init).Status, Is.EqualTo(ResultStatus.DriverFault), "the worker is still alive");
    }

    [Test]
    public void A_static_initializer_failure_names_the_cause()
    {
        const string source = """
            using static Autograder.KernelApi.Kernel;
            static class D
            {
                static readonly int[] table = Make(-1);
                static int[] Make(int n) => new int[n];

                [module_init]
                static int init() => table.Length;
            }
            """;
        using var grader = Start(BuildSource(source));
        var (status, _, message) = grader.Send(Msg.Init);
        Assert.That(status, Is.EqualTo(ResultStatus.DriverFault));
        Assert.That(message, Does.StartWith("OverflowException: ").And.Contain("(in a static initializer)").And.Match("at Driver.cs:[45]$"), "the initializer, or Make when the JIT did not inline it");
    }

    [Test]
    public void Reflection_past_a_disabled_allowlist_cannot_break_the_next_driver()
    {
        var hostile = new CSharpCompiler(enforceAllowlist: false).Compile(CSharpExamples.Sources("hostile/csharp/reflection-into-grader"));
        Assert.That(hostile.Success, Is.True);
        using var grader = Start(hostile.Assembly!);
        var (status, _, message) = grader.Send(Msg.Init);
        Assert.That(status, Is.EqualTo(ResultStatus.DriverFault));
        Assert.That(message, Does.StartWith("InvalidOperationException: no kernel"));
        Assert.That(grader.Events, Is.Empty, "the grader observed nothing, so it credits nothing");

        Assert.That(grader.Send(Msg.End).Status, Is.EqualTo(ResultStatus.Ok));
        Assert.That(grader.Load(Build("csharp/reference")).Status, Is.EqualTo(ResultStatus.Ok));
        Assert.That(grader.Send(Msg.Begin).Status, Is.EqualTo(ResultStatus.Ok));
        Assert.That(grader.Send(Msg.Init), Is.EqualTo((ResultStatus.Ok, 0L, "")));
        Assert.That(grader.Events, Has.Count.EqualTo(3));
    }
}
