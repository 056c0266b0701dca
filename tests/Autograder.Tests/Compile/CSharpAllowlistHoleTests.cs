using Autograder.Compile;

namespace Autograder.Tests.Compile;

/// <summary>
/// Issue 14, class 4: the allowlist trusted whatever a submission declared itself. A driver that declares its
/// own System.Runtime.InteropServices.StructLayoutAttribute gets explicit layout from the compiler (overlapping
/// references: arbitrary memory access). No declarations in the runtime's or the grader's namespaces, no
/// layout or marshalling attributes by name whatever their namespace, no intern pool.
/// </summary>
internal sealed class CSharpAllowlistHoleTests
{
    private static readonly CSharpCompiler Compiler = new();

    private static IReadOnlyList<Model.Diagnostic> Rejections(string source)
    {
        var build = Compiler.Compile([("Driver.cs", source)]);
        Assert.That(build.Success, Is.False, "compiled: " + source);
        return [.. build.Diagnostics.Where(d => d.Code == CSharpAllowlist.Code)];
    }

    [TestCase("namespace System.Runtime.InteropServices { sealed class StructLayoutAttribute : System.Attribute { } }", "System namespace")]
    [TestCase("namespace System { static class Helper { } }", "System namespace")]
    [TestCase("namespace Microsoft.Win32 { static class Helper { } }", "Microsoft namespace")]
    [TestCase("namespace Autograder.KernelApi { static class Fake { } }", "Autograder namespace")]
    [TestCase("namespace System.Runtime;\nstatic class Helper { }", "System namespace")]
    [TestCase("namespace Outer { } namespace System { namespace Runtime { static class H { } } }", "System namespace")]
    [TestCase("static class System { public static class Runtime { } }", "a type named System")]
    [TestCase("namespace My { class Microsoft { } }", "a type named Microsoft")]
    public void Declarations_in_reserved_namespaces_are_rejected(string source, string reason)
    {
        var rejections = Rejections(source);
        Assert.That(rejections.Select(d => d.Message), Has.Some.Contain(reason), string.Join("\n", rejections));
        Assert.That(rejections.All(d => d.File == "Driver.cs" && d.Line >= 1), Is.True);
    }

    [TestCase("My.Interop.StructLayout(My.Interop.LayoutKind.Explicit)", "StructLayout")]
    [TestCase("My.Interop.StructLayoutAttribute(My.Interop.LayoutKind.Explicit)", "StructLayout")]
    [TestCase("L(My.Interop.LayoutKind.Explicit)", "StructLayout")]
    [TestCase("System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit)", "StructLayout")]
    public void Layout_attributes_are_rejected_whatever_their_namespace(string attribute, string name)
    {
        var source = $$"""
            using L = My.Interop.StructLayoutAttribute;
            [{{attribute}}]
            struct Overlap { public int A; }
            namespace My.Interop
            {
                enum LayoutKind { Explicit = 2 }
                sealed class StructLayoutAttribute(LayoutKind kind) : System.Attribute { public LayoutKind Kind => kind; }
            }
            """;
        var rejections = Rejections(source);
        Assert.That(rejections, Has.Some.Matches<Model.Diagnostic>(d => d.Line == 2 && d.Message.StartsWith($"[{name}] is not allowed in a driver", StringComparison.Ordinal)),
            string.Join("\n", rejections));
    }

    [TestCase("[System.Runtime.InteropServices.FieldOffset(0)]", "FieldOffset")]
    [TestCase("[System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.I4)]", "MarshalAs")]
    public void Field_layout_and_marshalling_attributes_are_rejected(string attribute, string name)
    {
        var rejections = Rejections($"struct S\n{{\n    {attribute} public int A;\n}}\n");
        Assert.That(rejections, Has.Some.Matches<Model.Diagnostic>(d => d.Line == 3 && d.Message.Contains($"[{name}]", StringComparison.Ordinal)),
            string.Join("\n", rejections));
    }

    [TestCase("string.Intern(\"x\")")]
    [TestCase("string.IsInterned(\"x\")")]
    public void The_intern_pool_is_rejected(string call)
    {
        var rejections = Rejections($"static class D\n{{\n    static string? F() => {call};\n}}\n");
        Assert.That(rejections, Has.Some.Matches<Model.Diagnostic>(d => d.Line == 3 && d.Message.Contains("intern pool", StringComparison.Ordinal)),
            string.Join("\n", rejections));
    }

    [Test]
    public void Own_namespaces_and_attributes_with_other_names_stay_allowed()
    {
        var build = Compiler.Compile([("Driver.cs", """
            namespace My.Systems
            {
                sealed class NoteAttribute : System.Attribute { }
                [Note] static class D
                {
                    static string S() => string.Concat("a", "b");
                    [Autograder.KernelApi.Kernel.module_init] static int Init() => 0;
                }
            }
            """)]);
        Assert.That(build.Success, Is.True, string.Join("\n", build.Diagnostics));
    }

    [Test]
    public void At_most_50_diagnostics_are_kept_and_the_rest_counted()
    {
        var body = string.Concat(Enumerable.Range(0, 80).Select(i => $"        int v{i} = undefined{i};\n"));
        var build = Compiler.Compile([("Driver.cs", "static class D\n{\n    static void F()\n    {\n" + body + "    }\n}\n")]);
        Assert.That(build.Diagnostics, Has.Count.EqualTo(CSharpCompiler.MaxDiagnostics));
        Assert.That(build.Diagnostics[^1].Severity, Is.EqualTo("note"));
        Assert.That(build.Diagnostics[^1].Message, Does.StartWith("and ").And.Contain("more diagnostics"));
        Assert.That(build.Diagnostics.Take(49).Select(d => d.Code), Is.All.EqualTo("CS0103"));
    }

    [Test]
    public void A_long_message_is_cut_to_4_KiB()
    {
        var capped = CSharpCompiler.Cap(new string('é', 1_000_000));
        Assert.That(System.Text.Encoding.UTF8.GetByteCount(capped), Is.LessThanOrEqualTo(CSharpCompiler.MaxDiagnosticBytes));
        Assert.That(capped, Does.EndWith("[... 1000000 characters in all]"));
        Assert.That(CSharpCompiler.Cap("short"), Is.EqualTo("short"));
    }
}
