namespace Autograder.Similarity;

/// <summary>
/// A small C lexer for similarity, not for compiling: it never fails, whatever the text. Comments and
/// layout are dropped; identifiers (and macro names: the kernel's <c>__init</c> is one) become one token,
/// numbers another, string literals another (adjacent literals are one, as the compiler joins them, so
/// splitting a string changes nothing), character literals another; keywords and operators stay
/// themselves. Preprocessor lines: <c>#define</c> is kept as <c>#define</c>, its name and its body's tokens
/// (a copied driver copies its macros; the handout's own macros are removed as part of the base);
/// every other directive (<c>#include</c>, <c>#if</c>, <c>#pragma</c>, ...) is dropped, since which headers a
/// driver includes says nothing about who wrote it.
/// </summary>
internal static class CLexer
{
    private const char Lang = 'c';

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
        "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
        "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
        "_Bool", "_Static_assert", "_Alignof", "_Alignas", "_Generic", "_Noreturn", "_Thread_local",
        "__attribute__", "__inline", "__inline__", "__volatile__", "asm", "__asm__", "typeof", "__typeof__",
    };

    // Longest first, so the first match is the longest.
    private static readonly string[] Punctuators =
    [
        "...", "<<=", ">>=", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "*=", "/=", "%=",
        "+=", "-=", "&=", "^=", "|=", "##",
    ];

    private static readonly ulong IdentifierCode = TokenCodes.Of(Lang, TokenCodes.Identifier);
    private static readonly ulong NumberCode = TokenCodes.Of(Lang, TokenCodes.Number);
    private static readonly ulong StringCode = TokenCodes.Of(Lang, TokenCodes.String);
    private static readonly ulong CharCode = TokenCodes.Of(Lang, TokenCodes.Char);
    private static readonly ulong DefineCode = TokenCodes.Of(Lang, "#define");
    private static readonly Dictionary<string, ulong> KeywordCodes = Keywords.ToDictionary(k => k, k => TokenCodes.Of(Lang, k), StringComparer.Ordinal);
    private static readonly ulong[] PunctuatorCodes = [.. Punctuators.Select(p => TokenCodes.Of(Lang, p))];
    private static readonly ulong[] CharCodes = [.. Enumerable.Range(0, 128).Select(c => TokenCodes.Of(Lang, ((char)c).ToString()))];

    /// <summary>Appends the tokens of <paramref name="text"/> (file number <paramref name="file"/>) to <paramref name="tokens"/>.</summary>
    public static void Tokenize(string text, int file, List<Token> tokens)
    {
        var i = 0;
        var line = 1;
        var lineStart = true;       // only layout so far on this line: a '#' here starts a directive
        var skipDirective = false;  // inside a directive other than #define (dropped up to the line's end)
        var lastWasString = false;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                i++;
                lineStart = true;
                skipDirective = false;
                continue;
            }

            if (c == '\\' && i + 1 < text.Length && (text[i + 1] == '\n' || (text[i + 1] == '\r' && i + 2 < text.Length && text[i + 2] == '\n')))
            {
                // A line continuation: the logical line (and any directive) goes on.
                i += text[i + 1] == '\r' ? 3 : 2;
                line++;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? text.Length : end + 2;
                line += Count(text, i, end, '\n');
                i = end;
                continue;
            }

            if (skipDirective)
            {
                i++;
                continue;
            }

            if (c == '#' && lineStart)
            {
                var start = i + 1;
                while (start < text.Length && text[start] is ' ' or '\t')
                {
                    start++;
                }

                var nameEnd = start;
                while (nameEnd < text.Length && char.IsAsciiLetter(text[nameEnd]))
                {
                    nameEnd++;
                }

                if (text.AsSpan(start, nameEnd - start).SequenceEqual("define"))
                {
                    // The body's tokens follow as ordinary tokens; the newline ends the directive.
                    tokens.Add(new Token(DefineCode, file, line));
                }
                else
                {
                    skipDirective = true;
                }

                i = nameEnd;
                lineStart = false;
                lastWasString = false;
                continue;
            }

            lineStart = false;
            if (char.IsAsciiLetter(c) || c == '_' || c == '$')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '$'))
                {
                    i++;
                }

                var word = text.AsSpan(start, i - start);
                // L"..", u8"..", u'..': an encoding prefix belongs to the literal that follows it.
                if (i < text.Length && text[i] is '"' or '\'' && word is "L" or "u" or "U" or "u8")
                {
                    continue;
                }

                var lookup = KeywordCodes.GetAlternateLookup<ReadOnlySpan<char>>();
                tokens.Add(new Token(lookup.TryGetValue(word, out var keyword) ? keyword : IdentifierCode, file, line));
                lastWasString = false;
                continue;
            }

            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                // A preprocessing number: digits, letters, dots, and a sign right after an exponent.
                i++;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '.' or '_'
                                           || (text[i] is '+' or '-' && text[i - 1] is 'e' or 'E' or 'p' or 'P')))
                {
                    i++;
                }

                tokens.Add(new Token(NumberCode, file, line));
                lastWasString = false;
                continue;
            }

            if (c is '"' or '\'')
            {
                var startLine = line;
                i = SkipLiteral(text, i, ref line);
                if (c == '\'')
                {
                    tokens.Add(new Token(CharCode, file, startLine));
                    lastWasString = false;
                }
                else if (!lastWasString)
                {
                    tokens.Add(new Token(StringCode, file, startLine));
                    lastWasString = true;
                }

                continue;
            }

            var length = 1;
            if (char.IsAscii(c) && !char.IsControl(c))
            {
                var code = CharCodes[c];
                for (var p = 0; p < Punctuators.Length; p++)
                {
                    if (Punctuators[p][0] == c && string.CompareOrdinal(text, i, Punctuators[p], 0, Punctuators[p].Length) == 0)
                    {
                        code = PunctuatorCodes[p];
                        length = Punctuators[p].Length;
                        break;
                    }
                }

                tokens.Add(new Token(code, file, line));
            }

            // Anything else (non-ASCII outside literals, stray control characters) is not C: skipped.
            i += length;
            lastWasString = false;
        }
    }

    /// <summary>The index after the literal starting at <paramref name="i"/>; an unterminated one ends at the line's end.</summary>
    private static int SkipLiteral(string text, int i, ref int line)
    {
        var quote = text[i++];
        while (i < text.Length && text[i] != quote && text[i] != '\n')
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                if (text[i + 1] == '\n')
                {
                    line++;
                }

                i++;
            }

            i++;
        }

        return i < text.Length && text[i] == quote ? i + 1 : i;
    }

    private static int Count(string text, int from, int to, char c)
    {
        var n = 0;
        for (var k = from; k < to; k++)
        {
            if (text[k] == c)
            {
                n++;
            }
        }

        return n;
    }
}
