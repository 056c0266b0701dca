using Autograder.Report;
using Autograder.Similarity;

namespace Autograder.Tests.Similarity;

/// <summary>similarity.html, a pair page and similarity.csv of the data folder against committed golden files
/// (Similarity/Golden). To accept an intended change: AUTOGRADER_ACCEPT_GOLDEN=1 dotnet test --filter
/// FullyQualifiedName~SimilarityReport, then review the diff.</summary>
[TestFixture]
public sealed class SimilarityReportTests
{
    private string _dir = "";

    [OneTimeSetUp]
    public void Render()
    {
        Templates.StrictVariables = true;
        _dir = Path.Combine(Path.GetTempPath(), "similarity-report-" + Guid.NewGuid().ToString("N"));
        var submissions = new[] { "independent", "copies", "skeleton-only", "csharp" }.SelectMany(SimilarityData.Folder).ToList();
        var known = new[] { SimilarityData.Load("independent/misc.c") with { Id = "public-misc" } };
        SimilarityReport.Write(SimilarityAnalysis.Run(submissions, known, new SimilarityOptions()), _dir, linkOverview: true);
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        Templates.StrictVariables = false;
        Directory.Delete(_dir, recursive: true);
    }

    [TestCase("similarity.html")]
    [TestCase("similarity.csv")]
    [TestCase("similarity/1.html")]
    [TestCase("similarity/known-1.html")]
    public void Output_matches_its_golden_file(string relative)
    {
        // The shared stylesheet is the overview's business (Report/Golden); here it is a placeholder.
        var actual = File.ReadAllText(Path.Combine(_dir, relative)).Replace(Templates.Render("style", new { }), "/* style.liquid */", StringComparison.Ordinal);
        var golden = Path.Combine(TestPaths.RepoRoot, "tests", "Autograder.Tests", "Similarity", "Golden", relative.Replace('/', '_'));
        if (Environment.GetEnvironmentVariable("AUTOGRADER_ACCEPT_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(golden)!);
            File.WriteAllText(golden, actual);
            Assert.Pass($"accepted {relative}");
        }

        Assert.That(File.Exists(golden), Is.True, $"no golden file {golden}; run with AUTOGRADER_ACCEPT_GOLDEN=1 to create it");
        Assert.That(actual, Is.EqualTo(File.ReadAllText(golden)), $"{relative} differs from {golden}");
    }

    [Test]
    public void The_csv_lists_the_copies_highest_first_and_the_known_solution_apart()
    {
        var lines = File.ReadAllLines(Path.Combine(_dir, "similarity.csv"));

        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Is.EqualTo("rank,kind,a,b,share_a,share_b,shared"));
            Assert.That(lines.Skip(1).Select(l => string.Join(",", l.Split(',').Take(4))), Is.EqualTo(new[]
            {
                "1,submission,ioread-copy,ioread-disguised",
                "2,submission,mutex-disguised,readl-putuser-mutex",
                "k1,known,misc,public-misc",
            }));
        });
    }

    [Test]
    public void Student_text_is_encoded_on_the_pair_page()
    {
        const string Evil = "</td><script>alert(1)</script>";
        var a = SimilarityData.Load("independent/misc.c");
        var b = a with { Id = "b", Files = [new SimilaritySource("evil.c", "/* " + Evil + " */\n" + a.Files[0].Text)] };
        var dir = Path.Combine(_dir, "evil");

        SimilarityReport.Write(SimilarityAnalysis.Run([a, b], [], new SimilarityOptions()), dir, linkOverview: false);

        var page = File.ReadAllText(Path.Combine(dir, "similarity", "1.html"));
        Assert.Multiple(() =>
        {
            Assert.That(page, Does.Not.Contain("<script>"));
            Assert.That(page, Does.Contain("&lt;script&gt;alert(1)&lt;/script&gt;"));
            Assert.That(File.ReadAllText(Path.Combine(dir, "similarity.html")), Does.Not.Contain("class overview"));
        });
    }

    [Test]
    public void Pages_of_an_earlier_run_are_removed()
    {
        var dir = Path.Combine(_dir, "rerun");
        var stale = Path.Combine(dir, "similarity", "99.html");
        Directory.CreateDirectory(Path.GetDirectoryName(stale)!);
        File.WriteAllText(stale, "old");

        SimilarityReport.Write(SimilarityAnalysis.Run([], [], new SimilarityOptions()), dir, linkOverview: false);

        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(stale), Is.False);
            Assert.That(File.ReadAllText(Path.Combine(dir, "similarity.html")), Does.Contain("Similarity, not proof"));
            Assert.That(File.ReadAllLines(Path.Combine(dir, "similarity.csv")), Has.Length.EqualTo(1));
        });
    }

    [Test]
    public void Matching_regions_are_numbered_alike_on_both_sides_even_when_functions_moved()
    {
        var original = SimilarityData.Load("independent/readl-putuser-mutex.c");
        var copy = SimilarityData.Load("copies/mutex-disguised.c");
        var pair = SimilarityAnalysis.Run([original, copy], [], new SimilarityOptions()).Pairs.Single();

        var regions = MatchRegions.Of(pair, new SimilarityOptions().K);

        Assert.Multiple(() =>
        {
            Assert.That(regions.Count, Is.GreaterThan(1), "reordered functions make several regions");
            Assert.That(regions.A.Values.Distinct().Order(), Is.EquivalentTo(regions.B.Values.Distinct().Order()));
        });
    }
}
