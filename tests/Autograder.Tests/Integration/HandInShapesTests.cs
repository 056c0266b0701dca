using System.Text.Json;
using Autograder.Model;
using Autograder.Tests.Cli;

namespace Autograder.Tests.Integration;

/// <summary>Real hand-ins are rarely a bare my-rng.c: they carry test programs, QEMU patches, headers.</summary>
public class HandInShapesTests
{
    private static string Reference => File.ReadAllText(Path.Combine(TestPaths.Examples, "c", "reference", "my-rng.c"));

    [Test]
    public void A_test_program_a_qemu_patch_and_a_header_next_to_the_driver_are_handled()
    {
        var root = Directory.CreateTempSubdirectory("ag-shapes-");
        var alice = Directory.CreateDirectory(Path.Combine(root.FullName, "in", "alice")).FullName;
        File.WriteAllText(Path.Combine(alice, "my-rng.c"), Reference);
        File.WriteAllText(Path.Combine(alice, "test.c"), "#include <stdio.h>\n#include <sys/ioctl.h>\nint main(void) { printf(\"%d\\n\", 1); return 0; }\n");

        var bob = Directory.CreateDirectory(Path.Combine(root.FullName, "in", "bob")).FullName;
        File.Copy(Path.Combine(TestPaths.Examples, "c", "patch", "linux.patch"), Path.Combine(bob, "linux.patch"));
        File.WriteAllText(Path.Combine(bob, "qemu.patch"), "--- a/hw/misc/Makefile\n+++ b/hw/misc/Makefile\n@@ -1,1 +1,2 @@\n obj-y += x.o\n+obj-y += my_rng.o\n");

        var carol = Directory.CreateDirectory(Path.Combine(root.FullName, "in", "carol")).FullName;
        File.WriteAllText(Path.Combine(carol, "my-rng.h"), "#define MY_RNG_MAJOR 250\n");
        File.WriteAllText(Path.Combine(carol, "my-rng.c"), "#include \"my-rng.h\"\n" + Reference.Replace("register_chrdev(250,", "register_chrdev(MY_RNG_MAJOR,", StringComparison.Ordinal));

        var outDir = Path.Combine(root.FullName, "out");
        var run = CliHarness.Run("grade", Path.Combine(root.FullName, "in"), "--out", outDir, "--format", "json");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Out + run.Error);
        var results = JsonSerializer.Deserialize<GradingRun>(File.ReadAllText(Path.Combine(outDir, "results.json")), ResultsJson.Options)!;
        Assert.That(results.Submissions.Select(s => (s.Id, s.Score)), Is.EquivalentTo(new[] { ("alice", 100m), ("bob", 100m), ("carol", 100m) }));
        var alicesResult = results.Submissions.Single(s => s.Id == "alice");
        Assert.That(alicesResult.Diagnostics.Any(d => d.File == "test.c" && d.Message.Contains("user-space program", StringComparison.Ordinal)), Is.True);
        Assert.That(alicesResult.Sources.Select(s => s.Path), Is.SupersetOf(new[] { "my-rng.c", "test.c" }));
    }
}
