using Autograder.Submissions;
using Autograder.Tests.Native;

namespace Autograder.Tests.Submissions;

[TestFixture]
public sealed class PatchExtractorTests
{
    [Test]
    public void Git_format_patch_yields_the_created_file()
    {
        var patch = File.ReadAllText(Path.Combine(NativeTestSupport.RepoRoot, "examples", "c", "patch", "linux.patch"));
        var reference = File.ReadAllText(Path.Combine(NativeTestSupport.RepoRoot, "examples", "c", "reference", "my-rng.c"));

        var text = PatchExtractor.ExtractMyRng(patch, out var problem);

        Assert.That(problem, Is.Null);
        Assert.That(text, Is.EqualTo(reference));
    }

    [Test]
    public void Plain_diff_with_tree_prefix_and_timestamps_yields_the_file()
    {
        const string Patch = "diff -ruN linux-6.6.4.orig/drivers/misc/my-rng.c linux-6.6.4/drivers/misc/my-rng.c\n"
            + "--- linux-6.6.4.orig/drivers/misc/my-rng.c\t1970-01-01 01:00:00.000000000 +0100\n"
            + "+++ linux-6.6.4/drivers/misc/my-rng.c\t2024-03-04 10:00:00.000000000 +0100\n"
            + "@@ -0,0 +1,3 @@\n"
            + "+#include <linux/module.h>\n"
            + "+\n"
            + "+int x;\n";

        Assert.That(PatchExtractor.ExtractMyRng(Patch, out var problem), Is.EqualTo("#include <linux/module.h>\n\nint x;\n"));
        Assert.That(problem, Is.Null);
    }

    [Test]
    public void Missing_newline_at_end_of_file_is_honoured()
    {
        const string Patch = "--- /dev/null\n+++ b/drivers/misc/my-rng.c\n@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file\n";

        Assert.That(PatchExtractor.ExtractMyRng(Patch, out _), Is.EqualTo("a\nb"));
    }

    [Test]
    public void Crlf_patch_is_read()
    {
        const string Patch = "--- /dev/null\r\n+++ b/drivers/misc/my-rng.c\r\n@@ -0,0 +1 @@\r\n+int x;\r\n";

        Assert.That(PatchExtractor.ExtractMyRng(Patch, out _), Is.EqualTo("int x;\n"));
    }

    [Test]
    public void Patch_without_the_file_names_what_it_touches()
    {
        const string Patch = "--- a/drivers/misc/Makefile\n+++ b/drivers/misc/Makefile\n@@ -1,1 +1,2 @@\n #\n+obj-y += my-rng.o\n"
            + "--- /dev/null\n+++ b/drivers/misc/other.c\n@@ -0,0 +1 @@\n+int y;\n";

        Assert.That(PatchExtractor.ExtractMyRng(Patch, out var problem), Is.Null);
        Assert.That(problem, Is.EqualTo("the patch does not create drivers/misc/my-rng.c (it touches: drivers/misc/Makefile, drivers/misc/other.c)"));
    }

    [Test]
    public void Modification_of_the_file_is_unsupported()
    {
        const string Patch = "--- a/drivers/misc/my-rng.c\n+++ b/drivers/misc/my-rng.c\n@@ -10,3 +10,3 @@\n a\n-b\n+c\n d\n";

        Assert.That(PatchExtractor.ExtractMyRng(Patch, out var problem), Is.Null);
        Assert.That(problem, Does.Contain("modifies drivers/misc/my-rng.c instead of creating it"));
    }

    [Test]
    public void Not_a_diff_at_all()
    {
        Assert.That(PatchExtractor.ExtractMyRng("hello", out var problem), Is.Null);
        Assert.That(problem, Does.Contain("holds no unified diff"));
    }

    [Test]
    public void Series_that_creates_then_changes_the_file_yields_the_final_content()
    {
        const string Patch = "--- /dev/null\n+++ b/drivers/misc/my-rng.c\n@@ -0,0 +1,4 @@\n+a\n+b\n+c\n+d\n"
            + "-- \n2.39.2\n\nFrom 1 Mon Sep 17 00:00:00 2001\nSubject: [PATCH 2/2] fix\n---\n"
            + "--- a/drivers/misc/my-rng.c\n+++ b/drivers/misc/my-rng.c\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n@@ -4 +4,2 @@\n d\n+e\n";

        Assert.That(PatchExtractor.ExtractMyRng(Patch, out var problem), Is.EqualTo("a\nB\nc\nd\ne\n"));
        Assert.That(problem, Is.Null);
    }

    [Test]
    public void Later_change_that_does_not_apply_is_reported()
    {
        const string Patch = "--- /dev/null\n+++ b/drivers/misc/my-rng.c\n@@ -0,0 +1,2 @@\n+a\n+b\n"
            + "--- a/drivers/misc/my-rng.c\n+++ b/drivers/misc/my-rng.c\n@@ -1,2 +1,2 @@\n x\n-b\n+B\n";

        Assert.That(PatchExtractor.ExtractMyRng(Patch, out var problem), Is.Null);
        Assert.That(problem, Does.Contain("does not apply"));
    }

    [Test]
    public void Deleting_the_file_is_reported()
    {
        const string Patch = "--- a/drivers/misc/my-rng.c\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n";

        Assert.That(PatchExtractor.ExtractMyRng(Patch, out var problem), Is.Null);
        Assert.That(problem, Is.EqualTo("the patch deletes drivers/misc/my-rng.c"));
    }
}
