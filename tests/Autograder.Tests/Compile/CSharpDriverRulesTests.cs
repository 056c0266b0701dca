using Autograder.Compile;
using Autograder.Protocol;
using Autograder.Tests.Worker;

namespace Autograder.Tests.Compile;

internal sealed class CSharpDriverRulesTests
{
    private static readonly CSharpCompiler Compiler = new();

    // Members go on line 4 of Driver.cs.
    private static string Members(string members) =>
        "using static Autograder.KernelApi.Kernel;\nclass D\n{\n    " + members + "\n    static IoMem? devmem;\n}\n";

    // The snippet goes on line 7 of Driver.cs, inside a valid init.
    private static string InInit(string snippet) =>
        "using static Autograder.KernelApi.Kernel;\nstatic class D\n{\n    [module_init]\n    static int init()\n    {\n" + snippet + "\n        return 0;\n    }\n\n    static IoMem? devmem;\n}\n";

    private static string Show(CSharpBuild build) => string.Join("\n", build.Diagnostics);

    // ---- entry points: errors, judged as the worker judges them ----------------------------------------

    // (members, the rule that refuses them or "" when they load; its line is the members' unless a third value says)
    private static readonly object[] EntryPoints =
    [
        new object[] { "[module_init] static int I() => 0;", "", 4 },
        new object[] { "[module_init] private static int I() => 0; [module_exit] public static void E() { }", "", 4 },
        new object[] { "class Inner { [module_init] internal static int I() => 0; }", "", 4 },
        new object[] { "static int P { [module_init] get => 0; }", "", 4 },
        new object[] { "static int Host() { return L(); [module_init] static int L() => 0; }", "", 4 },
        new object[] { "static int my_init() => 0;", CSharpDriverRules.NoInit, 4 },
        new object[] { "static int Helper() => 0;", CSharpDriverRules.NoInit, 2 },
        new object[] { "[module_init] static long I() => 0;", CSharpDriverRules.InitSignature, 4 },
        new object[] { "[module_init] static void I() { }", CSharpDriverRules.InitSignature, 4 },
        new object[] { "[module_init] static int I(int x) => x;", CSharpDriverRules.InitSignature, 4 },
        new object[] { "[module_init] int I() => 0;", CSharpDriverRules.InitSignature, 4 },
        new object[] { "[module_init] static int I<T>() => 0;", CSharpDriverRules.InitSignature, 4 },
        new object[] { "class G<T> { [module_init] static int I() => 0; }", CSharpDriverRules.InitSignature, 4 },
        new object[] { "[module_init] static ref int I() => ref _x; static int _x;", CSharpDriverRules.InitSignature, 4 },
        new object[] { "static Func<int> F = [module_init] () => 0;", CSharpDriverRules.InitSignature, 4 },
        new object[] { "[module_init] static int I() => 0; [module_exit] static int E() => 0;", CSharpDriverRules.ExitSignature, 4 },
        new object[] { "[module_init] static int I() => 0; [module_exit] static void E(int x) { }", CSharpDriverRules.ExitSignature, 4 },
        new object[] { "[module_init] static int I() => 0; [module_exit] void E() { }", CSharpDriverRules.ExitSignature, 4 },
        new object[] { "[module_init] static int A() => 0; [module_init] static int B() => 0;", CSharpDriverRules.SecondEntryPoint, 4 },
        new object[] { "[module_init] static int I() => 0; [module_exit] static void A() { } [module_exit] static void B() { }", CSharpDriverRules.SecondEntryPoint, 4 },
    ];

    [TestCaseSource(nameof(EntryPoints))]
    public void Entry_point_rules_refuse_exactly_what_the_worker_cannot_load(string members, string code, int line)
    {
        var source = Members(members);
        var build = Compiler.Compile([("Driver.cs", source)]);
        var ours = build.Diagnostics.Where(d => d.Code is { } c && c.StartsWith("AG", StringComparison.Ordinal)).ToList();
        if (code == "")
        {
            Assert.That(build.Success, Is.True, Show(build));
            Assert.That(ours, Is.Empty);
        }
        else
        {
            Assert.That(build.Success, Is.False);
            Assert.That(build.Assembly, Is.Null);
            var hit = ours.Single(d => d.Code == code);
            Assert.That((hit.Severity, hit.File, hit.Line), Is.EqualTo(("error", "Driver.cs", line)), Show(build));
        }

        // The worker, given the same code built without the rules.
        var bare = new CSharpCompiler(enforceAllowlist: false).Compile([("Driver.cs", source)]);
        Assert.That(bare.Success, Is.True, Show(bare));
        using var grader = new FakeGrader();
        grader.ReadReady();
        grader.Load(bare.Assembly!);
        var (status, _, message) = grader.Send(Msg.Begin);
        Assert.That(status == ResultStatus.Ok, Is.EqualTo(code == ""), message);
    }

    [Test]
    public void A_missing_init_points_at_the_function_named_like_one_and_says_how_to_mark_it()
    {
        var build = Compiler.Compile(CSharpExamples.Sources("csharp/no-module-init"));
        var error = build.Diagnostics.Single(d => d.Code == CSharpDriverRules.NoInit);
        Assert.Multiple(() =>
        {
            Assert.That(build.Success, Is.False);
            Assert.That(error.File, Is.EqualTo("MyRng.cs"));
            Assert.That(error.Line, Is.EqualTo(CSharpExamples.LineOf("csharp/no-module-init", "static int my_rng_driver_init()")));
            Assert.That(error.Message, Does.Contain("mark the init function with [module_init]").And.Contain("[module_init] static int my_rng_driver_init()"));
        });
    }

    [TestCase("csharp/init-returns-long", "static long my_rng_driver_init()", "AG0003", "`static int my_rng_driver_init()`: it returns long")]
    [TestCase("csharp/exit-returns-int", "static int my_rng_driver_exit()", "AG0004", "`static void my_rng_driver_exit()`: it returns int")]
    public void A_wrong_signature_is_an_error_at_the_function(string example, string needle, string code, string message)
    {
        var build = Compiler.Compile(CSharpExamples.Sources(example));
        var error = build.Diagnostics.Single(d => d.Code == code);
        Assert.That(build.Success, Is.False);
        Assert.That((error.Severity, error.File, error.Line), Is.EqualTo(("error", "MyRng.cs", CSharpExamples.LineOf(example, needle))));
        Assert.That(error.Message, Does.Contain(message));
    }

    [Test]
    public void Entry_point_errors_wait_for_the_compiler_errors()
    {
        // A syntax error is what the student must fix first; a missing init would only add noise.
        var build = Compiler.Compile([("Driver.cs", "static class D { static int my_init() { return 0 } }")]);
        Assert.That(build.Success, Is.False);
        Assert.That(build.Diagnostics.Select(d => d.Code), Does.Contain("CS1002").And.Not.Contain(CSharpDriverRules.NoInit));
    }

    // ---- warnings: the build passes ---------------------------------------------------------------

    [TestCase("        if (copy_to_user(0x1000, 5u) < 0) return -EFAULT;", CSharpDriverRules.UnsignedBelowZero, "copy_to_user returns how many bytes it could not copy")]
    [TestCase("        if (0 > copy_from_user(out uint v, 0x1000)) return -EFAULT;", CSharpDriverRules.UnsignedBelowZero, "copy_from_user returns")]
    [TestCase("        if ((long)copy_to_user(0x1000, 5u, 4) < 0) return -EFAULT;", CSharpDriverRules.UnsignedBelowZero, "never true")]
    [TestCase("        if (copy_to_user(0x1000, 5u) >= 0) return 1;", CSharpDriverRules.UnsignedBelowZero, "always true")]
    [TestCase("        ulong left = copy_to_user(0x1000, 5u); if (left < 0) return -EFAULT;", CSharpDriverRules.UnsignedBelowZero, "left is unsigned (ulong); copy_to_user returns")]
    [TestCase("        IoMem? devmem = ioremap(0xfebf1000, 4096);", CSharpDriverRules.HiddenMapping, "hides the static field D.devmem")]
    [TestCase("        var devmem = ioremap(0xfebf1000, 4096);", CSharpDriverRules.HiddenMapping, "`devmem = ioremap(...);`")]
    [TestCase("        uint v = devmem![1];", CSharpDriverRules.MappingIndexer, "use ioread32(devmem + 4)")]
    [TestCase("        uint v = devmem?[0] ?? 0;", CSharpDriverRules.MappingIndexer, "use ioread32(devmem)")]
    [TestCase("        devmem![0] = 7;", CSharpDriverRules.MappingIndexer, "use iowrite32(value, devmem)")]
    [TestCase("        int i = 2; devmem![i] = 7;", CSharpDriverRules.MappingIndexer, "iowrite32(value, devmem + 4 * (i))")]
    [TestCase("        printk(KERN_INFO, \"my_rng_driver loaded\\n\");", CSharpDriverRules.LevelAsFormat, "write printk(KERN_INFO + \"...\")")]
    [TestCase("        pr_info(KERN_ERR, \"x %d\\n\", 1);", CSharpDriverRules.LevelAsFormat, "pr_info(KERN_ERR, \"...\") makes KERN_ERR the whole format")]
    [TestCase("        printk(KERN_INFO + \"rand 0x{0:x}\\n\", 5u);", CSharpDriverRules.FormatPlaceholder, "`{0:x}` is printed as it stands")]
    [TestCase("        pr_info(\"value {0}\\n\", 5u);", CSharpDriverRules.FormatPlaceholder, "write %d, %u, %x or %s")]
    public void Traps_that_compile_get_a_warning_at_their_line(string snippet, string code, string message)
    {
        var build = Compiler.Compile([("Driver.cs", InInit(snippet))]);
        Assert.That(build.Success, Is.True, Show(build));
        var warning = build.Diagnostics.FirstOrDefault(d => d.Code == code);
        Assert.That(warning, Is.Not.Null, Show(build));
        Assert.Multiple(() =>
        {
            Assert.That((warning!.Severity, warning.File, warning.Line), Is.EqualTo(("warning", "Driver.cs", 7)));
            Assert.That(warning.Message, Does.Contain(message));
        });
    }

    [TestCase("        if (copy_to_user(0x1000, 5u) != 0) return -EFAULT;")]
    [TestCase("        if (put_user(5u, 0x1000) < 0) return -EFAULT;")]
    [TestCase("        int n = 3; if (n < 0) return n;")]
    [TestCase("        IoMem? regs = ioremap(0xfebf1000, 4096); devmem = regs;")]
    [TestCase("        var d = devmem + 4; iowrite32(ioread32(devmem + 0), d);")]
    [TestCase("        IoMem? devmem = ioremap(0xfebf1000, 4096); if (devmem == null) return -ENOMEM; D.devmem = devmem;")]
    [TestCase("        int[] xs = [1, 2]; xs[0] = xs[1];")]
    [TestCase("        printk(KERN_INFO + \"ok %x {not a placeholder}\\n\", 1); printk(KERN_INFO); pr_info($\"{1:x}\\n\");")]
    public void Correct_code_gets_no_warning(string snippet)
    {
        var build = Compiler.Compile([("Driver.cs", InInit(snippet))]);
        Assert.That(build.Success, Is.True, Show(build));
        Assert.That(build.Diagnostics.Where(d => d.Code?.StartsWith("AG", StringComparison.Ordinal) == true), Is.Empty, Show(build));
    }

    [TestCase("csharp/copy-lt-zero", CSharpDriverRules.UnsignedBelowZero, "copy_to_user(arg, value) < 0")]
    [TestCase("csharp/shadowed-devmem", CSharpDriverRules.HiddenMapping, "IoMem? devmem = ioremap")]
    [TestCase("csharp/direct-io-deref", CSharpDriverRules.MappingIndexer, "devmem![RNG_REG / 4]")]
    [TestCase("csharp/printk-comma", CSharpDriverRules.LevelAsFormat, "printk(KERN_INFO, ")]
    [TestCase("csharp/format-placeholder", CSharpDriverRules.FormatPlaceholder, "0x{0:x}")]
    [TestCase("csharp/static-init-order", CSharpDriverRules.ReadBeforeInitialized, "static readonly string LOADED_MSG")]
    public void The_warning_examples_compile_with_their_warning(string example, string code, string needle)
    {
        var build = Compiler.Compile(CSharpExamples.Sources(example));
        Assert.That(build.Success, Is.True, Show(build));
        Assert.That(build.Diagnostics.Where(d => d.Code == code).Select(d => (d.Severity, d.File, d.Line)),
            Does.Contain(("warning", "MyRng.cs", CSharpExamples.LineOf(example, needle))), Show(build));
    }

    [TestCase("csharp/reference")]
    [TestCase("csharp/alt-correct")]
    [TestCase("csharp/pci-probe")]
    public void Correct_drivers_get_no_finding(string example)
    {
        var build = Compiler.Compile(CSharpExamples.Sources(example));
        Assert.That(build.Success, Is.True, Show(build));
        Assert.That(build.Diagnostics, Is.Empty, Show(build));
    }

    [Test]
    public void A_static_initializer_reading_a_field_declared_below_gets_a_warning()
    {
        const string source = """
            using static Autograder.KernelApi.Kernel;
            static class D
            {
                static readonly string Msg = $"0x{Rand:x} {nameof(Seed)}" + Later();
                static readonly System.Func<uint> Deferred = () => Seed;
                static readonly uint Rand = _IOR<uint>('q', 1);
                static readonly uint Seed = _IOW<uint>('q', 1);
                const uint Constant = 1;
                static readonly uint Fine = Rand + Constant;
                static string Later() => "";
                [module_init] static int I() { printk(Msg + "%u %u\n", Deferred(), Fine); return 0; }
            }
            """;
        var build = Compiler.Compile([("Driver.cs", source)]);
        Assert.That(build.Success, Is.True, Show(build));
        var warnings = build.Diagnostics.Where(d => d.Code == CSharpDriverRules.ReadBeforeInitialized).ToList();
        Assert.That(warnings.Select(d => (d.Severity, d.Line)), Is.EqualTo(new[] { ("warning", 4) }), Show(build));
        Assert.That(warnings[0].Message, Does.Contain("Rand is read here before it is initialised").And.Contain("line 6").And.Contain("reads 0"));
    }

    // ---- System without a using ---------------------------------------------------------------------

    private const string UsesSystem = "        var m = Math.Max(1, 2); UInt32 u = 3; if (m > 5) throw new InvalidOperationException($\"{u}\"); devmem = ioremap(0xfebf1000, 8); iounmap(devmem);";

    [TestCase("")]
    [TestCase("using System;\n")]
    [TestCase("global using System;\n")]
    public void System_needs_no_using_and_a_students_own_still_compiles(string prefix)
    {
        var build = Compiler.Compile([("Driver.cs", prefix + InInit(UsesSystem))]);
        Assert.That(build.Success, Is.True, Show(build));
        Assert.That(build.Diagnostics, Is.Empty, Show(build));
    }

    [TestCase("        GC.Collect();", "System.GC is not allowed in a driver")]
    [TestCase("        Environment.Exit(1);", "System.Environment is not allowed in a driver")]
    [TestCase("        Console.WriteLine(1);", "Console is not allowed in a driver")]
    [TestCase("        var t = Type.GetType(\"x\");", "reflection")]
    public void The_implicit_System_opens_nothing_the_allowlist_forbids(string snippet, string reason)
    {
        var build = Compiler.Compile([("Driver.cs", InInit(snippet))]);
        Assert.That(build.Success, Is.False);
        Assert.That(build.Diagnostics, Has.Some.Matches<Model.Diagnostic>(d => d.Code == CSharpAllowlist.Code && d.Line == 7 && d.Message.Contains(reason, StringComparison.Ordinal)), Show(build));
    }
}
