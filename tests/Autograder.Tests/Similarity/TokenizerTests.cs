using Autograder.Similarity;
using Autograder.Submissions;

namespace Autograder.Tests.Similarity;

public sealed class TokenizerTests
{
    private static Token[] C(string text) => Fingerprinted.Tokenize(SimilarityDocument.FromText("t", Language.C, "t.c", text));

    private static Token[] CSharp(string text) => Fingerprinted.Tokenize(SimilarityDocument.FromText("t", Language.CSharp, "t.cs", text));

    private static ulong[] Codes(Token[] tokens) => [.. tokens.Select(t => t.Code)];

    [Test]
    public void C_comments_and_layout_are_dropped_and_names_and_literals_abstracted()
    {
        var a = C("static int f(int x) { return x + 42; } // the answer");
        var b = C("/* renamed */\nstatic   int\ngive_back(int value)\n{\n\treturn value+7;\n}\n");

        Assert.That(Codes(a), Is.EqualTo(Codes(b)));
        Assert.That(a, Has.Length.EqualTo(14));
    }

    [Test]
    public void C_keywords_and_operators_stay_themselves()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Codes(C("if (a) b;")), Is.Not.EqualTo(Codes(C("while (a) b;"))));
            Assert.That(Codes(C("a += b;")), Is.Not.EqualTo(Codes(C("a -= b;"))));
            Assert.That(Codes(C("a >>= b;")), Has.Length.EqualTo(4));
        });
    }

    [Test]
    public void C_adjacent_string_literals_are_one_token_as_the_compiler_joins_them()
    {
        Assert.That(Codes(C("printk(\"loaded, \" \"registered\\n\");")), Is.EqualTo(Codes(C("printk(\"loaded, registered\\n\");"))));
    }

    [Test]
    public void C_defines_keep_their_body_and_other_directives_are_dropped()
    {
        var tokens = C("#include <linux/fs.h>\n#ifdef X\n#define RAND _IOR('q', 1, \\\n unsigned int)\n#endif\nint x;\n");

        Assert.Multiple(() =>
        {
            // #define RAND _IOR ( 'q' , 1 , unsigned int ) = 11 tokens, then int x ; = 3.
            Assert.That(tokens, Has.Length.EqualTo(14));
            Assert.That(tokens[^1].Line, Is.EqualTo(6), "a continued directive still counts its lines");
            Assert.That(tokens[0].Line, Is.EqualTo(3));
        });
    }

    [Test]
    public void C_lines_are_counted_through_block_comments_and_encoding_prefixes_belong_to_the_literal()
    {
        var tokens = C("/* a\n b\n c */ x = L\"wide\";");

        Assert.Multiple(() =>
        {
            Assert.That(tokens.Select(t => t.Line), Has.All.EqualTo(3));
            Assert.That(tokens, Has.Length.EqualTo(4));
        });
    }

    [Test]
    public void The_c_lexer_never_fails_on_text_that_is_not_c()
    {
        Assert.DoesNotThrow(() => C("\"unterminated\n'x\n/* open comment\n@ ` \\ \u00e9 \0"));
        Assert.DoesNotThrow(() => C("#"));
        Assert.DoesNotThrow(() => C("a\\"));
    }

    [Test]
    public void CSharp_trivia_is_dropped_and_names_and_literals_abstracted()
    {
        var a = CSharp("class A { int F(int x) => x + 1; } // c");
        var b = CSharp("#region r\nclass Renamed\n{\n    /// <summary>doc</summary>\n    int G(int y) => y + 99;\n}\n#endregion\n");

        Assert.Multiple(() =>
        {
            Assert.That(Codes(a), Is.EqualTo(Codes(b)));
            Assert.That(b[0].Line, Is.EqualTo(2));
            Assert.That(b[^1].Line, Is.EqualTo(6));
        });
    }

    [Test]
    public void The_same_text_gives_different_codes_in_c_and_csharp()
    {
        Assert.That(Codes(C("if (a) return b;")).Intersect(Codes(CSharp("if (a) return b;"))), Is.Empty);
    }
}
