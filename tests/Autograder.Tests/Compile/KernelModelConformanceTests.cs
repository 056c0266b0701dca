using System.Text;
using System.Text.RegularExpressions;
using Autograder.Compile;
using Autograder.Tests.Native;

namespace Autograder.Tests.Compile;

/// <summary>
/// Conformance of our kernel model with Linux: every function, macro, struct member, typedef, constant and
/// header our headers declare is probed in one file, compiled once against our headers and once against the
/// real ones (kbuild, Debian's 6.1 given the 6.6 forms of <see cref="KernelOracle.Prelude"/>). A probe checks
/// that the name exists in Linux and, where it has one, that its type (function, member, typedef) or its
/// integer value (constants) is the same. What Linux 6.1 and our 6.6 model rightly disagree on is listed in
/// <see cref="VersionDifferences"/> (README "Kernel model"); everything else must agree.
/// </summary>
[TestFixture]
[Category("Slow")]
public sealed partial class KernelModelConformanceTests
{
    /// <summary>Probes allowed to fail against Debian's 6.1 headers, each with why (the exercise's kernel is 6.6).</summary>
    internal static readonly Dictionary<string, string> VersionDifferences = new()
    {
        ["header <linux/sprintf.h>"] = "split out of <linux/kernel.h> in Linux 6.2 (6.1 declares the same functions in <linux/kernel.h>)",
        ["constant LINUX_VERSION_PATCHLEVEL"] = "the model says 6.6.4, the exercise's kernel",
        ["constant LINUX_VERSION_SUBLEVEL"] = "the model says 6.6.4, the exercise's kernel",
    };

    private static string IncludeDir => Path.Combine(NativeTestSupport.RepoRoot, "grader", "native", "include");

    [Test]
    public void Every_probe_is_generated_from_the_headers_and_passes_against_our_own()
    {
        NativeTestSupport.RequireGcc();
        var probes = Probes();
        Assert.That(probes.Select(p => p.Name), Has.Some.EqualTo("member struct pci_dev.resource")
            .And.Some.EqualTo("function ioremap").And.Some.EqualTo("constant IORESOURCE_MEM").And.Some.EqualTo("macro pci_resource_start")
            .And.Some.EqualTo("typedef resource_size_t").And.Some.EqualTo("header <linux/pci.h>")
            .And.Some.EqualTo("member struct file_operations.unlocked_ioctl").And.Some.EqualTo("member atomic_t.counter")
            .And.Some.EqualTo("constant EINVAL").And.Some.EqualTo("variable jiffies").And.Some.EqualTo("function isdigit")
            .And.Some.EqualTo("member struct resource.sibling").And.Some.EqualTo("constant IRQ_HANDLED"));
        Assert.That(probes, Has.Count.GreaterThan(900));

        var (source, lines) = ProbeFile(probes, real: false);
        var dir = Directory.CreateTempSubdirectory("ag-conformance-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "probe.c"), source);
            var toolchain = NativeToolchain.Shared.Toolchain!;
            var args = CCompiler.CompileArguments(toolchain, "probe.c", "probe.o").Where(a => a is not "-fdiagnostics-format=json").ToList();
            var run = NativeProcess.Run(toolchain.Gcc, args, dir.FullName);
            var failed = Failures(run.Stderr, lines);
            Assert.That(failed, Is.Empty, "the probe generator disagrees with our own headers:\n" + run.Stderr[..Math.Min(run.Stderr.Length, 4000)]);
            Assert.That(run.ExitCode, Is.Zero, run.Stderr);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public void Our_model_declares_what_Linux_declares_with_the_same_types()
    {
        NativeTestSupport.RequireGcc();
        if (KernelOracle.Unavailable is { } why)
        {
            Assert.Ignore(why);
        }

        // Two probes that must fail, so a generator that probes nothing cannot pass.
        List<Probe> sentinels =
        [
            new("sentinel member", "_Static_assert(__builtin_types_compatible_p(__typeof__(((struct pci_dev *)0)->revision), u16), \"u8 in Linux\");"),
            new("sentinel constant", "_Static_assert(EINVAL == 23, \"22 in Linux\");"),
        ];
        var probes = Probes();
        var (source, lines) = ProbeFile([.. probes, .. sentinels], real: true);
        var (success, log, skip) = CKbuild.Compiles([("probe.c", source)], KernelOracle.Prelude, TimeSpan.FromMinutes(3));
        Assert.That(skip, Is.Null, log);
        var failed = Failures(log, lines);
        Assert.That(sentinels.Select(p => failed.Remove(p.Name)), Is.All.True, "the sentinels fail against Linux: " + log[..Math.Min(log.Length, 2000)]);
        var unexpected = failed.Where(f => !VersionDifferences.ContainsKey(f.Key)).Select(f => $"{f.Key}: {f.Value}").ToList();
        Assert.That(unexpected, Is.Empty, $"{probes.Count} probes; Linux disagrees with our model on:\n" + string.Join("\n", unexpected));
        Assert.That(VersionDifferences.Keys.Where(k => !failed.ContainsKey(k)), Is.Empty, "listed version differences that no longer differ");

    }

    /// <summary>One probe: a line of C that compiles only if Linux has <paramref name="Name"/> as our model has it.</summary>
    internal sealed record Probe(string Name, string Code);

    private static Dictionary<string, string> Failures(string log, IReadOnlyDictionary<int, string> lines)
    {
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in ErrorLine().Matches(log))
        {
            var line = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (lines.TryGetValue(line, out var name))
            {
                failed.TryAdd(name, m.Groups[2].Value.Trim());
            }
            else
            {
                failed.TryAdd($"line {line}", m.Groups[2].Value.Trim());
            }
        }

        return failed;
    }

    private static (string Source, Dictionary<int, string> Lines) ProbeFile(IReadOnlyList<Probe> probes, bool real)
    {
        var text = new StringBuilder();
        var lines = new Dictionary<int, string>();
        var line = 1;
        void Add(string code, string? name = null)
        {
            foreach (var part in code.Split('\n'))
            {
                if (name is not null)
                {
                    lines[line] = name;
                }

                text.Append(part).Append('\n');
                line++;
            }
        }

        foreach (var header in Headers())
        {
            Add(real ? $"#if __has_include(<{header}>)" : "#if 1");
            Add($"#include <{header}>");
            Add("#endif");
        }

        Add("#pragma GCC diagnostic ignored \"-Wunused-variable\"");
        Add("#pragma GCC diagnostic ignored \"-Wunused-function\"");
        Add("#pragma GCC diagnostic ignored \"-Wpointer-arith\"");
        foreach (var probe in probes)
        {
            Add(probe.Code, probe.Name);
        }

        return (text.ToString(), lines);
    }

    /// <summary>Our headers as a driver names them (ag/kernel.h is behind all of them).</summary>
    private static IEnumerable<string> Headers() =>
        Directory.EnumerateFiles(IncludeDir, "*.h", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(IncludeDir, f).Replace('\\', '/'))
            .Where(h => !h.StartsWith("ag/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    /// <summary>Every probe of our headers, generated from their text.</summary>
    internal static List<Probe> Probes()
    {
        var probes = new List<Probe>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string name, string code)
        {
            if (seen.Add(name))
            {
                probes.Add(new Probe(name, code));
            }
        }

        var id = 0;
        foreach (var header in Headers())
        {
            // True on our side for every header; on Linux's it says whether the header exists.
            Add($"header <{header}>", $"#if !__has_include(<{header}>)\n#error \"no <{header}>\"\n#endif");
        }

        var files = Directory.EnumerateFiles(IncludeDir, "*.h", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var text = Preprocess(File.ReadAllText(file));
            foreach (var (name, parameters, value) in Defines(text))
            {
                if (Internal(name))
                {
                    continue;
                }

                id++;
                if (parameters is null && IntegerLiteral().IsMatch(value) && value.Any(char.IsDigit))
                {
                    // Compared where Linux's is a constant too (TASK_SIZE_MAX is computed at run time there).
                    Add($"constant {name}", $"_Static_assert(__builtin_choose_expr(__builtin_constant_p({name}), (long long)({name}) == (long long)({value}), 1), \"{name}\");");
                }
                else
                {
                    // A macro in Linux too, or else something Linux declares (a function, variable or enumerator).
                    Add($"macro {name}", $"#ifndef {name}\nstatic void __agm{id}(void) {{ (void)sizeof({name}); }}\n#endif");
                }
            }

            foreach (var statement in Statements(StripDirectives(text)))
            {
                foreach (var probe in Declarations(statement, ref id))
                {
                    Add(probe.Name, probe.Code);
                }
            }
        }

        return probes;
    }

    private static bool Internal(string name) =>
        name.StartsWith("__ag", StringComparison.Ordinal) || name.StartsWith("AG_", StringComparison.Ordinal) || name.StartsWith("_AG", StringComparison.Ordinal);

    private static IEnumerable<Probe> Declarations(string statement, ref int id)
    {
        var result = new List<Probe>();
        var s = Squash(statement);
        if (s.StartsWith("typedef ", StringComparison.Ordinal))
        {
            var body = s["typedef ".Length..].TrimEnd(';').Trim();
            if (body.Contains('{', StringComparison.Ordinal) && (body.StartsWith("struct", StringComparison.Ordinal) || body.StartsWith("union", StringComparison.Ordinal) || body.StartsWith("enum", StringComparison.Ordinal)))
            {
                var close = body.LastIndexOf('}');
                var name = body[(close + 1)..].Trim();
                if (!Internal(name))
                {
                    result.Add(new Probe($"typedef {name}", $"static {name} *__agt{++id} __attribute__((unused));"));
                    if (body.StartsWith("enum", StringComparison.Ordinal))
                    {
                        result.AddRange(Enumerators(body[(body.IndexOf('{') + 1)..close]));
                    }
                    else
                    {
                        result.AddRange(Members(name, name, body[(body.IndexOf('{') + 1)..close], ref id));
                    }
                }
            }
            else if (!body.Contains('{', StringComparison.Ordinal) && Declarator(body) is { } d && !Internal(d.Name))
            {
                result.Add(new Probe($"typedef {d.Name}", $"_Static_assert(__builtin_types_compatible_p({d.Name}, {d.Type}), \"{d.Name}\");"));
            }

            return result;
        }

        var brace = s.IndexOf('{');
        var head = brace < 0 ? s.TrimEnd(';').Trim() : s[..brace].Trim();
        var tag = StructTag().Match(head);
        if (tag.Success && brace >= 0 && !head.Contains('(', StringComparison.Ordinal))
        {
            var type = $"{tag.Groups[1].Value} {tag.Groups[2].Value}";
            var close = s.LastIndexOf('}');
            result.AddRange(Members(type, type, s[(brace + 1)..close], ref id));
            return result;
        }

        if (head.StartsWith("enum", StringComparison.Ordinal) && brace >= 0)
        {
            result.AddRange(Enumerators(s[(brace + 1)..s.LastIndexOf('}')]));
            return result;
        }

        if (tag.Success)
        {
            return result; // a forward declaration: "struct module;"
        }

        head = StripAttributes(head);
        var paren = head.IndexOf('(');
        if (paren > 0)
        {
            var name = Identifier().Match(head[..paren].TrimEnd()) is { Success: true } n ? n.Groups[1].Value : "";
            var ret = head[..paren].TrimEnd();
            ret = ret[..^name.Length].Trim();
            var parameters = head[(paren + 1)..head.LastIndexOf(')')];
            if (name.Length > 0 && !Internal(name))
            {
                // A function-like macro in Linux (test_bit, udelay) has no type to compare: it exists.
                result.Add(new Probe($"function {name}",
                    $"#ifndef {name}\n_Static_assert(__builtin_types_compatible_p(__typeof__({name}), {ret} ({parameters})), \"{name}\");\n#endif"));
            }
        }
        else if (Declarator(head) is { } v && !Internal(v.Name))
        {
            result.Add(new Probe($"variable {v.Name}", $"#ifndef {v.Name}\n_Static_assert(__builtin_types_compatible_p(__typeof__({v.Name}), {v.Type}), \"{v.Name}\");\n#endif"));
        }

        return result;
    }

    private static IEnumerable<Probe> Enumerators(string body)
    {
        foreach (var item in body.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = item.Split('=', 2, StringSplitOptions.TrimEntries);
            if (!Internal(parts[0]))
            {
                yield return parts.Length == 2
                    ? new Probe($"constant {parts[0]}", $"_Static_assert((long long)({parts[0]}) == (long long)({parts[1]}), \"{parts[0]}\");")
                    : new Probe($"constant {parts[0]}", $"_Static_assert(sizeof({parts[0]}) > 0, \"{parts[0]}\");");
            }
        }
    }

    private static IEnumerable<Probe> Members(string owner, string type, string body, ref int id)
    {
        var result = new List<Probe>();
        foreach (var member in SplitTop(body, ';'))
        {
            var m = StripAttributes(member.Trim());
            if (m.Length == 0)
            {
                continue;
            }

            var declarators = SplitTop(m, ',');
            var first = Declarator(declarators[0]);
            if (first is null)
            {
                continue;
            }

            var baseType = first.Value.Base;
            foreach (var d in declarators.Select((text, i) => i == 0 ? first : Declarator(baseType + " " + text.Trim())))
            {
                if (d is { } decl && !Internal(decl.Name))
                {
                    result.Add(new Probe($"member {owner}.{decl.Name}",
                        $"_Static_assert(__builtin_types_compatible_p(__typeof__((({type} *)0)->{decl.Name}), {decl.Type}), \"{owner}.{decl.Name}\");"));
                }
            }
        }

        return result;
    }

    /// <summary>A declaration's name, its type as a type-name, and its base type (for further declarators).</summary>
    private static (string Name, string Type, string Base)? Declarator(string text)
    {
        text = text.Trim();
        var pointer = FunctionPointer().Match(text);
        if (pointer.Success)
        {
            var name = pointer.Groups[1].Value;
            return (name, text.Remove(pointer.Index, pointer.Length).Insert(pointer.Index, "(*)"), "");
        }

        var m = SimpleDeclarator().Match(text);
        if (!m.Success)
        {
            return null;
        }

        var baseType = m.Groups["base"].Value.Trim();
        return (m.Groups["name"].Value, $"{baseType} {m.Groups["stars"].Value}{m.Groups["arrays"].Value}".Trim(), baseType);
    }

    private static List<string> SplitTop(string text, char separator)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] is '(' or '{' or '[' ? 1 : text[i] is ')' or '}' or ']' ? -1 : 0;
            if (text[i] == separator && depth == 0)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }

        if (text[start..].Trim().Length > 0)
        {
            parts.Add(text[start..]);
        }

        return parts;
    }

    /// <summary>Top-level declarations: up to a ';' at depth 0, or a function body's closing brace.</summary>
    private static IEnumerable<string> Statements(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '{' or '(':
                    depth++;
                    break;
                case '}' or ')':
                    depth--;
                    if (depth == 0 && text[i] == '}' && IsFunctionBody(text, start, i))
                    {
                        yield return text[start..(i + 1)];
                        start = i + 1;
                    }

                    break;
                case ';' when depth == 0:
                    yield return text[start..(i + 1)];
                    start = i + 1;
                    break;
            }
        }
    }

    private static bool IsFunctionBody(string text, int start, int end)
    {
        var s = text[start..(end + 1)];
        var brace = s.IndexOf('{');
        return brace > 0 && s[..brace].TrimEnd().EndsWith(')');
    }

    /// <summary>Comments removed, continuation lines joined.</summary>
    private static string Preprocess(string text)
    {
        text = BlockComment().Replace(text, " ");
        text = LineComment().Replace(text, "");
        return text.Replace("\\\n", " ", StringComparison.Ordinal);
    }

    private static string StripDirectives(string text) =>
        string.Join("\n", text.Split('\n').Where(l => !l.TrimStart().StartsWith('#')));

    private static IEnumerable<(string Name, string? Parameters, string Value)> Defines(string text)
    {
        foreach (Match m in Define().Matches(text))
        {
            var name = m.Groups["name"].Value;
            if (name.EndsWith("_H", StringComparison.Ordinal) && m.Groups["value"].Value.Trim().Length == 0)
            {
                continue; // an include guard
            }

            yield return (name, m.Groups["params"].Success ? m.Groups["params"].Value : null, m.Groups["value"].Value.Trim());
        }
    }

    private static string Squash(string text) => Whitespace().Replace(text, " ").Trim();

    /// <summary>Removes what is not part of a type: storage classes, inline, attributes and our attribute macros.</summary>
    private static string StripAttributes(string text)
    {
        text = Squash(text);
        while (true)
        {
            var at = text.IndexOf("__attribute__", StringComparison.Ordinal);
            if (at < 0)
            {
                break;
            }

            var open = text.IndexOf('(', at);
            var depth = 0;
            var i = open;
            for (; i < text.Length; i++)
            {
                depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
                if (depth == 0)
                {
                    break;
                }
            }

            text = text.Remove(at, i - at + 1);
        }

        text = AttributeMacro().Replace(text, " ");
        return Squash(text);
    }

    [GeneratedRegex(@"^[ \t]*#[ \t]*define[ \t]+(?<name>\w+)(?:\((?<params>[^)]*)\))?(?<value>[^\n]*)$", RegexOptions.Multiline)]
    private static partial Regex Define();

    [GeneratedRegex(@"^[\s()]*-?[\s()]*(0[xX][0-9a-fA-F]+|\d+)[uUlL]*[\s()]*$")]
    private static partial Regex IntegerLiteral();

    [GeneratedRegex(@"^(struct|union) (\w+)")]
    private static partial Regex StructTag();

    [GeneratedRegex(@"(\w+)\s*$")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"\(\s*\*\s*(\w+)\s*\)")]
    private static partial Regex FunctionPointer();

    [GeneratedRegex(@"^(?<base>.*?[\w\s])\s*(?<stars>[\s*]*?)\s*\b(?<name>\w+)\s*(?<arrays>(?:\[[^\]]*\]\s*)*)$")]
    private static partial Regex SimpleDeclarator();

    [GeneratedRegex(@"\b(?:static|inline|extern|__always_inline|__must_check|__cold|__noreturn|__init|__exit)\b|\b(?:__printf|__scanf)\(\d+, \d+\)")]
    private static partial Regex AttributeMacro();

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex BlockComment();

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"probe\.c:(\d+):\d+: (?:fatal )?error: ([^\n]*)")]
    private static partial Regex ErrorLine();
}
