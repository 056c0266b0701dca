namespace Autograder.KernelApi;

public static partial class Kernel
{
    /// <summary>
    /// An <c>void __iomem *</c>: the virtual address of a device mapping, as ioremap returns it. Read and write
    /// it only through <see cref="ioread32"/>/<see cref="readl"/> and friends; pointer arithmetic
    /// (<c>devmem + 4</c>) works as in C. A null <see cref="IoMem"/> is C's NULL.
    /// </summary>
    public sealed class IoMem
    {
        internal IoMem(ulong address) => Address = address;

        /// <summary>The kernel virtual address (opaque to drivers; shown by <c>%p</c>).</summary>
        internal ulong Address { get; }

        /// <summary>Pointer arithmetic: the address <paramref name="offset"/> bytes further (NULL + n stays a bad pointer).</summary>
        /// <param name="addr">The base address (null is NULL).</param>
        /// <param name="offset">A byte offset.</param>
        public static IoMem operator +(IoMem? addr, int offset) => new(At(addr) + (ulong)(long)offset);

        /// <summary>Pointer arithmetic with a 64-bit offset.</summary>
        /// <param name="addr">The base address (null is NULL).</param>
        /// <param name="offset">A byte offset.</param>
        public static IoMem operator +(IoMem? addr, long offset) => new(At(addr) + (ulong)offset);

        /// <summary>Pointer arithmetic with an unsigned offset.</summary>
        /// <param name="addr">The base address (null is NULL).</param>
        /// <param name="offset">A byte offset.</param>
        public static IoMem operator +(IoMem? addr, uint offset) => new(At(addr) + offset);

        /// <summary>Pointer arithmetic with an unsigned 64-bit offset.</summary>
        /// <param name="addr">The base address (null is NULL).</param>
        /// <param name="offset">A byte offset.</param>
        public static IoMem operator +(IoMem? addr, ulong offset) => new(At(addr) + offset);

        /// <summary>Pointer arithmetic backwards.</summary>
        /// <param name="addr">The base address (null is NULL).</param>
        /// <param name="offset">A byte offset.</param>
        public static IoMem operator -(IoMem? addr, int offset) => new(At(addr) - (ulong)(long)offset);

        /// <summary>Pointer arithmetic backwards with a 64-bit offset.</summary>
        /// <param name="addr">The base address (null is NULL).</param>
        /// <param name="offset">A byte offset.</param>
        public static IoMem operator -(IoMem? addr, long offset) => new(At(addr) - (ulong)offset);

        /// <summary>
        /// A direct dereference, <c>((u32 *)devmem)[index]</c>. On real hardware this is wrong (and faults on
        /// some architectures): the kernel reports it as an oops. Use <see cref="ioread32"/> or <see cref="readl"/>.
        /// </summary>
        /// <param name="index">The 32-bit word index.</param>
        public uint this[int index]
        {
            get => throw DirectDeref(index);
            set => throw DirectDeref(index);
        }

        /// <summary>Shows the address like C's <c>%p</c>.</summary>
        public override string ToString() => Address.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

        private KernelOopsException DirectDeref(int index) =>
            Backend.Oops(OopsCode.IoDeref, Address + (ulong)((long)index * 4),
                "direct dereference of an ioremap'd address: use ioread32()/readl()");

        internal static ulong At(IoMem? addr) => addr?.Address ?? 0;
    }

    /// <summary>Maps <paramref name="size"/> bytes of device memory at physical address <paramref name="phys"/>.</summary>
    /// <param name="phys">The physical (bus) address, e.g. the device's BAR0.</param>
    /// <param name="size">How many bytes to map.</param>
    /// <returns>The mapping, or null (NULL) when it fails.</returns>
    public static IoMem? ioremap(ulong phys, ulong size) => Map(phys, size, ApiId.Ioremap);

    /// <summary>Write-combining variant of <see cref="ioremap"/> (the same here).</summary>
    /// <param name="phys">The physical address.</param>
    /// <param name="size">How many bytes to map.</param>
    /// <returns>The mapping, or null when it fails.</returns>
    public static IoMem? ioremap_wc(ulong phys, ulong size) => Map(phys, size, ApiId.Ioremap);

    /// <summary>Uncached variant of <see cref="ioremap"/> (the same here).</summary>
    /// <param name="phys">The physical address.</param>
    /// <param name="size">How many bytes to map.</param>
    /// <returns>The mapping, or null when it fails.</returns>
    public static IoMem? ioremap_uc(ulong phys, ulong size) => Map(phys, size, ApiId.Ioremap);

    /// <summary>Releases a mapping made by <see cref="ioremap"/>.</summary>
    /// <param name="addr">The address ioremap returned.</param>
    public static void iounmap(IoMem? addr) => Backend.Iounmap(IoMem.At(addr), ApiId.Iounmap);

    /// <summary>Reads 8 bits of device memory.</summary>
    /// <param name="addr">A mapped address.</param>
    public static byte ioread8(IoMem? addr) => (byte)Backend.MmioRead(IoMem.At(addr), 1, ApiId.Ioread8);

    /// <summary>Reads 16 bits of device memory.</summary>
    /// <param name="addr">A mapped address.</param>
    public static ushort ioread16(IoMem? addr) => (ushort)Backend.MmioRead(IoMem.At(addr), 2, ApiId.Ioread16);

    /// <summary>Reads 32 bits of device memory.</summary>
    /// <param name="addr">A mapped address.</param>
    public static uint ioread32(IoMem? addr) => (uint)Backend.MmioRead(IoMem.At(addr), 4, ApiId.Ioread32);

    /// <summary>Writes 8 bits of device memory.</summary>
    /// <param name="value">The value.</param>
    /// <param name="addr">A mapped address.</param>
    public static void iowrite8(byte value, IoMem? addr) => Backend.MmioWrite(IoMem.At(addr), 1, value, ApiId.Iowrite8);

    /// <summary>Writes 16 bits of device memory.</summary>
    /// <param name="value">The value.</param>
    /// <param name="addr">A mapped address.</param>
    public static void iowrite16(ushort value, IoMem? addr) => Backend.MmioWrite(IoMem.At(addr), 2, value, ApiId.Iowrite16);

    /// <summary>Writes 32 bits of device memory.</summary>
    /// <param name="value">The value.</param>
    /// <param name="addr">A mapped address.</param>
    public static void iowrite32(uint value, IoMem? addr) => Backend.MmioWrite(IoMem.At(addr), 4, value, ApiId.Iowrite32);

    /// <summary>Reads 8 bits of device memory.</summary>
    /// <param name="addr">A mapped address.</param>
    public static byte readb(IoMem? addr) => (byte)Backend.MmioRead(IoMem.At(addr), 1, ApiId.Readb);

    /// <summary>Reads 16 bits of device memory.</summary>
    /// <param name="addr">A mapped address.</param>
    public static ushort readw(IoMem? addr) => (ushort)Backend.MmioRead(IoMem.At(addr), 2, ApiId.Readw);

    /// <summary>Reads 32 bits of device memory.</summary>
    /// <param name="addr">A mapped address.</param>
    public static uint readl(IoMem? addr) => (uint)Backend.MmioRead(IoMem.At(addr), 4, ApiId.Readl);

    /// <summary>Reads 64 bits of device memory (the device sees two 32-bit accesses).</summary>
    /// <param name="addr">A mapped address.</param>
    public static ulong readq(IoMem? addr) => Backend.MmioRead(IoMem.At(addr), 8, ApiId.Readq);

    /// <summary>Writes 8 bits of device memory.</summary>
    /// <param name="value">The value.</param>
    /// <param name="addr">A mapped address.</param>
    public static void writeb(byte value, IoMem? addr) => Backend.MmioWrite(IoMem.At(addr), 1, value, ApiId.Writeb);

    /// <summary>Writes 16 bits of device memory.</summary>
    /// <param name="value">The value.</param>
    /// <param name="addr">A mapped address.</param>
    public static void writew(ushort value, IoMem? addr) => Backend.MmioWrite(IoMem.At(addr), 2, value, ApiId.Writew);

    /// <summary>Writes 32 bits of device memory.</summary>
    /// <param name="value">The value.</param>
    /// <param name="addr">A mapped address.</param>
    public static void writel(uint value, IoMem? addr) => Backend.MmioWrite(IoMem.At(addr), 4, value, ApiId.Writel);

    /// <summary>Writes 64 bits of device memory (the device sees two 32-bit accesses).</summary>
    /// <param name="value">The value.</param>
    /// <param name="addr">A mapped address.</param>
    public static void writeq(ulong value, IoMem? addr) => Backend.MmioWrite(IoMem.At(addr), 8, value, ApiId.Writeq);

    private static IoMem? Map(ulong phys, ulong size, ApiId api)
    {
        var va = Backend.Ioremap(phys, size, api);
        return va == 0 ? null : new IoMem(va);
    }
}
