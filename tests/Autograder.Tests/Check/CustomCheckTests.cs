using Autograder.Pipeline;
using Autograder.Tests.Cli;

namespace Autograder.Tests.Check;

public class CustomCheckTests
{
    private static string PlusRubric => Path.Combine(TestPaths.RepoRoot, "rubrics", "examples", "virt-101-plus.yaml");

    [Test]
    public void A_plugin_check_next_to_the_rubric_is_compiled_and_registered()
    {
        var (rubric, checks) = Grader.LoadRubric(PlusRubric);
        Assert.That(rubric.Checks.Select(c => c.Id), Does.Contain("seed-zero"));
        Assert.That(checks.ContainsKey("seed-zero"), Is.True);
        Assert.That(rubric.MaxScore, Is.EqualTo(102m));
    }

    [Test]
    public void A_plugin_check_grades_a_real_driver()
    {
        var outcome = CliHarness.Run("check", Path.Combine(TestPaths.Examples, "c", "reference"), "--rubric", PlusRubric);
        Assert.That(outcome.ExitCode, Is.EqualTo(0), outcome.Out + outcome.Error);
        Assert.That(outcome.Out, Does.Contain("PASS  seed-zero"));
    }

    [Test]
    public void A_plugin_that_does_not_compile_is_an_operator_error_with_file_and_line()
    {
        var dir = Directory.CreateTempSubdirectory("ag-plugin-");
        File.WriteAllText(Path.Combine(dir.FullName, "broken.cs"), "using Autograder.Check;\npublic sealed class Broken : ICheck {\n  public string Id => 42;\n}\n");
        File.WriteAllText(Path.Combine(dir.FullName, "r.yaml"), "rubric: r\nplugins: [broken.cs]\nchecks:\n  - id: build\n  - id: broken\n");
        var e = Assert.Throws<OperatorException>(() => Grader.LoadRubric(Path.Combine(dir.FullName, "r.yaml")));
        Assert.That(e!.Message, Does.Contain("broken.cs:2: the check plugin does not compile"));
    }

    [Test]
    public void A_rubric_naming_a_check_nobody_implements_is_an_operator_error()
    {
        var dir = Directory.CreateTempSubdirectory("ag-plugin-");
        File.Copy(Path.Combine(TestPaths.RepoRoot, "rubrics", "examples", "seed-zero.cs"), Path.Combine(dir.FullName, "seed-zero.cs"));
        File.WriteAllText(Path.Combine(dir.FullName, "r.yaml"), "rubric: r\nplugins: [seed-zero.cs]\nchecks:\n  - id: build\n  - id: seed-one\n");
        var e = Assert.Throws<OperatorException>(() => Grader.LoadRubric(Path.Combine(dir.FullName, "r.yaml")));
        Assert.That(e!.Message, Does.Contain("no built-in or plugin check has the id 'seed-one'"));
    }
}
