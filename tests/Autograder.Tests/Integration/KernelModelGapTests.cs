using System.Text.Json;
using Autograder.Compile;
using Autograder.Model;
using Autograder.Tests.Cli;
using Autograder.Tests.Native;

namespace Autograder.Tests.Integration;

/// <summary>
/// A correct driver that needs something our kernel model lacks (here a real member of struct pci_dev we do
/// not model) is graded through the CLI: the differential oracle finds that Linux's own headers compile it,
/// so its build is the grader's fault naming the member, and the class overview lists the gap.
/// </summary>
[TestFixture]
[NonParallelizable]
public class KernelModelGapTests
{
    [Test]
    public void A_real_member_our_model_lacks_is_a_grader_fault_naming_it_and_listed_in_the_overview()
    {
        NativeTestSupport.RequireGcc();
        if (KernelOracle.Unavailable is { } why)
        {
            Assert.Ignore(why);
        }

        var root = Directory.CreateTempSubdirectory("ag-model-gap-");
        try
        {
            var text = NativeTestSupport.Example("c/pci-resource-member").Text.Replace(
                "\terr = pci_enable_device(pdev);", "\tif (!pdev->dma_mask)\n\t\treturn -ENODEV;\n\terr = pci_enable_device(pdev);", StringComparison.Ordinal);
            Assert.That(text, Does.Contain("pdev->dma_mask"));
            foreach (var (id, source) in new[] { ("lacks", text), ("broken", text.Replace("dma_mask", "dma_maks", StringComparison.Ordinal)) })
            {
                Directory.CreateDirectory(Path.Combine(root.FullName, "in", id));
                File.WriteAllText(Path.Combine(root.FullName, "in", id, "my-rng.c"), source);
            }

            var output = Path.Combine(root.FullName, "out");
            var run = CliHarness.Run("grade", Path.Combine(root.FullName, "in"), "--out", output, "--format", "json,html", "--no-cache");
            var results = JsonSerializer.Deserialize<GradingRun>(File.ReadAllText(Path.Combine(output, "results.json")), ResultsJson.Options)!
                .Submissions.ToDictionary(s => s.Id);

            var lacks = results["lacks"];
            var build = lacks.Checks.Single(c => c.Id == "build");
            Assert.Multiple(() =>
            {
                Assert.That((lacks.Outcome, lacks.ModelGap, lacks.GraderFault), Is.EqualTo((Outcomes.HarnessError, "struct pci_dev.dma_mask", true)), run.Error);
                Assert.That((build.Status, build.Fault), Is.EqualTo((CheckStatuses.Error, Faults.Grader)));
                Assert.That(build.Feedback, Does.Contain("the kernel model lacks struct pci_dev.dma_mask"));
                Assert.That(lacks.Score, Is.Zero, "points are held back, not awarded");
            });

            // A misspelt member fails against Linux too: the student's compile error, as before.
            var broken = results["broken"];
            Assert.That((broken.Outcome, broken.ModelGap, broken.GraderFault), Is.EqualTo((Outcomes.CompileError, (string?)null, false)));

            var index = File.ReadAllText(Path.Combine(output, "index.html"));
            Assert.That(index, Does.Contain("id=\"model-gaps\"").And.Contain("<code>struct pci_dev.dma_mask</code>"));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
