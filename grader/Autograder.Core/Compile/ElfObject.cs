using System.Buffers.Binary;
using System.Text;

namespace Autograder.Compile;

/// <summary>One symbol of a relocatable object. <see cref="Section"/> 0 is undefined (SHN_UNDEF).</summary>
internal readonly record struct ElfSymbol(string Name, int Type, int Bind, int Section)
{
    public const int TypeObject = 1, TypeFunction = 2, TypeIfunc = 10;
    public const int BindLocal = 0;

    public bool Defined => Section != 0;
}

/// <summary>
/// The section names and symbols of an x86-64 relocatable object (gcc -c output): what the grader checks
/// before the host's loader maps a driver. Read in process (no readelf/nm per submission). Malformed input
/// gives a problem, never an exception: the object's content is the student's (asm can shape it).
/// </summary>
internal sealed record ElfObject(IReadOnlyList<string> Sections, IReadOnlyList<ElfSymbol> Symbols)
{
    private const int SectionHeaderSize = 64, SymbolSize = 24, SymtabType = 2;

    /// <summary>The largest object read (what the compile box lets gcc write: <see cref="BoxLimits.FileLimitBytes"/>).</summary>
    public const long MaxFileBytes = BoxLimits.FileLimitBytes;

    public static ElfObject? Read(string path, out string? problem)
    {
        var length = new FileInfo(path).Length;
        if (length > MaxFileBytes)
        {
            problem = $"the compiled driver is {length >> 20} MiB, over the limit of {MaxFileBytes >> 20} MiB";
            return null;
        }

        return Read(File.ReadAllBytes(path), out problem);
    }

    public static ElfObject? Read(ReadOnlySpan<byte> file, out string? problem)
    {
        problem = "the compiled driver is not an x86-64 relocatable ELF object";
        // ELF magic, 64-bit, little-endian, ET_REL, EM_X86_64.
        if (file.Length < 64 || !file[..4].SequenceEqual("\u007fELF"u8) || file[4] != 2 || file[5] != 1
            || U16(file, 16) != 1 || U16(file, 18) != 62 || U16(file, 58) != SectionHeaderSize)
        {
            return null;
        }

        var shoff = U64(file, 40);
        var count = U16(file, 60);
        var names = U16(file, 62);
        if (shoff > (ulong)file.Length || (ulong)count * SectionHeaderSize > (ulong)file.Length - shoff || names >= count)
        {
            return null;
        }

        var headers = file.Slice((int)shoff, count * SectionHeaderSize);
        var sections = new string[count];
        var sectionNames = Contents(file, headers, names);
        ElfSymbol[] symbols = [];
        for (var i = 0; i < count; i++)
        {
            var h = headers.Slice(i * SectionHeaderSize, SectionHeaderSize);
            sections[i] = Name(sectionNames, U32(h, 0));
            if (U32(h, 4) != SymtabType)
            {
                continue;
            }

            var link = (int)U32(h, 40);
            var table = Contents(file, headers, i);
            if (link >= count || table.Length % SymbolSize != 0)
            {
                return null;
            }

            var strings = Contents(file, headers, link);
            symbols = new ElfSymbol[table.Length / SymbolSize];
            for (var s = 0; s < symbols.Length; s++)
            {
                var e = table.Slice(s * SymbolSize, SymbolSize);
                symbols[s] = new ElfSymbol(Name(strings, U32(e, 0)), e[4] & 0xf, e[4] >> 4, U16(e, 6));
            }
        }

        problem = null;
        return new ElfObject(sections, symbols);
    }

    /// <summary>A section's bytes, or empty when it has none or they lie outside the file.</summary>
    private static ReadOnlySpan<byte> Contents(ReadOnlySpan<byte> file, ReadOnlySpan<byte> headers, int index)
    {
        var h = headers.Slice(index * SectionHeaderSize, SectionHeaderSize);
        var (offset, size) = (U64(h, 24), U64(h, 32));
        const int NoBits = 8;
        return U32(h, 4) == NoBits || offset > (ulong)file.Length || size > (ulong)file.Length - offset
            ? []
            : file.Slice((int)offset, (int)size);
    }

    private static string Name(ReadOnlySpan<byte> table, uint at)
    {
        if (at >= table.Length)
        {
            return "";
        }

        var rest = table[(int)at..];
        var end = rest.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? rest : rest[..end]);
    }

    private static int U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);

    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);

    private static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);
}
