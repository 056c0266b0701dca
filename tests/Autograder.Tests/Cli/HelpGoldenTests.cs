namespace Autograder.Tests.Cli;

public class HelpGoldenTests
{
    [TestCase("", "help.txt")]
    [TestCase("grade", "help-grade.txt")]
    [TestCase("check", "help-check.txt")]
    [TestCase("merge", "help-merge.txt")]
    [TestCase("report", "help-report.txt")]
    [TestCase("review", "help-review.txt")]
    [TestCase("gradescope", "help-gradescope.txt")]
    [TestCase("similarity", "help-similarity.txt")]
    public void Help_of_each_command_matches_its_golden_file(string command, string golden)
    {
        var args = command.Length == 0 ? new[] { "--help" } : [command, "--help"];

        var run = CliHarness.Run(args);

        Assert.That(run.ExitCode, Is.Zero);
        Golden.AssertMatches(golden, run.Out);
    }
}
