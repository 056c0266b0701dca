using Autograder.Compile;
using Autograder.Protocol;

namespace Autograder.Tests.Native;

// cdev regions, cdev_add, misc devices and device classes in the C model: real gcc builds, real hosts,
// the fake grader on the pipes.
[TestFixture]
[NonParallelizable]
public sealed class NativeCdevTests
{
    private const uint Rand = 0x80047101;
    private const uint Seed = 0x40047101;
    private static readonly ulong UserAddress = Layout.UserWindowBase + 0x100;

    // A cdev driver reduced to what these tests vary: {REGION}, {CDEV}, {EXIT} are replaced per test.
    private const string Template = """
        #include <linux/module.h>
        #include <linux/fs.h>
        #include <linux/cdev.h>
        #include <linux/device.h>
        #include <linux/miscdevice.h>
        #include <linux/uaccess.h>
        #include <linux/io.h>
        #include <linux/compat.h>
        #include <linux/proc_fs.h>
        #include <linux/seq_file.h>
        #include <linux/sizes.h>
        #include <linux/bitfield.h>
        #include <linux/nospec.h>
        #include <linux/overflow.h>
        #include <linux/ctype.h>
        #include <linux/fcntl.h>
        #include <linux/io-64-nonatomic-lo-hi.h>

        static void __iomem *regs;
        static dev_t devt;
        static struct cdev *cd;

        static long my_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
        {
        	unsigned int v;
        	if (cmd != _IOR('q', 1, unsigned int))
        		return -ENOTTY;
        	v = ioread32(regs);
        	return copy_to_user((void __user *)arg, &v, sizeof(v)) ? -EFAULT : 0;
        }

        static const struct file_operations fops = { .unlocked_ioctl = my_ioctl };

        static int __init my_init(void)
        {
        	int ret;
        	regs = ioremap(0xfebf1000, 4096);
        	{REGION}
        	if (ret < 0)
        		return ret;
        	{CDEV}
        	return 0;
        }

        static void __exit my_exit(void)
        {
        	{EXIT}
        }

        module_init(my_init);
        module_exit(my_exit);
        """;

    private static string Source(string region, string cdev, string exit) =>
        Template.Replace("{REGION}", region, StringComparison.Ordinal)
            .Replace("{CDEV}", cdev, StringComparison.Ordinal).Replace("{EXIT}", exit, StringComparison.Ordinal);

    private static CBuild Build(string id, string region, string cdev, string exit)
    {
        NativeTestSupport.RequireGcc();
        var build = NativeTestSupport.Compiler.Compile(id, [("my-rng.c", Source(region, cdev, exit))]);
        Assert.That(build.Success, Is.True, () => $"{build.GraderGap} " + string.Join("; ", build.Diagnostics.Select(d => $"{d.Line}:{d.Column} {d.Message}")));
        return build;
    }

    [Test]
    public void Cdev_class_example_registers_its_region_adds_its_cdev_and_answers_ioctls()
    {
        var build = NativeTestSupport.BuildExample("c/cdev-class");
        using var grader = new FakeGrader(build.Driver!, sandbox: false);
        grader.ReadReady();

        var init = grader.Init();
        Assert.That((init.Status, init.Value), Is.EqualTo((ResultStatus.Ok, 0L)));
        Assert.That(grader.Calls.Select(c => c.Type), Is.EqualTo(new[] { Msg.Ioremap, Msg.RegisterChrdev, Msg.CdevAdd, Msg.Note, Msg.Printk }));
        Assert.That(grader.Calls[1], Is.EqualTo(new KernelCall(Msg.RegisterChrdev, 250, 0, Text: "my_rng_driver")), "a region has no ioctl of its own");
        Assert.That(grader.Calls[2], Is.EqualTo(new KernelCall(Msg.CdevAdd, 250, 1, 1, Text: "", Minor: 0)));
        Assert.That(grader.Calls[3].Text, Is.EqualTo("device_create: /dev/my_rng_driver for 250:0"));

        // Its open finds the driver's state through inode->i_cdev: a NULL i_cdev would oops here.
        grader.Calls.Clear();
        var rand = grader.Ioctl(250, Rand, UserAddress);
        Assert.That((rand.Status, rand.Value), Is.EqualTo((ResultStatus.Ok, 0L)));
        Assert.That(grader.Calls.Select(c => c.Type), Is.EqualTo(new[] { Msg.MmioRead, Msg.CopyToUser }));
        var seed = grader.Ioctl(250, Seed, UserAddress);
        Assert.That((seed.Status, seed.Value), Is.EqualTo((ResultStatus.Ok, 0L)));

        grader.Calls.Clear();
        Assert.That(grader.Exit().Status, Is.EqualTo(ResultStatus.Ok));
        Assert.That(grader.Calls.Select(c => c.Type), Is.EqualTo(new[] { Msg.CdevDel, Msg.UnregisterChrdev, Msg.Iounmap, Msg.Printk }));
        Assert.That(grader.Calls[0], Is.EqualTo(new KernelCall(Msg.CdevDel, 250, 0, 1, Minor: 0)));
        Assert.That(grader.Calls[1], Is.EqualTo(new KernelCall(Msg.UnregisterChrdev, 250, Text: "my_rng_driver")), "the region's name, remembered by the host");
        Assert.That(grader.Ioctl(250, Rand, UserAddress).Status, Is.EqualTo(ResultStatus.Missing), "after cdev_del nothing answers");
        grader.End();
        Assert.That(grader.WaitForExit(), Is.Zero);
    }

    [Test]
    public void Cdev_class_example_runs_inside_the_sandbox() =>
        Assert.That(NativeHostTests.RunOnceInSandbox("c/cdev-class"), Does.Not.Contain("cannot drop"));

    [Test]
    public void Busy_region_fails_init_with_the_graders_error_and_adds_no_cdev()
    {
        var build = NativeTestSupport.BuildExample("c/cdev-class");
        using var grader = new FakeGrader(build.Driver!, sandbox: false) { RegisterResult = -16 };
        grader.ReadReady();

        Assert.That(grader.Init().Value, Is.EqualTo(-16));
        Assert.That(grader.Calls.Select(c => c.Type), Has.No.Member(Msg.CdevAdd));
        Assert.That(grader.Calls.Select(c => c.Type), Has.Member(Msg.Iounmap));
    }

    [Test]
    public void Alloc_chrdev_region_hands_the_dynamic_major_to_the_driver()
    {
        var build = Build("alloc", "ret = alloc_chrdev_region(&devt, 3, 1, \"my_rng_driver\");",
            "cd = cdev_alloc(); cd->ops = &fops; ret = cdev_add(cd, devt, 1); if (ret) return ret;",
            "cdev_del(cd); unregister_chrdev_region(devt, 1);");
        using var grader = new FakeGrader(build.Driver!, sandbox: false) { RegisterResult = 240 };
        grader.ReadReady();

        Assert.That(grader.Init().Value, Is.Zero);
        Assert.That(grader.Calls[1], Is.EqualTo(new KernelCall(Msg.RegisterChrdev, 0, 0, Text: "my_rng_driver")));
        Assert.That(grader.Calls[2], Is.EqualTo(new KernelCall(Msg.CdevAdd, 240, 1, 1, Text: "", Minor: 3)), "MKDEV(dynamic major, baseminor)");
        Assert.That(grader.Ioctl(240, Rand, UserAddress).Value, Is.Zero, "ops set after cdev_alloc are the ones called");

        grader.Calls.Clear();
        grader.Exit();
        Assert.That(grader.Calls, Is.EqualTo(new[]
        {
            new KernelCall(Msg.CdevDel, 240, 0, 1, Minor: 3),
            new KernelCall(Msg.UnregisterChrdev, 240, Text: "my_rng_driver"),
        }));
    }

    [Test]
    public void Cdev_without_unlocked_ioctl_is_reported_and_its_ioctl_is_missing()
    {
        var build = Build("no-ioctl", "ret = register_chrdev_region(MKDEV(250, 0), 1, \"my_rng_driver\");",
            "static const struct file_operations empty = { .owner = THIS_MODULE }; static struct cdev c; cdev_init(&c, &empty); cdev_add(&c, MKDEV(250, 0), 1);",
            "");
        using var grader = new FakeGrader(build.Driver!, sandbox: false);
        grader.ReadReady();

        grader.Init();
        Assert.That(grader.Calls.Single(c => c.Type == Msg.CdevAdd).Value, Is.Zero, "has unlocked_ioctl = 0");
        var ioctl = grader.Ioctl(250, Rand, UserAddress);
        Assert.That((ioctl.Status, ioctl.Message), Is.EqualTo((ResultStatus.Missing, "the registered file_operations has no unlocked_ioctl")));
    }

    [Test]
    public void Register_chrdev_region_at_major_0_returns_0_not_the_major()
    {
        var build = Build("region-0", "ret = register_chrdev_region(MKDEV(0, 0), 1, \"x\"); printk(\"ret %d\\n\", ret);", "", "");
        using var grader = new FakeGrader(build.Driver!, sandbox: false) { RegisterResult = 254 };
        grader.ReadReady();

        Assert.That(grader.Init().Value, Is.Zero);
        Assert.That(grader.Calls.Single(c => c.Type == Msg.Printk).Text, Is.EqualTo("ret 0\n"));
    }

    [Test]
    public void Misc_example_registers_major_10_with_a_dynamic_minor_and_its_open_gets_the_miscdevice()
    {
        var build = NativeTestSupport.BuildExample("c/misc");
        using var grader = new FakeGrader(build.Driver!, sandbox: false);
        grader.ReadReady();

        Assert.That(grader.Init().Value, Is.Zero);
        Assert.That(grader.Calls[1], Is.EqualTo(new KernelCall(Msg.RegisterChrdev, 10, 1, Text: "my_rng_driver")));
        Assert.That(grader.Calls[2].Text, Does.Contain("my_rng_driver loaded, registered ioctls 0x80047101"), "dev_info on this_device works");

        // container_of(file->private_data, struct my_rng, misc) in its open: a wrong private_data oopses.
        grader.Calls.Clear();
        Assert.That(grader.Ioctl(10, Rand, UserAddress).Value, Is.Zero);
        Assert.That(grader.Calls.Select(c => c.Type), Is.EqualTo(new[] { Msg.MmioRead, Msg.CopyToUser }));
        Assert.That(grader.Calls[0].Address, Is.EqualTo(Layout.IoWindowBase));

        grader.Calls.Clear();
        grader.Exit();
        Assert.That(grader.Calls[0], Is.EqualTo(new KernelCall(Msg.UnregisterChrdev, 10, Text: "my_rng_driver")));
        Assert.That(grader.Ioctl(10, Rand, UserAddress).Status, Is.EqualTo(ResultStatus.Missing));
    }

    [Test]
    public void Misc_register_writes_back_the_minor_and_this_device()
    {
        var build = Build("misc-minor", "ret = 0;",
            "static struct miscdevice m = { .minor = MISC_DYNAMIC_MINOR, .name = \"my_rng_driver\", .fops = &fops };"
            + " ret = misc_register(&m); printk(\"%d %d %d\\n\", ret, m.minor, m.this_device != NULL && dev_get_drvdata(m.this_device) == &m);",
            "");
        using var grader = new FakeGrader(build.Driver!, sandbox: false);
        grader.ReadReady();

        grader.Init();
        Assert.That(grader.Calls.Single(c => c.Type == Msg.Printk).Text, Is.EqualTo("0 127 1\n"));
    }

    [Test]
    public void Misc_register_refused_by_the_grader_returns_its_error()
    {
        var build = NativeTestSupport.BuildExample("c/misc");
        using var grader = new FakeGrader(build.Driver!, sandbox: false) { RegisterResult = -16 };
        grader.ReadReady();

        Assert.That(grader.Init().Value, Is.EqualTo(-16));
        Assert.That(grader.Calls.Select(c => c.Type), Is.EqualTo(new[] { Msg.Ioremap, Msg.RegisterChrdev, Msg.Iounmap }));
    }

    [Test]
    public void Class_create_is_never_an_error_and_unregister_chrdev_leaves_a_cdev_in_place()
    {
        var build = Build("class", "ret = register_chrdev(250, \"my_rng_driver\", &fops);",
            "struct class *k = class_create(\"c\"); if (IS_ERR_OR_NULL(k)) return -99;"
            + " struct device *d = device_create(k, NULL, MKDEV(250, 0), NULL, \"n%d\", 7); if (IS_ERR_OR_NULL(d)) return -98;"
            + " static struct cdev c; cdev_init(&c, &fops); cdev_add(&c, MKDEV(251, 0), 1);",
            "unregister_chrdev(251, \"\");");
        using var grader = new FakeGrader(build.Driver!, sandbox: false);
        grader.ReadReady();

        Assert.That(grader.Init().Value, Is.Zero);
        Assert.That(grader.Calls.Single(c => c.Type == Msg.Note).Text, Is.EqualTo("device_create: /dev/n7 for 250:0"));
        grader.Exit();
        Assert.That(grader.Ioctl(251, Rand, UserAddress).Value, Is.Zero, "only cdev_del removes a cdev from the host's table");
    }

    /// <summary>A driver registered at 250 that runs <paramref name="init"/> in module_init (which must
    /// return 0): the kernel calls init made.</summary>
    private static List<KernelCall> InitCalls(string id, string init) =>
        NativeTestSupport.InitCalls(id,
            [("my-rng.c", Source("ret = register_chrdev(250, \"my_rng_driver\", &fops);", init, "unregister_chrdev(250, \"my_rng_driver\");"))],
            sandbox: false);

    private static string Printed(List<KernelCall> calls) => calls.Single(c => c.Type == Msg.Printk).Text!;

    [Test]
    public void A_proc_entry_is_accepted_and_noted()
    {
        var calls = InitCalls("proc", "struct proc_dir_entry *e = proc_create(\"my_rng_stats\", 0444, NULL, NULL);"
            + " printk(\"%d\\n\", e != NULL && !IS_ERR(e)); remove_proc_entry(\"my_rng_stats\", NULL);");

        Assert.That(calls.Single(c => c.Type == Msg.Note).Text, Is.EqualTo("proc_create: /proc entry my_rng_stats"));
        Assert.That(Printed(calls), Is.EqualTo("1\n"));
    }

    [Test]
    public void Compat_ptr_ioctl_forwards_to_unlocked_ioctl()
    {
        var calls = InitCalls("compat", "static const struct file_operations none = { 0 }; struct file f = { .f_op = &fops }, g = { .f_op = &none };"
            + " printk(\"%ld %ld\\n\", compat_ptr_ioctl(&f, 0x1234, 0), compat_ptr_ioctl(&g, 0x1234, 0));");

        Assert.That(Printed(calls), Is.EqualTo("-25 -515\n"), "-ENOTTY from the driver; -ENOIOCTLCMD without one");
    }

    [Test]
    public void Header_only_helpers_behave_as_in_linux()
    {
        var calls = InitCalls("helpers", "size_t sum; int over = check_add_overflow((size_t)-1, (size_t)1, &sum);"
            + " printk(\"%d %lx %lu %lu %d %c %d %d\\n\", SZ_4K, (unsigned long)FIELD_GET(GENMASK(15, 8), 0x1234u),"
            + " (unsigned long)array_index_nospec(5UL, 4UL), (unsigned long)array_index_nospec(3UL, 4UL), over,"
            + " toupper('a'), isdigit('7'), isspace('x'));");

        Assert.That(Printed(calls), Is.EqualTo("4096 12 0 3 1 A 1 0\n"));
    }
}
