using Autograder.Cli;
using static Autograder.Tests.Integration.HostileTestSupport;

namespace Autograder.Tests.Similarity;

/// <summary><c>similarity</c> and <c>grade --similarity</c> end to end through the real CLI (in-process).</summary>
public sealed class SimilarityCliTests
{
    private string _dir = "";
    private string _class = "";

    [OneTimeSetUp]
    public void CreateClass()
    {
        _dir = NewTempDir("similarity");
        _class = Path.Combine(_dir, "class");
        Directory.CreateDirectory(_class);
        foreach (var file in new[] { "independent", "copies" }.SelectMany(f => Directory.GetFiles(Path.Combine(SimilarityData.Root, f))))
        {
            File.Copy(file, Path.Combine(_class, Path.GetFileName(file)));
        }
    }

    [OneTimeTearDown]
    public void Cleanup() => DeleteTree(_dir);

    [Test]
    public void Similarity_finds_the_copies_and_writes_the_page_and_the_csv()
    {
        var output = Path.Combine(_dir, "out");

        var cli = RunCli("similarity", _class, "--out", output);

        Assert.That(cli.ExitCode, Is.EqualTo(ExitCodes.Ok), cli.Out + cli.Error);
        Assert.Multiple(() =>
        {
            Assert.That(cli.Out, Does.Contain("similarity (not proof): 2 pair(s) of 7 submissions from 40%"));
            Assert.That(cli.Out, Does.Contain("ioread-disguised"));
            Assert.That(File.ReadAllLines(Path.Combine(output, "similarity.csv")), Has.Length.EqualTo(3));
            Assert.That(File.Exists(Path.Combine(output, "similarity", "2.html")), Is.True);
            Assert.That(File.Exists(Path.Combine(output, "index.html")), Is.False, "nothing is graded");
        });
    }

    [Test]
    public void A_base_file_removes_what_it_holds_and_known_solutions_are_listed_apart()
    {
        var known = Path.Combine(_dir, "known");
        Directory.CreateDirectory(known);
        File.Copy(Path.Combine(SimilarityData.Root, "independent", "misc.c"), Path.Combine(known, "public-misc.c"));
        var output = Path.Combine(_dir, "out-base");

        var cli = RunCli("similarity", _class, "--out", output, "--base", Path.Combine(SimilarityData.Root, "independent", "ioread-copy.c"),
            "--known", known, "--threshold", "30");

        Assert.That(cli.ExitCode, Is.EqualTo(ExitCodes.Ok), cli.Out + cli.Error);
        var rows = File.ReadAllLines(Path.Combine(output, "similarity.csv")).Skip(1).Select(l => string.Join(",", l.Split(',').Take(4)));
        Assert.That(rows, Is.EqualTo(new[] { "1,submission,mutex-disguised,readl-putuser-mutex", "k1,known,misc,public-misc" }));
    }

    [Test]
    public void Grade_with_similarity_links_the_page_from_the_overview()
    {
        var input = Path.Combine(_dir, "grade-in");
        Directory.CreateDirectory(input);
        File.Copy(Path.Combine(SimilarityData.Root, "independent", "ioread-copy.c"), Path.Combine(input, "alice.c"));
        File.Copy(Path.Combine(SimilarityData.Root, "copies", "ioread-disguised.c"), Path.Combine(input, "bob.c"));
        var output = Path.Combine(_dir, "grade-out");

        var cli = RunCli("grade", input, "--out", output, "--format", "html", "--similarity");

        Assert.That(cli.ExitCode, Is.EqualTo(ExitCodes.Ok), cli.Out + cli.Error);
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(Path.Combine(output, "index.html")), Does.Contain("<a href=\"similarity.html\" id=\"similarity-link\">"));
            Assert.That(File.ReadAllText(Path.Combine(output, "similarity.html")), Does.Contain("<a href=\"index.html\">"));
            Assert.That(File.ReadAllLines(Path.Combine(output, "similarity.csv"))[1], Does.StartWith("1,submission,alice,bob,"));
        });
    }

    [TestCase("similarity", "--threshold", "150")]
    [TestCase("similarity", "--known", "/no/such/folder")]
    [TestCase("similarity", "--base", "/no/such/file.c")]
    [TestCase("grade", "--known", ".")]
    [TestCase("grade", "--threshold", "50")]
    public void Bad_similarity_options_are_operator_errors(string command, string option, string value)
    {
        var cli = RunCli(command, _class, option, value, "--out", Path.Combine(_dir, "never"));

        Assert.That(cli.ExitCode, Is.EqualTo(ExitCodes.OperatorError), cli.Out + cli.Error);
    }
}
