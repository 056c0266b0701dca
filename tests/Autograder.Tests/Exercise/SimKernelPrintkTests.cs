using Autograder.Exercise;

namespace Autograder.Tests.Exercise;

public class SimKernelPrintkTests
{
    private const string KernInfo = "\u00016";
    private const string KernErr = "\u00013";
    private const string KernDebug = "\u00017";
    private const string KernCont = "\u0001c";
    private const string KernDefault = "\u0001d";

    private static SimKernel Kernel() => new(new KernelOptions());

    [Test]
    public void Level_prefix_sets_the_level_and_is_stripped()
    {
        var kernel = Kernel();
        kernel.Printk(KernErr + "failed\n");
        kernel.Printk(KernInfo + "loaded\n");
        Assert.That(kernel.Dmesg, Is.EqualTo(new[] { new DmesgLine(3, "failed"), new DmesgLine(6, "loaded") }));
    }

    [Test]
    public void No_prefix_and_kern_default_are_level_4()
    {
        var kernel = Kernel();
        kernel.Printk("plain\n");
        kernel.Printk(KernDefault + "default\n");
        Assert.That(kernel.Dmesg.Select(l => l.Level), Is.EqualTo(new[] { 4, 4 }));
    }

    [Test]
    public void Kern_debug_lines_are_kept()
    {
        var kernel = Kernel();
        kernel.Printk(KernDebug + "debug\n");
        Assert.That(kernel.Dmesg, Is.EqualTo(new[] { new DmesgLine(7, "debug") }));
    }

    [Test]
    public void Several_lines_in_one_message_become_several_lines_of_its_level()
    {
        var kernel = Kernel();
        kernel.Printk(KernInfo + "one\ntwo\n\nfour\n");
        Assert.That(kernel.Dmesg, Is.EqualTo(new[]
        {
            new DmesgLine(6, "one"), new DmesgLine(6, "two"), new DmesgLine(6, ""), new DmesgLine(6, "four"),
        }));
    }

    [Test]
    public void Kern_cont_joins_the_pending_piece()
    {
        var kernel = Kernel();
        kernel.Printk(KernInfo + "my_rng_driver loaded, ");
        kernel.Printk(KernCont + "registered ioctls 0x80047101");
        kernel.Printk(KernCont + " and 0x40047101\n");
        Assert.That(kernel.Dmesg, Is.EqualTo(new[] { new DmesgLine(6, "my_rng_driver loaded, registered ioctls 0x80047101 and 0x40047101") }));
        Assert.That(kernel.Trace.Single(), Has.Property("Kind").EqualTo("dmesg").And.Property("Level").EqualTo(6));
    }

    [Test]
    public void Piece_without_kern_cont_does_not_join()
    {
        var kernel = Kernel();
        kernel.Printk("my_rng_driver loaded, ");
        kernel.Printk(KernInfo + "registered ioctls\n");
        Assert.That(kernel.Dmesg, Is.EqualTo(new[] { new DmesgLine(4, "my_rng_driver loaded, "), new DmesgLine(6, "registered ioctls") }));
        Assert.That(kernel.Trace.Select(e => e.Text), Is.EqualTo(new[] { "my_rng_driver loaded, ", "registered ioctls" }));
    }

    [Test]
    public void Pending_piece_is_visible_in_dmesg_and_trace_before_its_newline()
    {
        var kernel = Kernel();
        kernel.Printk(KernErr + "Failed to map device registers in memory");
        Assert.That(kernel.Dmesg, Is.EqualTo(new[] { new DmesgLine(3, "Failed to map device registers in memory") }));
        Assert.That(kernel.Trace.Single().Text, Is.EqualTo("Failed to map device registers in memory"));
        kernel.Printk(KernCont + "!\n");
        Assert.That(kernel.Dmesg.Single().Text, Is.EqualTo("Failed to map device registers in memory!"));
        Assert.That(kernel.Trace.Single().Text, Is.EqualTo("Failed to map device registers in memory!"));
    }

    [Test]
    public void Kern_cont_without_a_pending_piece_starts_a_line()
    {
        var kernel = Kernel();
        kernel.Printk(KernCont + "alone\n");
        Assert.That(kernel.Dmesg, Is.EqualTo(new[] { new DmesgLine(4, "alone") }));
    }

    [Test]
    public void Message_ending_a_line_and_starting_another_leaves_the_second_pending()
    {
        var kernel = Kernel();
        kernel.Printk(KernInfo + "a\nb");
        kernel.Printk(KernCont + "c\n");
        Assert.That(kernel.Dmesg, Is.EqualTo(new[] { new DmesgLine(6, "a"), new DmesgLine(6, "bc") }));
    }

    [Test]
    public void A_level_alone_is_an_empty_record_and_an_empty_text_nothing()
    {
        // printk(KERN_INFO, "...") (a comma for C#'s + or C's juxtaposition) formats the level alone.
        var kernel = Kernel();
        kernel.Printk("");
        Assert.That(kernel.Dmesg, Is.Empty);
        kernel.Printk(KernInfo);
        Assert.That(kernel.Dmesg, Is.EqualTo(new[] { new DmesgLine(6, "") }));
        Assert.That(kernel.Trace.Single().Kind, Is.EqualTo("dmesg"));
    }

    [Test]
    public void Unknown_prefix_character_is_kept_as_text()
    {
        var kernel = Kernel();
        kernel.Printk("\u0001x hello\n");
        Assert.That(kernel.Dmesg.Single(), Is.EqualTo(new DmesgLine(4, "\u0001x hello")));
    }

    [Test]
    public void Kernel_warning_flushes_a_pending_piece_first()
    {
        var kernel = Kernel();
        kernel.Printk(KernInfo + "unloading");
        kernel.Iounmap(0x1234_5000, Autograder.Protocol.Api.Iounmap);
        Assert.That(kernel.Dmesg.Select(l => l.Text), Is.EqualTo(new[] { "unloading", "WARNING: iounmap of an address that is not mapped (0x12345000)" }));
    }
}
