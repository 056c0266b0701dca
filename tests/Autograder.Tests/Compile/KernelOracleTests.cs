using System.Runtime.CompilerServices;
using Autograder.Compile;
using Autograder.Model;
using Autograder.Tests.Native;

namespace Autograder.Tests.Compile;

/// <summary>What the oracle names from gcc's first error, and the hints for known kernel API changes.</summary>
public class KernelOracleTests
{
    [TestCase("'struct pci_dev' has no member named 'resource'", "struct pci_dev.resource")]
    [TestCase("\u2018struct file\u2019 has no member named \u2018f_cred\u2019", "struct file.f_cred")]
    [TestCase("implicit declaration of function 'kthread_run' [-Werror=implicit-function-declaration]", "kthread_run()")]
    [TestCase("'PCI_IRQ_MSI' undeclared (first use in this function)", "PCI_IRQ_MSI")]
    [TestCase("unknown type name 'kuid_t'", "kuid_t")]
    [TestCase("invalid use of undefined type 'struct pci_bus'", "struct pci_bus")]
    [TestCase("too many arguments to function 'pci_iomap'", "pci_iomap() as Linux declares it")]
    [TestCase("type defaults to 'int' in declaration of 'MODULE_SOFTDEP' [-Werror=implicit-int]", "MODULE_SOFTDEP")]
    [TestCase("linux/kthread.h: No such file or directory", "<linux/kthread.h>")]
    [TestCase("<linux/of.h> is not a kernel header (drivers cannot use libc headers): linux/of.h: No such file or directory", "<linux/of.h>")]
    [TestCase("expected ';' before '}' token", null)]
    public void The_missing_name_comes_from_the_error(string message, string? name) =>
        Assert.That(KernelOracle.MissingName(message), Is.EqualTo(name));

    [Test]
    public void A_gap_message_gives_back_its_name()
    {
        Assert.That(KernelOracle.GapName("the kernel model lacks ktime_get_real_seconds()"), Is.EqualTo("ktime_get_real_seconds()"));
        Assert.That(KernelOracle.GapName("the kernel model lacks struct pci_dev.dma_mask: the driver compiles ..."), Is.EqualTo("struct pci_dev.dma_mask"));
        Assert.That(KernelOracle.GapName("gcc is not installed"), Is.Null);
    }

    [Test]
    public void The_old_class_create_gets_a_hint_naming_the_change()
    {
        var annotated = KernelApiChanges.Annotate([
            new Diagnostic("error", "my-rng.c", 9, 2, "too many arguments to function 'class_create'"),
            new Diagnostic("warning", "my-rng.c", 9, 2, "too many arguments to function 'class_create'"),
            new Diagnostic("error", "my-rng.c", 10, 2, "expected ';' before '}' token"),
        ]);
        Assert.That(annotated[0].Message, Does.EndWith("(class_create takes one argument since Linux 6.4: class_create(\"name\"))"));
        Assert.That(annotated[1].Message, Is.EqualTo("too many arguments to function 'class_create'"), "warnings are left alone");
        Assert.That(annotated[2].Message, Is.EqualTo("expected ';' before '}' token"));
        Assert.That(KernelApiChanges.HintFor("'struct file_operations' has no member named 'ioctl'"), Does.Contain("unlocked_ioctl"));
    }

    [Test]
    [Category("Slow")]
    public void Linux_compiles_the_one_argument_class_create_and_rejects_the_old_one()
    {
        if (KernelOracle.Unavailable is { } why)
        {
            Assert.Ignore(why);
        }

        const string Driver = "#include <linux/module.h>\n#include <linux/device.h>\nMODULE_LICENSE(\"GPL\");\nstatic struct class *c;\n"
            + "static int __init f(void) { c = class_create(ARGS); return IS_ERR(c) ? PTR_ERR(c) : 0; }\nmodule_init(f);\n";
        Assert.That(CKbuild.Compiles([("a.c", Driver.Replace("ARGS", "\"x\"", StringComparison.Ordinal))], KernelOracle.Prelude).Success, Is.True);
        Assert.That(CKbuild.Compiles([("a.c", Driver.Replace("ARGS", "THIS_MODULE, \"x\"", StringComparison.Ordinal))], KernelOracle.Prelude).Success, Is.False);
    }

    [Test]
    [Category("Slow")]
    public void The_APIs_real_hand_ins_use_compile_against_our_model_and_against_Linux()
    {
        NativeTestSupport.RequireGcc();
        var text = File.ReadAllText(Path.Combine(Path.GetDirectoryName(ThisFile())!, "Data", "real-hand-in-apis.c"));
        var ours = NativeTestSupport.Compiler.Compile("real-apis", [("my-rng.c", text)]);
        Assert.That(ours.Success, Is.True, () => ours.GraderGap + string.Join("\n", ours.Diagnostics.Select(d => $"{d.Line}: {d.Message}")));
        if (KernelOracle.Unavailable is { } why)
        {
            Assert.Ignore(why);
        }

        var (linux, log, _) = CKbuild.Compiles([("my-rng.c", text)], KernelOracle.Prelude);
        Assert.That(linux, Is.True, log);
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
