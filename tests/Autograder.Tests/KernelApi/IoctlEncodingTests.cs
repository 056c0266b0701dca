using Autograder.KernelApi;
using static Autograder.KernelApi.Kernel;

namespace Autograder.Tests.KernelApi;

internal sealed class IoctlEncodingTests
{
    [Test]
    public void The_exercise_numbers_come_out_of_the_encoders()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_IOR<uint>('q', 1), Is.EqualTo(0x80047101u), "RAND = _IOR('q', 1, unsigned int)");
            Assert.That(_IOW<uint>('q', 1), Is.EqualTo(0x40047101u), "SEED = _IOW('q', 1, unsigned int)");
            Assert.That(_IOR<ulong>('q', 1), Is.EqualTo(0x80087101u), "size 8: unsigned long or a pointer");
            Assert.That(_IOR<nuint>('q', 1), Is.EqualTo(0x80087101u), "a pointer's size on 64-bit");
            Assert.That(_IOR<ulong>('q', 2), Is.EqualTo(0x80087102u), "the 64-bit RAND extension");
            Assert.That(_IOWR<uint>('q', 1), Is.EqualTo(0xC0047101u));
            Assert.That(_IO('q', 1), Is.EqualTo(0x7101u));
            Assert.That(_IOR<uint>('r', 1), Is.EqualTo(0x80047201u));
        });
    }

    [Test]
    public void Explicit_size_overloads_match_the_generic_ones()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_IOR('q', 1, 4), Is.EqualTo(_IOR<uint>('q', 1)));
            Assert.That(_IOW('q', 1, 4), Is.EqualTo(_IOW<uint>('q', 1)));
            Assert.That(_IOWR('q', 3, 8), Is.EqualTo(_IOWR<long>('q', 3)));
            Assert.That(_IOC(_IOC_READ, 'q', 1, 4), Is.EqualTo(0x80047101u));
        });
    }

    [Test]
    public void Decoders_take_the_fields_apart()
    {
        const uint cmd = 0x80087102;
        Assert.Multiple(() =>
        {
            Assert.That(_IOC_DIR(cmd), Is.EqualTo(_IOC_READ));
            Assert.That(_IOC_TYPE(cmd), Is.EqualTo((uint)'q'));
            Assert.That(_IOC_NR(cmd), Is.EqualTo(2u));
            Assert.That(_IOC_SIZE(cmd), Is.EqualTo(8u));
            Assert.That(_IOC_DIR(_IOW<uint>('q', 1)), Is.EqualTo(_IOC_WRITE));
            Assert.That(_IOC_DIR(_IO('q', 1)), Is.EqualTo(_IOC_NONE));
        });
    }

    [Test]
    public void Fields_are_masked_to_their_widths()
    {
        Assert.That(_IOC(_IOC_READ, 0x1ff, 0x1ff, 0x1_0004), Is.EqualTo(_IOC(_IOC_READ, 0xff, 0xff, 4)));
    }

    [Test]
    public void Errno_values_are_linux_values()
    {
        Assert.Multiple(() =>
        {
            Assert.That(EFAULT, Is.EqualTo(14));
            Assert.That(ENOTTY, Is.EqualTo(25));
            Assert.That(EINVAL, Is.EqualTo(22));
            Assert.That(ENOMEM, Is.EqualTo(12));
            Assert.That(EBUSY, Is.EqualTo(16));
            Assert.That(ENOSYS, Is.EqualTo(38));
            Assert.That(KERN_INFO, Is.EqualTo("\u00016"));
            Assert.That(KERN_CONT, Is.EqualTo("\u0001c"));
        });
    }

    [Test]
    public void Api_ids_mirror_the_wire_protocol()
    {
        foreach (var api in Enum.GetValues<Autograder.Protocol.Api>())
        {
            Assert.That(Enum.TryParse<ApiId>(api.ToString(), out var mirror), Is.True, $"ApiId lacks {api}");
            Assert.That((byte)mirror, Is.EqualTo((byte)api), api.ToString());
        }

        Assert.That(Enum.GetValues<ApiId>(), Has.Length.EqualTo(Enum.GetValues<Autograder.Protocol.Api>().Length));
        foreach (var kind in Enum.GetValues<Autograder.Protocol.OopsKind>())
        {
            Assert.That((byte)Enum.Parse<OopsCode>(kind.ToString()), Is.EqualTo((byte)kind), kind.ToString());
        }
    }
}
