namespace Autograder.Similarity;

/// <summary>One normalised token: <see cref="Code"/> identifies what it is after abstraction (every
/// identifier is the same code, every number another, ...; keywords and operators are themselves), salted
/// with the language so C and C# never share a code; <see cref="File"/> and <see cref="Line"/> (1-based)
/// map it back to the source for highlighting.</summary>
internal readonly record struct Token(ulong Code, int File, int Line);

/// <summary>The normalised token kinds both lexers abstract to, and the one place token codes are made.</summary>
internal static class TokenCodes
{
    public const string Identifier = "ID";
    public const string Number = "NUM";
    public const string String = "STR";
    public const string Char = "CHR";

    /// <summary>FNV-1a 64 of the language tag and the normalised text: stable across runs and machines.</summary>
    public static ulong Of(char language, string normalised)
    {
        var hash = 14695981039346656037UL;
        hash = (hash ^ language) * 1099511628211UL;
        foreach (var c in normalised)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
