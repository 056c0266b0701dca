using Autograder.Report;

namespace Autograder.Tests.Report;

/// <summary>Every export of the committed results.json is compared with a committed golden file.
/// To accept an intended change: AUTOGRADER_ACCEPT_GOLDEN=1 dotnet test --filter FullyQualifiedName~Report
/// rewrites Report/Golden/ from the current output; review the diff and commit it.</summary>
[TestFixture]
public sealed class GoldenTests
{
    private string _dir = "";

    [OneTimeSetUp]
    public void Render()
    {
        Templates.StrictVariables = true;
        _dir = ReportFixture.RenderAll().Dir;
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        Templates.StrictVariables = false;
        Directory.Delete(_dir, recursive: true);
    }

    [TestCase("index.html")]
    [TestCase("submissions/bob.html")]
    [TestCase("submissions/carol.html")]
    [TestCase("feedback/bob.html")]
    [TestCase("feedback/dave.html")]
    [TestCase("grades.csv")]
    [TestCase("grades-lms.csv")]
    [TestCase("junit.xml")]
    [TestCase("gradescope/bob/results.json")]
    [TestCase("results.json")]
    public void Export_matches_its_golden_file(string relative)
    {
        var actual = File.ReadAllText(Path.Combine(_dir, relative));
        var golden = ReportFixture.Golden(relative.Replace('/', '_'));
        if (Environment.GetEnvironmentVariable("AUTOGRADER_ACCEPT_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(golden)!);
            File.WriteAllText(golden, actual);
            Assert.Pass($"accepted {relative}");
        }

        Assert.That(File.Exists(golden), Is.True, $"no golden file {golden}; run with AUTOGRADER_ACCEPT_GOLDEN=1 to create it");
        Assert.That(Normalise(actual), Is.EqualTo(Normalise(File.ReadAllText(golden))), $"{relative} differs from {golden}");
    }

    [Test]
    public void Every_submission_gets_a_review_page_a_feedback_page_and_a_gradescope_file()
    {
        foreach (var id in new[] { "alice", "bob", "carol", "dave" })
        {
            Assert.That(File.Exists(Path.Combine(_dir, "submissions", id + ".html")), Is.True, id);
            Assert.That(File.Exists(Path.Combine(_dir, "feedback", id + ".html")), Is.True, id);
            Assert.That(File.Exists(Path.Combine(_dir, "gradescope", id, "results.json")), Is.True, id);
        }
    }

    private static string Normalise(string text) => text.ReplaceLineEndings("\n");
}
