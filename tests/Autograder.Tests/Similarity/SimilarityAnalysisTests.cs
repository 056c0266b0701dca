using Autograder.Similarity;
using Autograder.Submissions;

namespace Autograder.Tests.Similarity;

public sealed class SimilarityAnalysisTests
{
    private static readonly double Threshold = new SimilarityOptions().Threshold;

    [TestCase("independent/ioread-copy.c", "copies/ioread-disguised.c")]
    [TestCase("independent/readl-putuser-mutex.c", "copies/mutex-disguised.c")]
    public void A_copy_with_renamed_identifiers_reordered_functions_new_layout_and_comments_is_found(string original, string copy)
    {
        var result = SimilarityAnalysis.Run([SimilarityData.Load(original), SimilarityData.Load(copy)], [], new SimilarityOptions());

        Assert.That(result.Pairs, Has.Count.EqualTo(1));
        var pair = result.Pairs[0];
        TestContext.Out.WriteLine($"{pair.A.Id} {pair.ShareA:P0} / {pair.B.Id} {pair.ShareB:P0} ({pair.Shared} fingerprints)");
        Assert.Multiple(() =>
        {
            Assert.That(pair.ShareA, Is.GreaterThanOrEqualTo(0.75), "share of " + pair.A.Id);
            Assert.That(pair.ShareB, Is.GreaterThanOrEqualTo(0.75), "share of " + pair.B.Id);
        });
    }

    [Test]
    public void Independent_drivers_written_from_the_same_handout_stay_below_the_threshold()
    {
        var independent = SimilarityData.Folder("independent");
        Assert.That(independent, Has.Count.GreaterThanOrEqualTo(4));

        var result = SimilarityData.All(independent);

        foreach (var pair in result.Pairs)
        {
            TestContext.Out.WriteLine($"{pair.A.Id} {pair.ShareA:P0} / {pair.B.Id} {pair.ShareB:P0} ({pair.Shared})");
        }

        Assert.That(result.Pairs.Select(p => p.Score), Has.All.LessThan(Threshold / 2));
        Assert.That(SimilarityAnalysis.Run(independent, [], new SimilarityOptions()).Pairs, Is.Empty);
    }

    [Test]
    public void A_copy_across_languages_is_not_claimed()
    {
        var result = SimilarityData.All([SimilarityData.Load("independent/ioread-copy.c"), SimilarityData.Load("csharp/port.cs")]);

        Assert.That(result.Pairs, Is.Empty);
    }

    [Test]
    public void A_csharp_copy_is_found_as_a_c_copy_is()
    {
        var port = SimilarityData.Load("csharp/port.cs");
        var renamed = port with
        {
            Id = "renamed",
            Files = [new SimilaritySource("Renamed.cs", port.Files[0].Text.Replace("random_number", "r", StringComparison.Ordinal).Replace("seed", "s", StringComparison.Ordinal).Replace("\n", "\n\n", StringComparison.Ordinal))],
        };

        var result = SimilarityAnalysis.Run([port, renamed], [], new SimilarityOptions());

        Assert.That(result.Pairs, Has.Count.EqualTo(1));
        Assert.That(result.Pairs[0].ShareA, Is.GreaterThan(0.9));
    }

    [Test]
    public void Two_hand_ins_that_only_kept_the_skeleton_score_about_zero_after_base_removal()
    {
        var skeletons = SimilarityData.Folder("skeleton-only");

        var withBase = SimilarityData.All(skeletons);
        var withoutBase = SimilarityAnalysis.Run(skeletons, [], new SimilarityOptions { Threshold = 0, MinSharedFingerprints = 0, Bases = [] });

        Assert.That(withoutBase.Pairs.Single().Score, Is.GreaterThan(Threshold), "without the base they look alike");
        Assert.That(withBase.Pairs.Select(p => p.Score), Has.All.LessThan(0.1));
    }

    [Test]
    public void Known_solutions_are_compared_with_every_submission_and_listed_apart()
    {
        var submissions = new[] { SimilarityData.Load("copies/ioread-disguised.c"), SimilarityData.Load("independent/misc.c") };
        var known = new[] { SimilarityData.Load("independent/ioread-copy.c") };

        var result = SimilarityAnalysis.Run(submissions, known, new SimilarityOptions());

        Assert.Multiple(() =>
        {
            Assert.That(result.Pairs, Is.Empty);
            Assert.That(result.KnownPairs.Select(p => (p.A.Id, p.B.Id)), Is.EqualTo(new[] { ("ioread-disguised", "ioread-copy") }));
            Assert.That(result.Known, Is.EqualTo(1));
        });
    }

    [Test]
    public void A_fragment_most_of_a_large_class_shares_is_an_idiom_and_does_not_count()
    {
        // 12 identical copies: every fingerprint is held by more than the common limit (10), so none counts.
        var copy = SimilarityData.Load("independent/misc.c");
        var documents = Enumerable.Range(0, 12).Select(i => copy with { Id = $"s{i:00}" }).ToList();

        var result = SimilarityData.All(documents);

        Assert.Multiple(() =>
        {
            Assert.That(result.Pairs, Is.Empty);
            Assert.That(result.CommonFingerprints, Is.GreaterThan(0));
        });
    }

    [Test]
    public void Listed_pairs_are_bounded_and_counted()
    {
        var copy = SimilarityData.Load("independent/misc.c");
        var documents = Enumerable.Range(0, 6).Select(i => copy with { Id = $"s{i}" }).ToList();

        var result = SimilarityAnalysis.Run(documents, [], new SimilarityOptions { MaxPairs = 4 });

        Assert.Multiple(() =>
        {
            Assert.That(result.Pairs, Has.Count.EqualTo(4));
            Assert.That(result.PairsAboveThreshold, Is.EqualTo(15));
            Assert.That(result.Pairs.Select(p => p.A.Id), Is.Ordered);
        });
    }

    [Test]
    public void A_submission_that_cannot_be_read_is_noted_and_compared_with_nothing()
    {
        var broken = new SimilarityDocument("broken", Language.C, [], false, "my-rng.c is a binary file, not source code");

        var result = SimilarityData.All([broken, SimilarityData.Load("independent/misc.c")]);

        Assert.Multiple(() =>
        {
            Assert.That(result.Pairs, Is.Empty);
            Assert.That(result.Notes, Is.EqualTo(new[] { "broken: not compared (my-rng.c is a binary file, not source code)" }));
        });
    }

    [Test]
    public void Two_csharp_hand_ins_that_only_kept_the_ported_skeleton_score_about_zero()
    {
        var skeleton = BaseFiles.BuiltIn.Single(b => b.Language == Language.CSharp).Files[0].Text;
        var a = SimilarityDocument.FromText("a", Language.CSharp, "A.cs", skeleton.Replace("devmem", "mem", StringComparison.Ordinal));
        var b = SimilarityDocument.FromText("b", Language.CSharp, "B.cs", skeleton.Replace("    ", "\t", StringComparison.Ordinal));

        Assert.That(SimilarityData.All([a, b]).Pairs.Select(p => p.Score), Has.All.LessThan(0.1));
    }

    [Test]
    public void A_patch_is_compared_by_the_driver_it_creates_and_a_user_program_beside_it_is_left_out()
    {
        var dir = Directory.CreateTempSubdirectory("similarity-patch-").FullName;
        try
        {
            File.Copy(Path.Combine(TestPaths.Examples, "c", "patch", "linux.patch"), Path.Combine(dir, "linux.patch"));
            File.WriteAllText(Path.Combine(dir, "test.c"), "#include <stdio.h>\nint main(void) { return 0; }\n");

            var document = SimilarityDocument.Read(SubmissionFinder.FindOne(dir), new SimilarityOptions().MaxSourceChars);

            Assert.That(document.Files.Select(f => f.Path), Is.EqualTo(new[] { "drivers/misc/my-rng.c" }));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Only_the_first_max_source_chars_of_a_submission_are_compared_and_that_is_noted()
    {
        var misc = SimilarityData.Load("independent/misc.c");
        var huge = new Submission { Id = "huge", Language = Language.C, RelativePath = "huge.c", Files = [WriteTemp(misc.Files[0].Text + new string(' ', 100_000))] };

        var document = SimilarityDocument.Read(huge, 4096);
        var result = SimilarityAnalysis.Run([document], [], new SimilarityOptions { MaxSourceChars = 4096 });

        Assert.Multiple(() =>
        {
            Assert.That(document.Truncated, Is.True);
            Assert.That(document.Files[0].Text, Has.Length.EqualTo(4096));
            Assert.That(result.Notes, Is.EqualTo(new[] { "huge: only the first 4 KiB of source compared" }));
        });
        File.Delete(huge.Files[0]);
    }

    private static string WriteTemp(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), "similarity-" + Guid.NewGuid().ToString("N") + ".c");
        File.WriteAllText(path, text);
        return path;
    }
}
