using Autograder.Exercise;
using Autograder.Protocol;

namespace Autograder.Tests.Exercise;

public class RngDeviceTests
{
    [Test]
    public void Fresh_device_gives_glibc_rand_after_no_srand()
    {
        var device = new RngDevice();
        Assert.That(device.Read(0, 4, Api.Ioread32), Is.EqualTo(1804289383UL));
        Assert.That(device.Read(0, 4, Api.Ioread32), Is.EqualTo(846930886UL));
    }

    [Test]
    public void Write_at_offset_4_seeds_and_reads_at_0_follow_the_seed()
    {
        var device = new RngDevice();
        device.Write(4, 4, 42, Api.Iowrite32);
        var values = Enumerable.Range(0, 3).Select(_ => device.Read(0, 4, Api.Readl)).ToArray();
        Assert.That(values, Is.EqualTo(new ulong[] { 71876166, 708592740, 1483128881 }));
    }

    [Test]
    public void Seed_value_is_an_unsigned_int()
    {
        var device = new RngDevice();
        device.Write(4, 4, 0xffffffff, Api.Iowrite32);
        Assert.That(device.Read(0, 4, Api.Ioread32), Is.EqualTo(254925627UL));
    }

    [Test]
    public void Grader_seed_is_not_recorded_as_an_access()
    {
        var device = new RngDevice();
        device.Seed(42);
        Assert.That(device.Accesses, Is.Empty);
        Assert.That(device.Read(0, 4, Api.Ioread32), Is.EqualTo(71876166UL));
    }

    [Test]
    public void Peek_previews_without_consuming()
    {
        var device = new RngDevice();
        device.Seed(42);
        Assert.That(device.Peek(2), Is.EqualTo(new[] { 71876166, 708592740 }));
        Assert.That(device.Peek(1), Is.EqualTo(new[] { 71876166 }));
        Assert.That(device.Read(0, 4, Api.Ioread32), Is.EqualTo(71876166UL));
        Assert.That(device.Accesses, Has.Count.EqualTo(1));
    }

    [TestCase(1, 1804289383UL & 0xff)]
    [TestCase(2, 1804289383UL & 0xffff)]
    public void Narrow_reads_at_0_consume_a_rand_and_truncate(int size, ulong expected)
    {
        var device = new RngDevice();
        Assert.That(device.Read(0, size, Api.Ioread8), Is.EqualTo(expected));
        Assert.That(device.Peek(1), Is.EqualTo(new[] { 846930886 }), "one rand() consumed");
    }

    [TestCase(1, 0x12345678UL, 0x78u)]
    [TestCase(2, 0x12345678UL, 0x5678u)]
    [TestCase(4, 0x1_0000_002aUL, 42u)]
    public void Narrow_writes_at_4_seed_with_the_truncated_value(int size, ulong value, uint seed)
    {
        var device = new RngDevice();
        device.Write(4, size, value, Api.Iowrite32);
        Assert.That(device.Peek(3), Is.EqualTo(GlibcRandom.Sequence(seed, 3)));
        Assert.That(device.Accesses[0].Value, Is.EqualTo((ulong)seed));
    }

    [Test]
    public void Other_offsets_read_0_and_do_not_consume()
    {
        var device = new RngDevice();
        Assert.That(device.Read(4, 4, Api.Ioread32), Is.Zero);
        Assert.That(device.Read(8, 4, Api.Ioread32), Is.Zero);
        Assert.That(device.Read(1, 1, Api.Ioread8), Is.Zero);
        Assert.That(device.Read(2, 2, Api.Ioread16), Is.Zero);
        Assert.That(device.Read(0xffc, 4, Api.Ioread32), Is.Zero);
        Assert.That(device.Peek(1), Is.EqualTo(new[] { 1804289383 }));
    }

    [TestCase(0UL)]
    [TestCase(8UL)]
    [TestCase(0x100UL)]
    public void Writes_elsewhere_than_4_do_not_seed(ulong offset)
    {
        var device = new RngDevice();
        device.Write(offset, 4, 42, Api.Iowrite32);
        Assert.That(device.Peek(1), Is.EqualTo(new[] { 1804289383 }));
        Assert.That(device.Accesses, Has.Count.EqualTo(1), "still recorded");
    }

    [Test]
    public void Narrow_write_inside_the_seed_register_but_not_at_4_does_not_seed()
    {
        var device = new RngDevice();
        device.Write(6, 2, 42, Api.Iowrite16);
        Assert.That(device.Peek(1), Is.EqualTo(new[] { 1804289383 }));
    }

    [Test]
    public void Eight_byte_read_at_0_is_split_low_half_first()
    {
        var device = new RngDevice();
        Assert.That(device.Read(0, 8, Api.Readq), Is.EqualTo(1804289383UL));
        Assert.That(device.Accesses, Is.EqualTo(new[]
        {
            new MmioAccess(false, 0, 4, 1804289383, Api.Readq),
            new MmioAccess(false, 4, 4, 0, Api.Readq),
        }));
    }

    [Test]
    public void Eight_byte_write_at_0_seeds_with_the_high_half()
    {
        var device = new RngDevice();
        device.Write(0, 8, (42UL << 32) | 7, Api.Writeq);
        Assert.That(device.Accesses, Is.EqualTo(new[]
        {
            new MmioAccess(true, 0, 4, 7, Api.Writeq),
            new MmioAccess(true, 4, 4, 42, Api.Writeq),
        }));
        Assert.That(device.Peek(1), Is.EqualTo(new[] { 71876166 }));
    }

    [TestCase(2UL, 4)]
    [TestCase(1UL, 2)]
    [TestCase(4UL, 8)]
    [TestCase(3UL, 4)]
    public void Unaligned_reads_are_rejected_with_all_ones(ulong offset, int size)
    {
        var device = new RngDevice();
        var expected = size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;
        Assert.That(device.Read(offset, size, Api.Ioread32), Is.EqualTo(expected));
        Assert.That(device.Accesses, Has.Count.EqualTo(1));
        Assert.That(device.Accesses[0].Rejected, Is.True);
        Assert.That(device.Peek(1), Is.EqualTo(new[] { 1804289383 }), "nothing consumed");
    }

    [Test]
    public void Unaligned_write_over_the_seed_register_is_dropped()
    {
        var device = new RngDevice();
        device.Write(2, 4, 42, Api.Iowrite32);
        device.Write(4, 8, 42, Api.Writeq);
        Assert.That(device.Accesses.Select(a => a.Rejected), Is.EqualTo(new[] { true, true }));
        Assert.That(device.Peek(1), Is.EqualTo(new[] { 1804289383 }));
    }

    [Test]
    public void Accesses_are_recorded_in_order_with_their_api()
    {
        var device = new RngDevice();
        device.Write(4, 4, 5, Api.Writel);
        var value = device.Read(0, 4, Api.Readl);
        Assert.That(device.Accesses, Is.EqualTo(new[]
        {
            new MmioAccess(true, 4, 4, 5, Api.Writel),
            new MmioAccess(false, 0, 4, value, Api.Readl),
        }));
    }

    [TestCase(0)]
    [TestCase(3)]
    [TestCase(16)]
    public void Sizes_other_than_1_2_4_8_are_a_grader_bug(int size) =>
        Assert.That(() => new RngDevice().Read(0, size, Api.Ioread32), Throws.InstanceOf<ArgumentOutOfRangeException>());
}
