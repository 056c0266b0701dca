namespace Autograder.Tests.Native;

/// <summary>The host's loader (grader/native/host/loader.c) maps a driver object as the kernel maps a module.</summary>
public class LoaderTests
{
    [SetUp]
    public void NeedGcc() => NativeTestSupport.RequireGcc();

    [Test]
    public void Two_units_static_data_function_pointers_and_model_variables_are_relocated()
    {
        const string Main = """
            #include <linux/module.h>
            #include <linux/jiffies.h>
            int helper(int x);
            static const char *const words[] = { "zero", "one", "two" };
            static int (*const call)(int) = helper;
            static unsigned long bss[64];
            static int __init go(void)
            {
                bss[63] = jiffies + 1;
                printk(KERN_INFO "%s %d %d\n", words[2], call(20), bss[63] != 0);
                return 0;
            }
            module_init(go);
            """;
        const string Helper = "int helper(int x);\nstatic int twice(int x) { return 2 * x; }\nint helper(int x) { return twice(x) + 2; }\n";
        Assert.That(NativeTestSupport.InitPrintk("two-units", [("my-rng.c", Main), ("helper.c", Helper)]), Does.EndWith("two 42 1\n"));
    }

    [Test]
    public void Units_defining_the_same_function_are_the_students_link_error()
    {
        var build = NativeTestSupport.Compiler.Compile("clash", [("my-rng.c", "int helper(void);\nint helper(void) { return 1; }\n"), ("other.c", "int helper(void);\nint helper(void) { return 2; }\n")]);

        Assert.That(build.Success, Is.False);
        Assert.That(build.GraderGap, Is.Null);
        Assert.That(build.Diagnostics.Select(d => d.Message), Has.Some.Contains("multiple definition"));
    }

    [Test]
    public void A_relocation_the_loader_does_not_know_stops_the_host_with_a_message()
    {
        // asm can write any relocation; the kernel's module loader refuses unknown types too.
        const string Driver = """
            #include <linux/module.h>
            static int __init go(void) { asm volatile(".reloc ., R_X86_64_GOTPC64, jiffies\n\t.quad 0"); return 0; }
            module_init(go);
            """;
        var build = NativeTestSupport.Compiler.Compile("odd-reloc", [("my-rng.c", Driver)]);
        Assert.That(build.Success, Is.True, () => string.Join("\n", build.Diagnostics.Select(d => d.Message)));
        using var grader = new FakeGrader(build.Driver!, sandbox: true);

        Assert.That(grader.Stderr.Wait(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(grader.Stderr.Result, Does.Contain("cannot load the driver").And.Contain("relocation of type 29"));
    }
}
