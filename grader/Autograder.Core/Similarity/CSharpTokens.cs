using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Autograder.Similarity;

/// <summary>C# through Roslyn's lexer: comments, layout and preprocessor directives are trivia and never
/// become tokens; identifiers (contextual keywords such as <c>var</c> included, as Roslyn lexes them) and
/// literals are abstracted as in C; keywords and operators stay themselves (their kind). Parsing never
/// fails: broken code still yields its tokens.</summary>
internal static class CSharpTokens
{
    private const char Lang = 's';

    private static readonly ulong IdentifierCode = TokenCodes.Of(Lang, TokenCodes.Identifier);
    private static readonly ulong NumberCode = TokenCodes.Of(Lang, TokenCodes.Number);
    private static readonly ulong StringCode = TokenCodes.Of(Lang, TokenCodes.String);
    private static readonly ulong CharCode = TokenCodes.Of(Lang, TokenCodes.Char);

    private static readonly ConcurrentDictionary<SyntaxKind, ulong> KindCodes = new();

    private static readonly CSharpParseOptions Options = new(LanguageVersion.Latest, DocumentationMode.None);

    public static void Tokenize(string text, int file, List<Token> tokens)
    {
        var tree = CSharpSyntaxTree.ParseText(text, Options);
        var lines = tree.GetText().Lines;
        var lastWasString = false;
        foreach (var token in tree.GetRoot().DescendantTokens())
        {
            var kind = token.Kind();
            if (kind == SyntaxKind.EndOfFileToken || token.IsMissing)
            {
                continue;
            }

            var isString = kind is SyntaxKind.StringLiteralToken or SyntaxKind.InterpolatedStringTextToken
                or SyntaxKind.SingleLineRawStringLiteralToken or SyntaxKind.MultiLineRawStringLiteralToken
                or SyntaxKind.Utf8StringLiteralToken;
            if (isString && lastWasString)
            {
                continue;
            }

            var code = kind switch
            {
                SyntaxKind.IdentifierToken => IdentifierCode,
                SyntaxKind.NumericLiteralToken => NumberCode,
                SyntaxKind.CharacterLiteralToken => CharCode,
                _ when isString => StringCode,
                _ => KindCodes.GetOrAdd(kind, k => TokenCodes.Of(Lang, k.ToString())),
            };
            tokens.Add(new Token(code, file, lines.GetLineFromPosition(token.SpanStart).LineNumber + 1));
            lastWasString = isString;
        }
    }
}
