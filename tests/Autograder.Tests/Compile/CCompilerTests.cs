using Autograder.Compile;
using Autograder.Tests.Native;

namespace Autograder.Tests.Compile;

[TestFixture]
public sealed class CCompilerTests
{
    private static CBuild Compile(string text, string file = "my-rng.c")
    {
        NativeTestSupport.RequireGcc();
        return NativeTestSupport.Compiler.Compile("test", [(file, text)]);
    }

    private static string Reference => NativeTestSupport.Example("c/reference").Text;

    [Test]
    public void Reference_compiles_to_an_object_the_prebuilt_host_loads()
    {
        var build = NativeTestSupport.BuildExample("c/reference");

        Assert.That(build.GraderGap, Is.Null);
        Assert.That(build.Diagnostics, Is.Empty);
        Assert.That(File.Exists(build.Driver!.Object), Is.True);
        Assert.That(File.Exists(build.Driver.Host), Is.True);
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(build.Driver.Object) & UnixFileMode.OtherRead, Is.EqualTo(UnixFileMode.OtherRead));
            Assert.That(File.GetUnixFileMode(build.Driver.Host) & UnixFileMode.OtherExecute, Is.EqualTo(UnixFileMode.OtherExecute));
        }
    }

    [TestCase("c/alt-correct")]
    [TestCase("c/pci-get-device")]
    [TestCase("c/pci-driver")]
    [TestCase("c/seed-offset-0")]
    [TestCase("c/wrong-size-macro")]
    [TestCase("c/direct-user-deref")]
    public void Other_examples_build(string example) => NativeTestSupport.BuildExample(example);

    [Test]
    public void Compile_error_is_the_students_with_file_line_and_column()
    {
        var build = Compile(NativeTestSupport.Example("c/compile-error").Text);

        Assert.That(build.Success, Is.False);
        Assert.That(build.GraderGap, Is.Null);
        var error = build.Diagnostics.First(d => d.Severity == "error");
        Assert.That((error.File, error.Line), Is.EqualTo(("my-rng.c", 23)));
        Assert.That(error.Column, Is.GreaterThan(0));
        Assert.That(error.Message, Does.Contain("expected ';'"));
    }

    [Test]
    public void Libc_call_is_not_a_kernel_function()
    {
        var build = Compile(NativeTestSupport.Example("c/libc-call").Text);

        Assert.That(build.Success, Is.False);
        Assert.That(build.GraderGap, Is.Null);
        var error = build.Diagnostics.Single(d => d.Severity == "error");
        Assert.That(error.Message, Is.EqualTo("printf is not a kernel function (drivers cannot call libc)"));
        Assert.That(error.Line, Is.EqualTo(9), "the line of its first mention");
    }

    [Test]
    public void Implicit_declaration_is_an_error_as_in_the_kernel()
    {
        var build = Compile(Reference.Replace("ioread32(devmem)", "my_undeclared_read(devmem)", StringComparison.Ordinal));

        Assert.That(build.Success, Is.False);
        Assert.That(build.Diagnostics.Where(d => d.Severity == "error").Select(d => d.Message),
            Has.Some.Contains("implicit declaration of function 'my_undeclared_read'"));
    }

    [Test]
    public void Real_kernel_function_the_model_lacks_is_a_grader_gap()
    {
        var text = Reference.Replace("static int __init my_rng_driver_init(void)\n{",
            "static int __init my_rng_driver_init(void)\n{\n\tfree_irq(11, NULL);", StringComparison.Ordinal);
        text = "#include <linux/interrupt.h>\n" + text;
        var build = Compile(text);

        Assert.That(build.Success, Is.False);
        Assert.That(build.GraderGap, Is.EqualTo("the kernel model lacks free_irq"));
        Assert.That(build.Diagnostics.Where(d => d.Severity == "error"), Is.Empty);
    }

    [Test]
    public void Real_kernel_header_the_model_lacks_is_a_grader_gap()
    {
        var build = Compile("#include <linux/hrtimer.h>\n" + Reference);

        Assert.That(build.Success, Is.False);
        Assert.That(build.GraderGap, Is.EqualTo("the kernel model lacks <linux/hrtimer.h>"));
    }

    [Test]
    public void Libc_header_is_the_students_error()
    {
        var build = Compile("#include <stdio.h>\n" + Reference);

        Assert.That(build.GraderGap, Is.Null);
        Assert.That(build.Diagnostics.Single(d => d.Severity == "error").Message, Does.StartWith("<stdio.h> is not a kernel header"));
    }

    [Test]
    public void Warnings_are_kept_and_do_not_fail_the_build()
    {
        var build = Compile(NativeTestSupport.Example("c/ignores-copy-result").Text);

        Assert.That(build.Success, Is.True);
        var warning = build.Diagnostics.First();
        Assert.That((warning.Severity, warning.Line, warning.Code), Is.EqualTo(("warning", 24, "-Wunused-result")));
    }

    [Test]
    public void Bad_ioctl_size_argument_is_explained()
    {
        // Too large for the 14-bit size field: the kernel's _IOC_TYPECHECK leaves an undefined symbol.
        var build = Compile(Reference.Replace("printk(KERN_INFO \"my_rng_driver unloaded\\n\");",
            "printk(KERN_INFO \"my_rng_driver unloaded %lx\\n\", _IOR('q', 9, char[20000]));", StringComparison.Ordinal));

        Assert.That(build.Success, Is.False);
        Assert.That(build.Diagnostics.Where(d => d.Severity == "error").Select(d => d.Message), Has.Some.Contains("_IOR/_IOW/_IOWR"));
    }

    [TestCase("#include \"/etc/shadow\"\n")]
    [TestCase("#include \"../../etc/passwd\"\n")]
    [TestCase("#define F \"/etc/shadow\"\n#include F\n")]
    [TestCase("# /* hidden */ include </etc/shadow>\n")]
    [TestCase("__asm__(\".incbin \\\"/etc/shadow\\\"\");\n")]
    [TestCase("#pragma GCC dependency \"/etc/shadow\"\n")]
    [TestCase("#import \"/etc/shadow\"\n")]
    [TestCase("#inc\\\nlude \"/etc/shadow\"\n")]
    public void Source_that_would_read_files_outside_the_submission_is_refused(string prefix)
    {
        var build = Compile(prefix + Reference);

        Assert.That(build.Success, Is.False);
        Assert.That(build.Diagnostics, Has.Some.Matches<Autograder.Model.Diagnostic>(d => d.Severity == "error" && d.Line >= 1));
        Assert.That(build.Diagnostics.Select(d => d.Message), Has.None.Contains("root:"));
    }

    [Test]
    public void Ioctl_macros_match_linux()
    {
        const string Probe = """
            #include <linux/ioctl.h>
            #include <linux/kernel.h>
            _Static_assert(_IO('q', 1) == 0x7101, "IO");
            _Static_assert(_IOC_NR(0x80047101) == 1 && _IOC_TYPE(0x80047101) == 'q', "decoders");
            _Static_assert(_IOC_SIZE(0x80087102) == 8 && _IOC_DIR(0x80047101) == _IOC_READ, "decoders");
            _Static_assert(sizeof(_IOR('q', 1, unsigned int)) == sizeof(unsigned long), "printk %lx type");
            static int __init f(void)
            {
                BUILD_BUG_ON(_IOR('q', 1, unsigned int) != 0x80047101);
                BUILD_BUG_ON(_IOW('q', 1, unsigned int) != 0x40047101);
                BUILD_BUG_ON(_IOR('q', 1, unsigned int *) != 0x80087101);
                BUILD_BUG_ON(_IOWR('q', 1, unsigned int) != 0xc0047101);
                BUILD_BUG_ON(KERN_INFO[0] != 1 || KERN_INFO[1] != '6' || sizeof(KERN_INFO) != 3);
                return 0;
            }
            module_init(f);
            """;
        var build = Compile(Probe);

        Assert.That(build.Success, Is.True, () => string.Join("; ", build.Diagnostics.Select(d => d.Message)));
        var wrong = Compile(Probe.Replace("!= 0x80047101", "!= 0x80047102", StringComparison.Ordinal));
        Assert.That(wrong.Success, Is.False, "BUILD_BUG_ON must be able to fail");
    }

    [Test]
    public void Concurrent_compiles_do_not_interfere()
    {
        NativeTestSupport.RequireGcc();
        var good = Reference;
        var bad = NativeTestSupport.Example("c/compile-error").Text;
        var results = Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(4)
            .Select(i => (i, NativeTestSupport.Compiler.Compile($"s{i}", [("my-rng.c", i % 2 == 0 ? good : bad)])))
            .ToList();

        Assert.That(results.All(r => r.Item2.Success == (r.i % 2 == 0)), Is.True);
        Assert.That(results.Select(r => r.Item2.Driver?.Object).Where(p => p is not null).Distinct().Count(), Is.EqualTo(4));
    }

    [Test]
    public void Missing_gcc_is_reported_as_a_gap_not_thrown()
    {
        using var compiler = new CCompiler((null, NativeToolchain.MissingGcc));
        var build = compiler.Compile("x", [("my-rng.c", "int x;")]);

        Assert.That(build.Success, Is.False);
        Assert.That(build.GraderGap, Is.EqualTo("gcc is needed to grade C submissions: apt-get install gcc"));
    }

    [Test]
    public void Toolchain_exports_the_model_and_knows_the_kernel()
    {
        NativeTestSupport.RequireGcc();
        var toolchain = NativeToolchain.Shared.Toolchain!;

        Assert.That(toolchain.ModelExports, Is.SupersetOf(new[] { "printk", "ioremap", "copy_to_user", "register_chrdev", "pci_iomap", "memcpy" }));
        Assert.That(toolchain.ModelExports, Does.Not.Contain("main"));
        Assert.That(toolchain.KernelSymbols, Does.Contain("cdev_add"));
        Assert.That(toolchain.KernelHeaders, Does.Contain("linux/cdev.h"));
        Assert.That(File.Exists(toolchain.LaunchPath), Is.True);
        Assert.That(File.Exists(toolchain.HostPath), Is.True);
    }

    [Test]
    public void Hostile_exit_call_fails_the_build()
    {
        var build = Compile(NativeTestSupport.Example("hostile/c/exit-call").Text);

        Assert.That(build.Success, Is.False);
        Assert.That(build.Diagnostics.Single(d => d.Severity == "error").Message, Is.EqualTo("exit is not a kernel function (drivers cannot call libc)"));
    }

    [Test]
    public void Host_plumbing_is_not_callable_by_a_driver()
    {
        var build = Compile("void ag_send(void);\n" + Reference.Replace("return 0;\n}\n\nstatic void __exit", "ag_send();\n\treturn 0;\n}\n\nstatic void __exit", StringComparison.Ordinal));

        Assert.That(build.Diagnostics.Select(d => d.Message), Has.Some.EqualTo("ag_send is not a kernel function (drivers cannot call libc)"));
    }
}
