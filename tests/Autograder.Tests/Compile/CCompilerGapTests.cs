using Autograder.Tests.Native;

namespace Autograder.Tests.Compile;

/// <summary>A real kernel API our headers lack is our gap (a grader fault), never the student's compile error.</summary>
public class CCompilerGapTests
{
    [SetUp]
    public void NeedGcc() => NativeTestSupport.RequireGcc();

    [Test]
    public void Calling_an_exported_kernel_function_our_headers_do_not_declare_is_a_grader_gap()
    {
        var source = NativeTestSupport.Example("c/reference").Text
            .Replace("return 0;\n}\n\nstatic void __exit", "(void)ktime_get_real_seconds();\n\treturn 0;\n}\n\nstatic void __exit", StringComparison.Ordinal);
        Assert.That(source, Does.Contain("ktime_get_real_seconds"));
        var build = NativeTestSupport.Compiler.Compile("gap", [("my-rng.c", source)]);
        Assert.That(build.GraderGap, Is.EqualTo("the kernel model lacks ktime_get_real_seconds()"));
    }

    [Test]
    public void Claiming_the_device_region_before_ioremap_compiles()
    {
        var source = NativeTestSupport.Example("c/reference").Text.Replace(
            "devmem = ioremap(DEVICE_BASE_PHYS_ADDR, 4096);",
            "if (!request_mem_region(DEVICE_BASE_PHYS_ADDR, PAGE_SIZE, \"my_rng_driver\"))\n\t\treturn -EBUSY;\n\tdevmem = ioremap(DEVICE_BASE_PHYS_ADDR, 4096);",
            StringComparison.Ordinal);
        var build = NativeTestSupport.Compiler.Compile("region", [("my-rng.c", source)]);
        Assert.That(build.Success, Is.True, string.Join("\n", build.Diagnostics.Select(d => d.Message)));
    }

    [Test]
    public void A_made_up_function_is_still_the_students_error()
    {
        var source = NativeTestSupport.Example("c/reference").Text
            .Replace("return 0;\n}\n\nstatic void __exit", "frobnicate_the_rng();\n\treturn 0;\n}\n\nstatic void __exit", StringComparison.Ordinal);
        var build = NativeTestSupport.Compiler.Compile("madeup", [("my-rng.c", source)]);
        Assert.That(build.GraderGap, Is.Null);
        Assert.That(build.Diagnostics.Select(d => d.Message), Has.Some.Contains("frobnicate_the_rng"));
    }
}
