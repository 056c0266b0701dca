using Autograder.Compile;

namespace Autograder.Tests.Compile;

internal sealed class CSharpCompilerTests
{
    private static readonly CSharpCompiler Compiler = new();

    private const string Header = """
        using static Autograder.KernelApi.Kernel;

        static class Driver
        {
            [module_init]
            static int init()
            {

        """;

    // The snippet goes on line 8.
    private const int SnippetLine = 8;

    private static CSharpBuild CompileSnippet(string snippet, string members = "", CSharpCompiler? compiler = null) =>
        (compiler ?? Compiler).Compile([("Driver.cs", Header + "        " + snippet + "\n        return 0;\n    }\n" + members + "\n}\n")]);

    [Test]
    public void The_reference_driver_compiles_without_warnings()
    {
        var build = Compiler.Compile(CSharpExamples.Sources("csharp/reference"));
        Assert.That(build.Diagnostics, Is.Empty);
        Assert.That(build.Success, Is.True);
        Assert.That(build.Assembly, Is.Not.Null.And.Not.Empty);
    }

    [TestCaseSource(typeof(CSharpExamples), nameof(CSharpExamples.Folders), new object[] { "csharp" })]
    public void Every_csharp_example_but_the_compile_error_compiles(string example)
    {
        var build = Compiler.Compile(CSharpExamples.Sources("csharp/" + example));
        var errors = build.Diagnostics.Where(d => d.Severity == "error").ToList();
        if (example == "compile-error")
        {
            Assert.That(build.Success, Is.False);
            Assert.That(build.Assembly, Is.Null);
            Assert.That(errors.Select(d => d.Code), Does.Contain("CS1002").And.Contain("CS0103"));
        }
        else if (example is "no-module-init" or "init-returns-long" or "exit-returns-int")
        {
            // Entry points the worker cannot load: CSharpDriverRulesTests.
            Assert.That(build.Success, Is.False);
        }
        else
        {
            Assert.That(errors, Is.Empty, string.Join("\n", errors));
            Assert.That(build.Success, Is.True);
        }
    }

    [Test]
    public void Compile_errors_come_back_with_file_line_and_column()
    {
        var build = Compiler.Compile(CSharpExamples.Sources("csharp/compile-error"));
        var semicolon = build.Diagnostics.Single(d => d.Code == "CS1002");
        var undeclared = build.Diagnostics.Single(d => d.Code == "CS0103");
        var rand = CSharpExamples.LineOf("csharp/compile-error", "uint value = ioread32(devmem + RNG_REG)");
        Assert.Multiple(() =>
        {
            Assert.That(semicolon.File, Is.EqualTo("MyRng.cs"));
            Assert.That(semicolon.Severity, Is.EqualTo("error"));
            Assert.That(semicolon.Line, Is.EqualTo(rand));
            Assert.That(semicolon.Column, Is.EqualTo(60));
            Assert.That(semicolon.Message, Does.Contain(";"));
            Assert.That(undeclared.Line, Is.EqualTo(CSharpExamples.LineOf("csharp/compile-error", "seeed")));
            Assert.That(undeclared.Message, Does.Contain("seeed"));
        });
    }

    [Test]
    public void Diagnostics_name_the_students_relative_path()
    {
        var build = Compiler.Compile([("src/Ok.cs", "static class A { }"), ("src/Bad.cs", "static class B { int x = ; }")]);
        Assert.That(build.Success, Is.False);
        Assert.That(build.Diagnostics.Where(d => d.Severity == "error").Select(d => d.File), Is.All.EqualTo("src/Bad.cs"));
    }

    [Test]
    public void Warnings_are_returned_beside_a_successful_build()
    {
        var build = CompileSnippet("int unused = 1;");
        Assert.That(build.Success, Is.True);
        Assert.That(build.Diagnostics, Has.Some.Matches<Model.Diagnostic>(d => d.Severity == "warning" && d.Code == "CS0219" && d.Line == SnippetLine));
    }

    [TestCase("System.IO.File.WriteAllText(\"/tmp/x\", \"y\");", "System.IO.File is not allowed in a driver: a driver has no business with files")]
    [TestCase("var d = System.IO.Directory.GetFiles(\"/\");", "files")]
    [TestCase("new System.Threading.Thread(() => { }).Start();", "System.Threading.Thread is not allowed in a driver: a driver may not start threads")]
    [TestCase("System.Threading.Tasks.Task.Run(() => { });", "threads")]
    [TestCase("System.Threading.ThreadPool.QueueUserWorkItem(_ => { });", "threads")]
    [TestCase("var t = new System.Threading.Timer(_ => { });", "threads")]
    [TestCase("System.Environment.Exit(0);", "System.Environment is not allowed in a driver: a driver has no business with the process environment")]
    [TestCase("var e = System.Environment.GetEnvironmentVariable(\"HOME\");", "process environment")]
    [TestCase("System.Console.WriteLine(\"{}\");", "Console is not allowed in a driver: a driver has no console")]
    [TestCase("System.Diagnostics.Process.Start(\"/bin/sh\");", "System.Diagnostics.Process is not allowed in a driver: a driver has no business with processes or diagnostics")]
    [TestCase("System.Diagnostics.Debugger.Break();", "processes or diagnostics")]
    [TestCase("var s = new System.Net.Sockets.Socket(default, default, default);", "System.Net.Sockets is not allowed in a driver: a driver has no business with the network")]
    [TestCase("var n = \"\".GetType().Name;", "System.Object.GetType is not allowed in a driver: reflection is not for drivers")]
    [TestCase("var t = typeof(string);", "typeof is not allowed in a driver")]
    [TestCase("var o = System.Activator.CreateInstance<object>();", "System.Activator is not allowed in a driver: reflection")]
    [TestCase("var a = System.Reflection.Assembly.GetExecutingAssembly();", "System.Reflection.Assembly is not allowed in a driver: reflection")]
    [TestCase("System.Action f = () => { }; var m = f.Method;", "System.Delegate.Method is not allowed in a driver: reflection")]
    [TestCase("System.GC.Collect();", "System.GC is not allowed in a driver: a driver may not control the garbage collector")]
    [TestCase("var d = System.AppDomain.CurrentDomain;", "System.AppDomain is not allowed in a driver")]
    [TestCase("var c = System.Runtime.Loader.AssemblyLoadContext.Default;", "a driver may not load assemblies")]
    [TestCase("var p = System.Runtime.InteropServices.Marshal.AllocHGlobal(8);", "native code (P/Invoke, Marshal, native libraries) is not allowed")]
    [TestCase("var l = System.Runtime.InteropServices.NativeLibrary.Load(\"libc\");", "native code")]
    [TestCase("var z = System.Runtime.CompilerServices.Unsafe.SizeOf<int>();", "runtime and compiler internals are not for drivers")]
    [TestCase("dynamic x = 1;", "dynamic is not allowed in a driver")]
    [TestCase("var r = __makeref(SnippetLineHolder.Value);", "__makeref")]
    [TestCase("unsafe { int v = 0; int* p = &v; }", "unsafe code and pointers are not allowed")]
    [TestCase("System.Threading.Tasks.Parallel.For(0, 2, _ => { });", "threads")]
    [TestCase("var p = new System.Progress<int>(_ => { });", "System.Progress is not allowed in a driver: a driver may not start threads")]
    [TestCase("var t = System.TimeProvider.System.CreateTimer(_ => { }, null, default, default);", "threads")]
    [TestCase("var e = new System.Exception(); var s = e.GetType();", "reflection")]
    [TestCase("var src = new System.Exception().TargetSite;", "reflection")]
    public void Forbidden_apis_are_rejected_at_their_line(string snippet, string reason)
    {
        var build = CompileSnippet(snippet, "static class SnippetLineHolder { public static int Value; }");
        Assert.That(build.Success, Is.False);
        Assert.That(build.Assembly, Is.Null);
        var rejections = build.Diagnostics.Where(d => d.Code == CSharpAllowlist.Code).ToList();
        Assert.That(rejections, Is.Not.Empty, string.Join("\n", build.Diagnostics));
        var rejection = rejections.FirstOrDefault(d => d.Message.Contains(reason, StringComparison.Ordinal));
        Assert.That(rejection, Is.Not.Null, string.Join("\n", rejections));
        Assert.Multiple(() =>
        {
            Assert.That(rejection!.Severity, Is.EqualTo("error"));
            Assert.That(rejection.File, Is.EqualTo("Driver.cs"));
            Assert.That(rejection.Line, Is.EqualTo(SnippetLine));
            Assert.That(rejection.Column, Is.GreaterThan(8));
        });
    }

    [TestCase("[System.Runtime.InteropServices.DllImport(\"libc\")] static extern int getpid();", "native code")]
    [TestCase("[System.Runtime.CompilerServices.ModuleInitializer] internal static void Early() { }", "runtime and compiler internals")]
    [TestCase("~Driver2() { }", "finalizers are not allowed")]
    [TestCase("static unsafe void Peek(int* p) { }", "unsafe code")]
    public void Forbidden_declarations_are_rejected(string member, string reason)
    {
        var build = Compiler.Compile([("Driver.cs", "using static Autograder.KernelApi.Kernel;\nclass Driver2\n{\n    " + member + "\n}\n")]);
        Assert.That(build.Success, Is.False);
        Assert.That(build.Diagnostics, Has.Some.Matches<Model.Diagnostic>(d => d.Code == CSharpAllowlist.Code && d.Line == 4 && d.Message.Contains(reason, StringComparison.Ordinal)),
            string.Join("\n", build.Diagnostics));
    }

    [TestCase("int n = 0; System.Threading.Interlocked.Increment(ref n);")]
    [TestCase("var gate = new object(); lock (gate) { }")]
    [TestCase("var list = new System.Collections.Generic.List<uint> { 1 }; var map = new System.Collections.Generic.Dictionary<int, string>(); var q = new System.Collections.Generic.Queue<int>();")]
    [TestCase("System.Span<byte> buf = stackalloc byte[8]; buf[0] = 1;")]
    [TestCase("var text = $\"{1:x} {\"a\"}\"; var (a, b) = (1, 2); int[] xs = [1, 2, 3];")]
    [TestCase("var m = new mutex(); mutex_lock(m); mutex_unlock(m); printk(KERN_INFO + \"%d\\n\", 1);")]
    [TestCase("var e = new System.InvalidOperationException(\"x\"); var s = e.Message; var hex = 5u.ToString(\"x\");")]
    public void Ordinary_code_is_allowed(string snippet)
    {
        var build = CompileSnippet(snippet, "record struct Pair(int A, int B);");
        Assert.That(build.Diagnostics.Where(d => d.Severity == "error"), Is.Empty);
        Assert.That(build.Success, Is.True);
    }

    [Test]
    public void Own_types_with_forbidden_looking_names_are_allowed()
    {
        var build = Compiler.Compile([("Driver.cs", "namespace My.IO { static class File { public static int Open() => 0; } }\nstatic class D { [Autograder.KernelApi.Kernel.module_init] static int X() => My.IO.File.Open(); }\n")]);
        Assert.That(build.Success, Is.True, string.Join("\n", build.Diagnostics));
    }

    [TestCase("file-write", "System.IO.File.WriteAllText")]
    [TestCase("thread-spawn", "new System.Threading.Thread")]
    [TestCase("process-spawn", "System.Diagnostics.Process.Start")]
    [TestCase("network-connect", "System.Net.Sockets.TcpClient")]
    [TestCase("environment-exit", "System.Environment.Exit")]
    [TestCase("console-fake-results", "System.Console.WriteLine")]
    [TestCase("reflection-into-grader", "typeof(Autograder.KernelApi.Kernel)")]
    [TestCase("explicit-layout", "[System.Runtime.InteropServices.StructLayout(")]
    [TestCase("intern-carry", "string.IsInterned(mark)")]
    public void Hostile_examples_the_allowlist_must_stop_are_rejected_at_the_right_line(string example, string needle)
    {
        var folder = "hostile/csharp/" + example;
        var build = Compiler.Compile(CSharpExamples.Sources(folder));
        Assert.That(build.Success, Is.False);
        var first = build.Diagnostics.First(d => d.Code == CSharpAllowlist.Code);
        Assert.That(first.Line, Is.EqualTo(CSharpExamples.LineOf(folder, needle)), string.Join("\n", build.Diagnostics));
        Assert.That(first.File, Is.EqualTo("MyRng.cs"));
    }

    [TestCase("infinite-loop-init")]
    [TestCase("infinite-loop-ioctl")]
    [TestCase("deep-recursion")]
    [TestCase("allocation-bomb")]
    [TestCase("static-state")]
    [TestCase("throws")]
    [TestCase("log-flood")]
    public void Hostile_examples_left_to_the_sandbox_compile(string example)
    {
        var build = Compiler.Compile(CSharpExamples.Sources("hostile/csharp/" + example));
        Assert.That(build.Success, Is.True, string.Join("\n", build.Diagnostics));
    }

    [Test]
    public void Every_hostile_example_is_covered_by_a_test_case()
    {
        // nested-lambdas, nested-generics and huge-assembly are compiled only in the compile service (they
        // exhaust the compiler): HostileCSharpTests.
        Assert.That(CSharpExamples.Folders("hostile/csharp").Count(), Is.EqualTo(19));
    }

    [TestCase("file-write")]
    [TestCase("thread-spawn")]
    [TestCase("environment-exit")]
    [TestCase("reflection-into-grader")]
    public void With_the_allowlist_off_forbidden_code_compiles(string example)
    {
        var build = new CSharpCompiler(enforceAllowlist: false).Compile(CSharpExamples.Sources("hostile/csharp/" + example));
        Assert.That(build.Success, Is.True, string.Join("\n", build.Diagnostics));
        Assert.That(build.Diagnostics.Select(d => d.Code), Has.None.EqualTo(CSharpAllowlist.Code));
    }

    [Test]
    public void Console_and_processes_are_not_even_referenced()
    {
        var build = CompileSnippet("System.Console.WriteLine(1);", compiler: new CSharpCompiler(enforceAllowlist: false));
        Assert.That(build.Success, Is.False, "System.Console is outside the minimal references");
    }

    [Test]
    public void Warm_up_builds_the_references_once_and_compiles_nothing_visible()
    {
        CSharpCompiler.WarmUp();
        CSharpCompiler.WarmUp();
        Assert.That(CSharpCompiler.ReferenceBuilds, Is.EqualTo(1));
    }

    [Test]
    public void A_warm_compile_reuses_the_references()
    {
        _ = Compiler.Compile(CSharpExamples.Sources("csharp/reference"));
        var builds = CSharpCompiler.ReferenceBuilds;
        var second = new CSharpCompiler().Compile(CSharpExamples.Sources("csharp/alt-correct"));
        Assert.That(second.Success, Is.True);
        Assert.That(CSharpCompiler.ReferenceBuilds, Is.EqualTo(builds).And.EqualTo(1));
    }

    [Test]
    public void Concurrent_compiles_are_safe_and_deterministic()
    {
        var sources = CSharpExamples.Sources("csharp/reference");
        var images = Enumerable.Range(0, 4).AsParallel().Select(_ => Compiler.Compile(sources).Assembly!).ToArray();
        Assert.That(images, Has.All.EqualTo(images[0]));
    }

    [Test]
    public void The_assembly_carries_an_embedded_pdb()
    {
        var image = Compiler.Compile(CSharpExamples.Sources("csharp/reference")).Assembly!;
        using var pe = new System.Reflection.PortableExecutable.PEReader(new MemoryStream(image));
        Assert.That(pe.ReadDebugDirectory().Select(e => e.Type), Does.Contain(System.Reflection.PortableExecutable.DebugDirectoryEntryType.EmbeddedPortablePdb));
    }
}
