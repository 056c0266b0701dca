using System.Runtime.InteropServices;

namespace Autograder.KernelApi;

public static partial class Kernel
{
    /// <summary>
    /// Copies <paramref name="from"/> to user space at <paramref name="to"/>. The number of bytes copied is
    /// the size of <typeparamref name="T"/>: copying a <c>ulong</c> into the user's 4-byte variable copies 8.
    /// </summary>
    /// <typeparam name="T">The value's type (its size is what gets copied).</typeparam>
    /// <param name="to">The user-space address (the ioctl's <c>arg</c>).</param>
    /// <param name="from">The kernel value to copy.</param>
    /// <returns>The number of bytes that could NOT be copied: 0 on success.</returns>
    public static ulong copy_to_user<T>(ulong to, in T from) where T : unmanaged =>
        CopyToUserChunked(to, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in from)), ApiId.CopyToUser);

    /// <summary>
    /// Copies a value from user space at <paramref name="from"/> into <paramref name="to"/>. The number of
    /// bytes copied is the size of <typeparamref name="T"/>; what could not be copied is zero-filled.
    /// </summary>
    /// <typeparam name="T">The value's type (its size is what gets copied).</typeparam>
    /// <param name="to">Receives the value.</param>
    /// <param name="from">The user-space address (the ioctl's <c>arg</c>).</param>
    /// <returns>The number of bytes that could NOT be copied: 0 on success.</returns>
    public static ulong copy_from_user<T>(out T to, ulong from) where T : unmanaged
    {
        to = default;
        return CopyFromUserChunked(MemoryMarshal.AsBytes(new Span<T>(ref to)), from, ApiId.CopyFromUser);
    }

    /// <summary>
    /// C's <c>copy_to_user(to, &amp;value, n)</c>: copies <paramref name="n"/> bytes starting at the value. When
    /// <paramref name="n"/> exceeds the value's size (<c>sizeof(unsigned long)</c> for an <c>unsigned int</c>), C
    /// copies whatever follows the variable; here zero bytes follow, and the user still receives
    /// <paramref name="n"/> bytes.
    /// </summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="to">The user-space address.</param>
    /// <param name="from">The kernel value.</param>
    /// <param name="n">How many bytes to copy.</param>
    /// <returns>The number of bytes that could NOT be copied: 0 on success.</returns>
    public static ulong copy_to_user<T>(ulong to, in T from, ulong n) where T : unmanaged
    {
        var value = MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in from));
        var sent = (int)Math.Min(n, MaxCopy);
        var bytes = new byte[sent];
        value[..Math.Min(sent, value.Length)].CopyTo(bytes);
        return CopyToUserChunked(to, bytes, ApiId.CopyToUser) + (n - (ulong)sent);
    }

    /// <summary>
    /// C's <c>copy_from_user(&amp;value, from, n)</c>: copies <paramref name="n"/> bytes from user space into the
    /// value. Bytes beyond the value's size are read from user space (as C reads them) and dropped, where C
    /// would overwrite whatever follows the variable.
    /// </summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="to">Receives the value.</param>
    /// <param name="from">The user-space address.</param>
    /// <param name="n">How many bytes to copy.</param>
    /// <returns>The number of bytes that could NOT be copied: 0 on success.</returns>
    public static ulong copy_from_user<T>(out T to, ulong from, ulong n) where T : unmanaged
    {
        to = default;
        var received = (int)Math.Min(n, MaxCopy);
        var bytes = new byte[received];
        var notCopied = CopyFromUserChunked(bytes, from, ApiId.CopyFromUser) + (n - (ulong)received);
        var value = MemoryMarshal.AsBytes(new Span<T>(ref to));
        bytes.AsSpan(0, Math.Min(received, value.Length)).CopyTo(value);
        return notCopied;
    }

    /// <summary>Copies the first <paramref name="n"/> bytes of <paramref name="from"/> to user space.</summary>
    /// <param name="to">The user-space address.</param>
    /// <param name="from">The kernel buffer.</param>
    /// <param name="n">How many bytes to copy.</param>
    /// <returns>The number of bytes that could NOT be copied: 0 on success.</returns>
    public static ulong copy_to_user(ulong to, byte[] from, ulong n)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, (ulong)from.Length);
        return CopyToUserChunked(to, from.AsSpan(0, (int)n), ApiId.CopyToUser);
    }

    /// <summary>Copies <paramref name="n"/> bytes from user space into <paramref name="to"/>; what could not be copied is zero-filled.</summary>
    /// <param name="to">The kernel buffer.</param>
    /// <param name="from">The user-space address.</param>
    /// <param name="n">How many bytes to copy.</param>
    /// <returns>The number of bytes that could NOT be copied: 0 on success.</returns>
    public static ulong copy_from_user(byte[] to, ulong from, ulong n)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, (ulong)to.Length);
        return CopyFromUserChunked(to.AsSpan(0, (int)n), from, ApiId.CopyFromUser);
    }

    /// <summary>Stores one value at a user-space address (its type's size).</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="ptr">The user-space address.</param>
    /// <returns>0, or -<see cref="EFAULT"/> when the address is bad.</returns>
    public static int put_user<T>(T value, ulong ptr) where T : unmanaged =>
        Backend.CopyToUser(ptr, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)), ApiId.PutUser) == 0 ? 0 : -EFAULT;

    /// <summary>Loads one value from a user-space address (its type's size); 0 when the address is bad.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">Receives the value.</param>
    /// <param name="ptr">The user-space address.</param>
    /// <returns>0, or -<see cref="EFAULT"/> when the address is bad.</returns>
    public static int get_user<T>(out T value, ulong ptr) where T : unmanaged
    {
        value = default;
        var notCopied = Backend.CopyFromUser(MemoryMarshal.AsBytes(new Span<T>(ref value)), ptr, ApiId.GetUser);
        if (notCopied != 0)
        {
            value = default;
            return -EFAULT;
        }

        return 0;
    }

    // A frame carries at most 1 MiB, so big copies (a large array, or a driver's huge struct) travel in
    // pieces; the first short piece ends the copy, as the kernel's copy stops at the first fault.
    private const int CopyChunk = 64 * 1024;

    // No user buffer is larger than the user window (16 MiB): past it a copy cannot but fault.
    private const ulong MaxCopy = 16 << 20;

    private static ulong CopyToUserChunked(ulong to, ReadOnlySpan<byte> data, ApiId api)
    {
        if (data.Length <= CopyChunk)
        {
            return Backend.CopyToUser(to, data, api);
        }

        for (var done = 0; done < data.Length; done += CopyChunk)
        {
            var piece = data.Slice(done, Math.Min(CopyChunk, data.Length - done));
            var left = Backend.CopyToUser(to + (ulong)done, piece, api);
            if (left != 0)
            {
                return (ulong)(data.Length - done - piece.Length) + left;
            }
        }

        return 0;
    }

    private static ulong CopyFromUserChunked(Span<byte> into, ulong from, ApiId api)
    {
        if (into.Length <= CopyChunk)
        {
            return Backend.CopyFromUser(into, from, api);
        }

        for (var done = 0; done < into.Length; done += CopyChunk)
        {
            var piece = into.Slice(done, Math.Min(CopyChunk, into.Length - done));
            var left = Backend.CopyFromUser(piece, from + (ulong)done, api);
            if (left != 0)
            {
                into[(done + piece.Length)..].Clear();
                return (ulong)(into.Length - done - piece.Length) + left;
            }
        }

        return 0;
    }
}
