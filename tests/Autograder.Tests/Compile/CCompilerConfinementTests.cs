using Autograder.Tests.Native;

namespace Autograder.Tests.Compile;

/// <summary>Driver code runs only when the grader calls it, inside a sandboxed child: never at load time,
/// and never in place of libc's or the kernel model's functions.</summary>
public class CCompilerConfinementTests
{
    private static string Reference => NativeTestSupport.Example("c/reference").Text;

    [SetUp]
    public void NeedGcc() => NativeTestSupport.RequireGcc();

    // Bodies do something: gcc drops an empty constructor altogether.
    [TestCase("static volatile int hits;\n__attribute__((constructor)) static void early(void) { hits++; }")]
    [TestCase("static volatile int hits;\n#define EARLY __attribute__((__constructor__))\nEARLY static void early(void) { hits++; }")]
    [TestCase("static volatile int hits;\nstatic void early(void) { hits++; }\nstatic void (*const hook)(void) __attribute__((section(\".init_array\"), used)) = early;")]
    [TestCase("static volatile int hits;\n__attribute__((destructor)) static void late(void) { hits++; }")]
    public void Code_that_would_run_when_the_host_loads_is_refused(string extra)
    {
        var build = NativeTestSupport.Compiler.Compile("ctor", [("my-rng.c", Reference + "\n" + extra + "\n")]);
        Assert.That(build.Success, Is.False);
        Assert.That(build.GraderGap, Is.Null, "the student's doing, not ours");
        Assert.That(build.Diagnostics.Select(d => d.Message), Has.Some.Contains("would run when it is loaded"));
    }

    [Test]
    public void A_driver_defining_a_libc_name_keeps_it_to_itself()
    {
        // The host's loader resolves nothing to the driver: the model's kmalloc still gets libc's malloc.
        const string Driver = """
            #include <linux/module.h>
            #include <linux/slab.h>
            void *malloc(unsigned long n) { (void)n; return (void *)0; }
            int write(int fd, const void *b, unsigned long n) { (void)fd; (void)b; (void)n; return -1; }
            static int __init go(void)
            {
                void *p = kmalloc(64, GFP_KERNEL);
                printk(KERN_INFO "kmalloc %s\n", p ? "ok" : "failed");
                kfree(p);
                return 0;
            }
            module_init(go);
            """;
        Assert.That(NativeTestSupport.InitPrintk("libc-names", [("my-rng.c", Driver)]), Does.Contain("kmalloc ok"));
    }

    [Test]
    public void A_driver_in_two_files_still_links()
    {
        var main = Reference.Replace("static long my_rng_ioctl", "long helper_unused(void);\nstatic long my_rng_ioctl", StringComparison.Ordinal);
        var build = NativeTestSupport.Compiler.Compile("two", [("my-rng.c", main), ("helper.c", "long helper_unused(void) { return 0; }\n")]);
        Assert.That(build.Success, Is.True, string.Join("\n", build.Diagnostics.Select(d => d.Message)));
    }
}
