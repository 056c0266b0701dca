using static Autograder.KernelApi.Kernel;

namespace Autograder.Tests.KernelApi;

internal sealed class PrintkTests : KernelApiTestBase
{
    private static readonly uint Rand = _IOR<uint>('q', 1);
    private static readonly uint Seed = _IOW<uint>('q', 1);

    [TestCase("%lx", 0x80047101u, ExpectedResult = "80047101")]
    [TestCase("0x%x", 0x80047101u, ExpectedResult = "0x80047101")]
    [TestCase("0x%d", 0x80047101u, ExpectedResult = "0x-2147192575")]
    [TestCase("0x%u", 0x80047101u, ExpectedResult = "0x2147774721")]
    [TestCase("%X", 0xbeefu, ExpectedResult = "BEEF")]
    [TestCase("%08x", 0xbeefu, ExpectedResult = "0000beef")]
    [TestCase("%-6d|", 42, ExpectedResult = "42    |")]
    [TestCase("%6d|", -42, ExpectedResult = "   -42|")]
    [TestCase("%06d", -42, ExpectedResult = "-00042")]
    [TestCase("%+d % d", 5, ExpectedResult = "+5  5")]
    [TestCase("%.3d", 7, ExpectedResult = "007")]
    [TestCase("%#x %#o", 255, ExpectedResult = "0xff 0377")]
    [TestCase("%u", -1, ExpectedResult = "4294967295")]
    [TestCase("%lu", -1L, ExpectedResult = "18446744073709551615")]
    [TestCase("%d", 0x1_0000_0005L, ExpectedResult = "5")]
    [TestCase("%lld", 0x1_0000_0005L, ExpectedResult = "4294967301")]
    [TestCase("%hhx", 0x1ff, ExpectedResult = "ff")]
    [TestCase("%hd", 0x18000, ExpectedResult = "-32768")]
    [TestCase("%zu", 4096UL, ExpectedResult = "4096")]
    [TestCase("%c|%3c", 'o', ExpectedResult = "o|  o")]
    [TestCase("100%%", null, ExpectedResult = "100%")]
    [TestCase("%s!", "hello", ExpectedResult = "hello!")]
    public string Formats_like_C(string fmt, object? arg)
    {
        printk(fmt, arg, arg, arg);
        return Fake.Log.Single();
    }

    [Test]
    public void Strings_take_width_and_precision()
    {
        printk("%.2s|%5s|%-5s|%s", "hello", "ab", "ab", null);
        Assert.That(Fake.Log.Single(), Is.EqualTo("he|   ab|ab   |(null)"));
    }

    [Test]
    public void Star_width_and_precision_come_from_the_arguments()
    {
        printk("[%*d] [%-*d] [%.*d]", 5, 42, 4, 7, 3, 9);
        Assert.That(Fake.Log.Single(), Is.EqualTo("[   42] [7   ] [009]"));
    }

    [Test]
    public void The_skeletons_loaded_line_prints_the_exercise_numbers()
    {
        printk("my_rng_driver loaded, registered ioctls 0x%lx (get a random " +
            "number) and 0x%lx (seed the generator) \n", Rand, Seed);
        Assert.That(Fake.Log.Single(), Is.EqualTo(
            "my_rng_driver loaded, registered ioctls 0x80047101 (get a random number) and 0x40047101 (seed the generator) \n"));
    }

    [Test]
    public void Levels_are_kept_as_prefixes()
    {
        pr_info("a %d\n", 1);
        pr_err("b\n");
        pr_warn("c\n");
        pr_cont("d");
        printk(KERN_DEBUG + "e\n");
        Assert.That(Fake.Log, Is.EqualTo(new[] { "\u00016a 1\n", "\u00013b\n", "\u00014c\n", "\u0001cd", "\u00017e\n" }));
    }

    [Test]
    public void Pr_debug_is_compiled_out()
    {
        Assert.That(pr_debug("secret %d\n", 1), Is.Zero);
        Assert.That(Fake.Log, Is.Empty);
    }

    [Test]
    public void A_huge_record_is_cut_at_one_kibibyte()
    {
        var written = printk("%s", new string('A', 1 << 20));
        Assert.That(written, Is.EqualTo(1024));
        Assert.That(Fake.Log.Single(), Has.Length.EqualTo(1024));
    }

    [Test]
    public void Missing_arguments_and_unknown_conversions_do_not_throw()
    {
        printk("%d %s %q %");
        Assert.That(Fake.Log.Single(), Is.EqualTo("0 (null) %q %"));
    }

    [Test]
    public void Pointers_print_as_addresses()
    {
        var mem = ioremap(0xfebf1000, 4096);
        printk("%p %p", mem, null);
        Assert.That(Fake.Log.Single(), Is.EqualTo("0000300000001000 (null)"));
    }

    [Test]
    public void Dev_info_prefixes_the_device_name_and_keeps_percent_signs_in_it()
    {
        dev_info(new device { name = "rng%d" }, "up %d\n", 3);
        Assert.That(Fake.Log.Single(), Is.EqualTo("\u00016rng%d: up 3\n"));
    }
}
