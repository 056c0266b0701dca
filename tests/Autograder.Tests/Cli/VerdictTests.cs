using Autograder.Cli;
using Autograder.Cli.Commands;
using Autograder.Model;
using static Autograder.Tests.Cli.Results;

namespace Autograder.Tests.Cli;

public class VerdictTests
{
    private static int Grade(GradingRun run, decimal? failUnder = null, bool interrupted = false) =>
        GradeCommand.Verdict(RunResults.InMemory(run), failUnder, interrupted, new CapturedConsole().Console);

    [Test]
    public void A_finished_run_is_0_whatever_the_scores_without_a_threshold() =>
        Assert.That(Grade(Run(Submission("a", 0), Submission("b", 100))), Is.EqualTo(ExitCodes.Ok));

    [Test]
    public void Below_the_threshold_is_3()
    {
        Assert.That(Grade(Run(Submission("a", 59), Submission("b", 100)), failUnder: 60), Is.EqualTo(ExitCodes.BelowThreshold));
        Assert.That(Grade(Run(Submission("a", 60), Submission("b", 100)), failUnder: 60), Is.EqualTo(ExitCodes.Ok), "at the threshold is not below it");
    }

    [Test]
    public void The_threshold_is_a_percent_of_each_submissions_own_maximum() =>
        Assert.That(Grade(Run(Submission("a", 30, max: 50)), failUnder: 60), Is.EqualTo(ExitCodes.Ok));

    [Test]
    public void A_compile_error_counts_as_below_the_threshold() =>
        Assert.That(Grade(Run(Submission("a", 0, outcome: Outcomes.CompileError)), failUnder: 1), Is.EqualTo(ExitCodes.BelowThreshold));

    [Test]
    public void A_grader_fault_is_4_and_wins_over_the_threshold()
    {
        var faulty = Submission("a", 10, checks: CheckOf("rand", CheckStatuses.Error, 0, 10, fault: Faults.Grader));

        Assert.That(Grade(Run(faulty, Submission("b", 0)), failUnder: 50), Is.EqualTo(ExitCodes.GraderFault));
    }

    [Test]
    public void A_harness_error_is_a_grader_fault() =>
        Assert.That(Grade(Run(Submission("a", 0, outcome: Outcomes.HarnessError))), Is.EqualTo(ExitCodes.GraderFault));

    [Test]
    public void Interrupted_is_130_and_wins_over_everything() =>
        Assert.That(Grade(Run(Submission("a", 0, outcome: Outcomes.HarnessError)), failUnder: 50, interrupted: true), Is.EqualTo(ExitCodes.Interrupted));

    [Test]
    public void Check_is_0_when_every_visible_check_passes_even_if_a_hidden_one_fails()
    {
        var result = Submission("me", 80, checks: [CheckOf("rand", CheckStatuses.Passed, 10, 10), CheckOf("hidden-edge", CheckStatuses.Failed, 0, 10, visibility: "hidden")]);

        Assert.That(CheckCommand.Verdict(result), Is.EqualTo(ExitCodes.Ok));
    }

    [TestCase(CheckStatuses.Failed)]
    [TestCase(CheckStatuses.Error)]
    public void Check_is_1_when_a_visible_check_does_not_pass(string status)
    {
        var result = Submission("me", 80, checks: [CheckOf("rand", CheckStatuses.Passed, 10, 10), CheckOf("seed", status, 0, 10)]);

        Assert.That(CheckCommand.Verdict(result), Is.EqualTo(ExitCodes.CheckFailed));
    }

    [Test]
    public void Check_is_1_for_a_compile_error() =>
        Assert.That(CheckCommand.Verdict(Submission("me", 0, outcome: Outcomes.CompileError)), Is.EqualTo(ExitCodes.CheckFailed));

    [Test]
    public void Check_is_4_for_a_grader_fault() =>
        Assert.That(CheckCommand.Verdict(Submission("me", 0, checks: CheckOf("rand", CheckStatuses.Error, 0, 10, fault: Faults.Grader))), Is.EqualTo(ExitCodes.GraderFault));

    [Test]
    public void Exit_codes_have_their_documented_values()
    {
        Assert.That(new[] { ExitCodes.Ok, ExitCodes.CheckFailed, ExitCodes.OperatorError, ExitCodes.BelowThreshold, ExitCodes.GraderFault, ExitCodes.Interrupted },
            Is.EqualTo(new[] { 0, 1, 2, 3, 4, 130 }));
    }
}
