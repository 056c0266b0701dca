using Autograder.KernelApi;
using static Autograder.KernelApi.Kernel;

namespace Autograder.Tests.KernelApi;

internal sealed class MemoryAccessTests : KernelApiTestBase
{
    private const ulong User = 0x0000_2000_0000_0040;

    [Test]
    public void Copy_to_user_copies_the_size_of_the_type()
    {
        uint four = 0x11223344;
        ulong eight = 0x11223344;
        Assert.Multiple(() =>
        {
            Assert.That(copy_to_user(User, four), Is.Zero);
            Assert.That(copy_to_user(User, in eight), Is.Zero);
        });
        Assert.That(Fake.ToUser.Select(c => c.Bytes), Is.EqualTo(new[]
        {
            new byte[] { 0x44, 0x33, 0x22, 0x11 },
            new byte[] { 0x44, 0x33, 0x22, 0x11, 0, 0, 0, 0 },
        }));
        Assert.That(Fake.ToUser.Select(c => (c.Address, c.Api)), Is.All.EqualTo((User, ApiId.CopyToUser)));
    }

    [Test]
    public void Copy_from_user_copies_the_size_of_the_type()
    {
        Assert.That(copy_from_user(out uint four, User), Is.Zero);
        Assert.That(copy_from_user(out ulong eight, User + 8), Is.Zero);
        Assert.Multiple(() =>
        {
            Assert.That(four, Is.EqualTo(42u));
            Assert.That(eight, Is.EqualTo(42ul));
            Assert.That(Fake.FromUser, Is.EqualTo(new[] { (User, 4, ApiId.CopyFromUser), (User + 8, 8, ApiId.CopyFromUser) }));
        });
    }

    [Test]
    public void An_explicit_size_larger_than_the_value_overruns_like_C()
    {
        uint value = 0x11223344;
        Assert.That(copy_to_user(User, value, sizeof(ulong)), Is.Zero);
        Assert.That(Fake.ToUser.Single().Bytes, Is.EqualTo(new byte[] { 0x44, 0x33, 0x22, 0x11, 0, 0, 0, 0 }));

        Fake.UserBytes = [1, 2, 3, 4, 5, 6, 7, 8];
        Assert.That(copy_from_user(out uint seed, User, sizeof(ulong)), Is.Zero);
        Assert.That(Fake.FromUser.Single().Length, Is.EqualTo(8), "the user's variable is read past its end");
        Assert.That(seed, Is.EqualTo(0x04030201u));
    }

    [Test]
    public void An_explicit_size_smaller_than_the_value_copies_a_prefix()
    {
        Assert.That(copy_to_user(User, 0x11223344u, 2), Is.Zero);
        Assert.That(Fake.ToUser.Single().Bytes, Is.EqualTo(new byte[] { 0x44, 0x33 }));
        Assert.That(copy_from_user(out uint seed, User, 1), Is.Zero);
        Assert.That(seed, Is.EqualTo(42u));
    }

    [Test]
    public void Failed_copies_return_the_bytes_not_copied_and_zero_fill()
    {
        Fake.NotCopied = 4;
        Assert.That(copy_to_user(User, 7u), Is.EqualTo(4ul));
        Assert.That(copy_from_user(out uint value, User), Is.EqualTo(4ul));
        Assert.That(value, Is.Zero);
    }

    [Test]
    public void Put_and_get_user_return_zero_or_minus_efault()
    {
        Assert.That(put_user(5u, User), Is.Zero);
        Assert.That(get_user(out uint got, User), Is.Zero);
        Assert.That(got, Is.EqualTo(42u));
        Assert.That(Fake.ToUser.Single().Api, Is.EqualTo(ApiId.PutUser));
        Assert.That(Fake.FromUser.Single().Api, Is.EqualTo(ApiId.GetUser));

        Fake.NotCopied = 1;
        Assert.That(put_user(5u, 0), Is.EqualTo(-EFAULT));
        Assert.That(get_user(out uint bad, 0), Is.EqualTo(-EFAULT));
        Assert.That(bad, Is.Zero);
    }

    [Test]
    public void Byte_array_copies_take_an_explicit_length()
    {
        var buffer = new byte[16];
        Assert.That(copy_to_user(User, buffer, 3), Is.Zero);
        Assert.That(copy_from_user(buffer, User, 2), Is.Zero);
        Assert.Multiple(() =>
        {
            Assert.That(Fake.ToUser.Single().Bytes, Has.Length.EqualTo(3));
            Assert.That(Fake.FromUser.Single().Length, Is.EqualTo(2));
            Assert.That(buffer[0], Is.EqualTo(42));
        });
        Assert.That(() => copy_to_user(User, buffer, 17), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Big_copies_travel_in_pieces_that_fit_a_frame()
    {
        var big = new byte[200_000];
        Assert.That(copy_to_user(User, big, (ulong)big.Length), Is.Zero);
        Assert.That(Fake.ToUser.Sum(c => c.Bytes.Length), Is.EqualTo(big.Length));
        Assert.That(Fake.ToUser.Max(c => c.Bytes.Length), Is.LessThanOrEqualTo(64 * 1024));
        Assert.That(Fake.ToUser.Select(c => c.Address), Is.Ordered.Ascending);
    }

    [Test]
    public void A_failed_piece_ends_a_big_copy_and_counts_the_rest_as_not_copied()
    {
        Fake.NotCopied = 10;
        var big = new byte[200_000];
        Assert.That(copy_from_user(big, User, (ulong)big.Length), Is.EqualTo((ulong)big.Length - (64 * 1024) + 10));
        Assert.That(Fake.FromUser, Has.Count.EqualTo(1));
    }

    [Test]
    public void A_huge_value_type_is_copied_in_pieces_too()
    {
        var huge = new Huge();
        Assert.That(copy_to_user(User, huge), Is.Zero);
        Assert.That(Fake.ToUser, Has.Count.GreaterThan(1));
        Assert.That(Fake.ToUser.Sum(c => c.Bytes.Length), Is.EqualTo(System.Runtime.CompilerServices.Unsafe.SizeOf<Huge>()));
    }

    [System.Runtime.CompilerServices.InlineArray(20_000)]
    private struct Huge
    {
        private long _element;
    }

    [Test]
    public void Ioremap_gives_an_address_and_null_on_failure()
    {
        var mem = ioremap(0xfebf1000, 4096);
        Assert.That(mem, Is.Not.Null);
        Fake.IoremapAnswer = 0;
        Assert.That(ioremap(0xfebf1000, 4096), Is.Null);
        Assert.That(Fake.Calls[0], Is.EqualTo("ioremap febf1000 4096 Ioremap"));
    }

    [Test]
    public void Pointer_arithmetic_moves_the_address()
    {
        var mem = ioremap(0xfebf1000, 4096);
        _ = ioread32(mem);
        _ = ioread32(mem + 4);
        _ = readl(mem + 8L - 4);
        _ = ioread16(mem + 2u);
        _ = ioread8(mem + 1ul);
        Assert.That(Fake.Reads, Is.EqualTo(new[]
        {
            (FakeBackend.MappedVa, 4, ApiId.Ioread32),
            (FakeBackend.MappedVa + 4, 4, ApiId.Ioread32),
            (FakeBackend.MappedVa + 4, 4, ApiId.Readl),
            (FakeBackend.MappedVa + 2, 2, ApiId.Ioread16),
            (FakeBackend.MappedVa + 1, 1, ApiId.Ioread8),
        }));
    }

    [Test]
    public void Reads_are_truncated_to_the_access_size()
    {
        var mem = ioremap(0xfebf1000, 4096);
        Fake.ReadAnswer = 0x1_2345_6789;
        Assert.Multiple(() =>
        {
            Assert.That(ioread32(mem), Is.EqualTo(0x2345_6789u));
            Assert.That(ioread16(mem), Is.EqualTo((ushort)0x6789));
            Assert.That(ioread8(mem), Is.EqualTo((byte)0x89));
            Assert.That(readq(mem), Is.EqualTo(0x1_2345_6789ul));
        });
    }

    [Test]
    public void Writes_carry_size_value_and_api()
    {
        var mem = ioremap(0xfebf1000, 4096);
        iowrite32(42, mem + 4);
        writel(7, mem + 4);
        iowrite8(1, mem);
        writeq(0x1_0000_0002, mem);
        Assert.That(Fake.Writes, Is.EqualTo(new[]
        {
            (FakeBackend.MappedVa + 4, 4, 42ul, ApiId.Iowrite32),
            (FakeBackend.MappedVa + 4, 4, 7ul, ApiId.Writel),
            (FakeBackend.MappedVa, 1, 1ul, ApiId.Iowrite8),
            (FakeBackend.MappedVa, 8, 0x1_0000_0002ul, ApiId.Writeq),
        }));
    }

    [Test]
    public void A_null_mapping_reads_address_zero_and_null_plus_offset_stays_bad()
    {
        IoMem? none = null;
        _ = ioread32(none);
        iowrite32(1, none + 4);
        Assert.That(Fake.Reads.Single().Va, Is.Zero);
        Assert.That(Fake.Writes.Single().Va, Is.EqualTo(4ul));
    }

    [Test]
    public void The_indexer_is_a_direct_dereference_and_oopses()
    {
        var mem = ioremap(0xfebf1000, 4096)!;
        Assert.That(() => mem[2], Throws.InstanceOf<KernelOopsException>());
        Assert.That(() => mem[1] = 5, Throws.InstanceOf<KernelOopsException>());
        Assert.That(Fake.Oopses, Has.Count.EqualTo(2));
        Assert.Multiple(() =>
        {
            Assert.That(Fake.Oopses[0].Kind, Is.EqualTo(OopsCode.IoDeref));
            Assert.That(Fake.Oopses[0].Address, Is.EqualTo(FakeBackend.MappedVa + 8));
            Assert.That(Fake.Oopses[0].Message, Does.Contain("ioread32()/readl()"));
            Assert.That(Fake.Oopses[1].Address, Is.EqualTo(FakeBackend.MappedVa + 4));
            Assert.That(Fake.Reads, Is.Empty);
            Assert.That(Fake.Writes, Is.Empty);
        });
    }

    [Test]
    public void Iounmap_forwards_the_address()
    {
        var mem = ioremap(0xfebf1000, 4096);
        iounmap(mem);
        iounmap(null);
        Assert.That(Fake.Calls.Skip(1), Is.EqualTo(new[] { $"iounmap {FakeBackend.MappedVa:x} Iounmap", "iounmap 0 Iounmap" }));
    }
}
