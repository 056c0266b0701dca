using Autograder.Compile;

namespace Autograder.Tests.Compile;

public class KernelTypeAliasTests
{
    private const string Driver = """
        using static Autograder.KernelApi.Kernel;
        static class D
        {
            [module_init] static int I() { u32 v = 1; u64 w = v; s32 x = -1; u8 b = 2; return (int)(w + b) + x - 3; }
        }
        """;

    [Test]
    public void Kernel_type_names_work_without_a_using()
    {
        var build = new CSharpCompiler().Compile([("D.cs", Driver)]);
        Assert.That(build.Success, Is.True, string.Join("\n", build.Diagnostics.Select(d => d.Message)));
    }

    [Test]
    public void A_students_own_alias_of_the_same_name_still_compiles()
    {
        var build = new CSharpCompiler().Compile([("D.cs", "using u32 = uint;\n" + Driver)]);
        Assert.That(build.Success, Is.True, string.Join("\n", build.Diagnostics.Select(d => d.Message)));
        Assert.That(build.Diagnostics.Where(d => d.Severity == "error"), Is.Empty);
    }
}
