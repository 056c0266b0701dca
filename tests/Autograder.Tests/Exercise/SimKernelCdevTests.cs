using Autograder.Exercise;

namespace Autograder.Tests.Exercise;

// The grader side of cdev drivers: regions come through RegisterChrdev (no ioctl), cdev_add marks them.
public class SimKernelCdevTests
{
    [Test]
    public void Cdev_add_gives_the_reserved_region_its_ioctl_and_keeps_the_region_name()
    {
        var kernel = new SimKernel(new KernelOptions());
        Assert.That(kernel.RegisterChrdev(250, "my_rng_driver", false), Is.Zero);
        Assert.That(kernel.CdevAdd(250, 0, 1, "", true), Is.Zero);

        Assert.That(kernel.Chrdevs, Is.EqualTo(new[] { new ChrdevRegistration(250, "my_rng_driver", true) }));
        var e = kernel.Trace.Last();
        Assert.That((e.Kind, e.Op, e.Major, e.Text, e.Ret), Is.EqualTo(("chrdev", "cdev_add", (uint?)250u, "my_rng_driver", (long?)0)));
        Assert.That(kernel.Trace.Where(t => t.Kind == "note"), Is.Empty, "a normal cdev driver raises no note");
    }

    [Test]
    public void Cdev_del_removes_the_ioctl_and_the_region_stays_until_unregistered()
    {
        var kernel = new SimKernel(new KernelOptions());
        kernel.RegisterChrdev(250, "my_rng_driver", false);
        kernel.CdevAdd(250, 0, 1, "", true);

        kernel.CdevDel(250, 0, 1);
        Assert.That(kernel.Chrdevs, Is.EqualTo(new[] { new ChrdevRegistration(250, "my_rng_driver", false) }));

        kernel.UnregisterChrdev(250, "my_rng_driver");
        Assert.That(kernel.Chrdevs, Is.Empty);
        Assert.That(kernel.Trace.Where(t => t.Kind == "note"), Is.Empty);
    }

    [Test]
    public void Cdev_add_without_a_region_creates_the_registration_and_cdev_del_removes_it()
    {
        var kernel = new SimKernel(new KernelOptions());
        kernel.CdevAdd(250, 0, 1, "", true);

        Assert.That(kernel.FindChrdev(250), Is.EqualTo(new ChrdevRegistration(250, "", true)));
        Assert.That(kernel.Trace.Any(t => t.Kind == "note" && t.Text!.Contains("without a reserved region", StringComparison.Ordinal)), Is.True);

        kernel.CdevDel(250, 0, 1);
        Assert.That(kernel.Chrdevs, Is.Empty);
    }

    [Test]
    public void Unregistering_the_region_before_cdev_del_leaves_the_cdev_reachable()
    {
        var kernel = new SimKernel(new KernelOptions());
        kernel.RegisterChrdev(250, "my_rng_driver", false);
        kernel.CdevAdd(250, 0, 1, "", true);

        kernel.UnregisterChrdev(250, "my_rng_driver");
        Assert.That(kernel.Chrdevs, Is.EqualTo(new[] { new ChrdevRegistration(250, "my_rng_driver", true) }), "forgetting cdev_del leaves the device live");
        Assert.That(kernel.Trace.Any(t => t.Kind == "note" && t.Text!.Contains("cdev_del", StringComparison.Ordinal)), Is.True);

        kernel.CdevDel(250, 0, 1);
        Assert.That(kernel.Chrdevs, Is.Empty, "the reverse order still ends with nothing registered");
    }

    [Test]
    public void Cdev_without_unlocked_ioctl_does_not_mark_the_region()
    {
        var kernel = new SimKernel(new KernelOptions());
        kernel.RegisterChrdev(240, "my_rng_driver", false);
        kernel.CdevAdd(240, 0, 1, "", false);

        Assert.That(kernel.FindChrdev(240)!.HasIoctl, Is.False);
    }

    [Test]
    public void Cdev_del_of_a_cdev_never_added_is_noted_and_changes_nothing()
    {
        var kernel = new SimKernel(new KernelOptions());
        kernel.RegisterChrdev(250, "my_rng_driver", false);

        kernel.CdevDel(250, 0, 1);

        Assert.That(kernel.Chrdevs, Is.EqualTo(new[] { new ChrdevRegistration(250, "my_rng_driver", false) }));
        Assert.That(kernel.Trace.Last().Text, Does.Contain("no cdev was added"));
    }

    [Test]
    public void Cdev_add_on_major_0_says_the_number_was_never_allocated()
    {
        var kernel = new SimKernel(new KernelOptions());
        kernel.CdevAdd(0, 0, 1, "", true);

        Assert.That(kernel.Trace.Any(t => t.Kind == "note" && t.Text!.Contains("never allocated", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public void A_region_at_a_taken_major_is_busy_and_the_trace_shows_the_attempt()
    {
        var kernel = new SimKernel(new KernelOptions { TakenMajors = [250] });
        Assert.That(kernel.RegisterChrdev(250, "my_rng_driver", false), Is.EqualTo(-SimKernel.Ebusy));
        Assert.That(kernel.Trace.Any(e => e is { Kind: "chrdev", Op: "register", Major: 250 }), Is.True, "error-paths looks for this event");
    }
}
