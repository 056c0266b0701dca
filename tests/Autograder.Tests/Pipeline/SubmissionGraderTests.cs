using Autograder.Check;
using Autograder.Exercise;
using Autograder.Load;
using Autograder.Model;
using Autograder.Pipeline;
using Autograder.Submissions;

namespace Autograder.Tests.Pipeline;

/// <summary>The rubric engine: dependencies and skips, partial credit, whose fault, visibility, --only.</summary>
public class SubmissionGraderTests
{
    /// <summary>A check that records the given cases, then ends as told.</summary>
    private sealed class ScriptedCheck(string id, bool[] cases, Action? end = null, int planned = 0) : ICheck
    {
        public string Id => id;

        public CheckVerdict Run(CheckContext ctx)
        {
            ctx.PlannedCases = planned;
            for (var i = 0; i < cases.Length; i++)
            {
                ctx.Case($"case {i + 1}", cases[i], "it went wrong");
            }

            ctx.Hint("do it right");
            end?.Invoke();
            return ctx.Verdict();
        }
    }

    /// <summary>Compiles nothing; every submission "builds" into a host no scripted check ever starts.</summary>
    private sealed class FakeBuilder(bool compiles) : ISubmissionBuilder
    {
        public BuildResult Build(Submission submission) => compiles
            ? new BuildResult { Sources = [new SourceFile("d.c", "int x;")], CreateHost = _ => new NoHost() }
            : new BuildResult { Sources = [], Failure = "does not compile", Diagnostics = [new Model.Diagnostic("error", "d.c", 3, 7, "expected ';'")] };
    }

    private sealed class NoHost : IDriverHost
    {
        public string Output => "";

        public DriverInstance Start(SimKernel kernel, CheckBudget budget, out DriverCall begin) => throw new InvalidOperationException("not used");

        public void Abort()
        {
        }

        public void Dispose()
        {
        }
    }

    private static Rubric Rubric(string yaml) => RubricLoader.Parse(yaml, "t.yaml", null, ["build", "a", "b", "c", "d"]);

    private const string Yaml = """
        rubric: t
        due: 2000-01-01T00:00:00Z
        checks:
          - { id: build, points: 5 }
          - { id: a, points: 10, depends-on: [build] }
          - { id: b, points: 6, depends-on: [a] }
          - { id: c, points: 4, visibility: hidden, depends-on: [build] }
          - { id: d, points: 3, visibility: after-due, depends-on: [build] }
        """;

    private static SubmissionResult Grade(Dictionary<string, ICheck> checks, GradeOptions? options = null, bool compiles = true, string yaml = Yaml)
    {
        var grader = new SubmissionGrader(Rubric(yaml), checks, _ => new FakeBuilder(compiles),
            new HostLauncher(AppContext.BaseDirectory, null, new HostLimits()), options ?? new GradeOptions(), 1);
        var submission = new Submission { Id = "s", Language = Language.C, RelativePath = "s.c", Files = [] };
        return grader.Grade(submission, CancellationToken.None);
    }

    private static Dictionary<string, ICheck> Checks(params ICheck[] checks) => checks.ToDictionary(c => c.Id);

    private static CheckResult Check(SubmissionResult r, string id) => r.Checks.Single(c => c.Id == id);

    [Test]
    public void Partial_credit_is_points_times_cases_passed_over_cases_rounded_to_2_decimals()
    {
        var r = Grade(Checks(new ScriptedCheck("a", [true, true, false]), new ScriptedCheck("b", [true]), new ScriptedCheck("c", [true]), new ScriptedCheck("d", [true])));
        var a = Check(r, "a");
        Assert.Multiple(() =>
        {
            Assert.That(a.Status, Is.EqualTo(CheckStatuses.Failed));
            Assert.That(a.Fault, Is.EqualTo(Faults.Submission));
            Assert.That(a.Points, Is.EqualTo(6.67m));
            Assert.That((a.CasesPassed, a.CasesTotal), Is.EqualTo((2, 3)));
            Assert.That(a.Feedback, Does.Contain("✗ case 3: it went wrong").And.Contain("How to fix: do it right"));
            Assert.That(r.Score, Is.EqualTo(5 + 6.67m + 4 + 3));
            Assert.That(r.MaxScore, Is.EqualTo(28m));
        });
    }

    [Test]
    public void A_check_whose_dependency_did_not_pass_is_skipped_with_the_reason()
    {
        var r = Grade(Checks(new ScriptedCheck("a", [false]), new ScriptedCheck("b", [true]), new ScriptedCheck("c", [true]), new ScriptedCheck("d", [true])));
        var b = Check(r, "b");
        Assert.That((b.Status, b.Fault, b.Points, b.MaxPoints), Is.EqualTo((CheckStatuses.Skipped, (string?)null, 0m, 6m)));
        Assert.That(b.Feedback, Does.Contain("depends on 'a', which did not pass"));
    }

    [Test]
    public void A_submission_that_does_not_compile_fails_build_and_skips_the_rest()
    {
        var r = Grade(Checks(new ScriptedCheck("a", [true])), compiles: false);
        Assert.That(r.Outcome, Is.EqualTo(Outcomes.CompileError));
        Assert.That(Check(r, "build").Feedback, Does.Contain("d.c:3:7: error: expected ';'"));
        Assert.That(r.Checks.Skip(1).Select(c => c.Status), Is.All.EqualTo(CheckStatuses.Skipped));
        Assert.That((r.Score, r.MaxScore), Is.EqualTo((0m, 28m)));
    }

    [Test]
    public void A_driver_fault_mid_check_is_the_submissions_error_and_keeps_earlier_credit()
    {
        var crash = new ScriptedCheck("a", [true], () => throw new DriverFaultException(new DriverCall(CallStatus.TimedOut, 0, "timed out after 2000 ms of CPU time"), "ioctl(0x80047101, 0x0)"), planned: 4);
        var r = Grade(Checks(crash, new ScriptedCheck("b", [true]), new ScriptedCheck("c", [true]), new ScriptedCheck("d", [true])));
        var a = Check(r, "a");
        Assert.That((a.Status, a.Fault, a.Points), Is.EqualTo((CheckStatuses.Error, Faults.Submission, 2.5m)));
        Assert.That(a.Feedback, Does.StartWith("The driver timed out during ioctl(0x80047101, 0x0): timed out after 2000 ms of CPU time"));
        Assert.That(Check(r, "b").Status, Is.EqualTo(CheckStatuses.Skipped));
    }

    [Test]
    public void A_grader_fault_leaves_score_and_max_and_flags_the_submission()
    {
        var bug = new ScriptedCheck("c", [], () => throw new InvalidOperationException("our bug"));
        var harness = new ScriptedCheck("d", [], () => throw new HarnessFaultException("the C host failed to start"));
        var r = Grade(Checks(new ScriptedCheck("a", [true]), new ScriptedCheck("b", [true]), bug, harness));
        Assert.Multiple(() =>
        {
            Assert.That((Check(r, "c").Status, Check(r, "c").Fault), Is.EqualTo((CheckStatuses.Error, Faults.Grader)));
            Assert.That(Check(r, "c").Feedback, Does.Contain("not the student's doing").And.Contain("our bug"));
            Assert.That(Check(r, "d").Fault, Is.EqualTo(Faults.Grader));
            Assert.That(r.GraderFault, Is.True);
            Assert.That((r.Score, r.MaxScore), Is.EqualTo((21m, 21m)), "the two faulted checks count in neither");
        });
    }

    [Test]
    public void A_check_may_skip_itself_with_a_reason()
    {
        var skip = new ScriptedCheck("a", [], () => throw new SkipCheckException("module_init returned -12, so there is no driver to call"));
        var r = Grade(Checks(skip, new ScriptedCheck("b", [true]), new ScriptedCheck("c", [true]), new ScriptedCheck("d", [true])));
        Assert.That(Check(r, "a").Status, Is.EqualTo(CheckStatuses.Skipped));
        Assert.That(Check(r, "a").Feedback, Is.EqualTo("Not run: module_init returned -12, so there is no driver to call."));
    }

    [Test]
    public void Student_visibility_shows_visible_and_past_due_checks_and_scores_over_them()
    {
        var r = Grade(Checks(new ScriptedCheck("a", [true]), new ScriptedCheck("b", [true]), new ScriptedCheck("c", [true]), new ScriptedCheck("d", [true])),
            new GradeOptions { Visibility = "student" });
        Assert.That(r.Checks.Select(c => c.Id), Is.EqualTo(new[] { "build", "a", "b", "d" }), "hidden c left out; after-due d shown (due date passed)");
        Assert.That(r.MaxScore, Is.EqualTo(24m));
    }

    [Test]
    public void After_due_checks_stay_hidden_from_students_before_the_due_date()
    {
        var future = Yaml.Replace("2000-01-01", "2999-01-01", StringComparison.Ordinal);
        var r = Grade(Checks(new ScriptedCheck("a", [true]), new ScriptedCheck("b", [true]), new ScriptedCheck("c", [true]), new ScriptedCheck("d", [true])),
            new GradeOptions { Visibility = "student" }, yaml: future);
        Assert.That(r.Checks.Select(c => c.Id), Is.EqualTo(new[] { "build", "a", "b" }));
    }

    [Test]
    public void Only_runs_and_scores_the_named_checks()
    {
        var r = Grade(Checks(new ScriptedCheck("a", [true]), new ScriptedCheck("b", [true]), new ScriptedCheck("c", [true]), new ScriptedCheck("d", [true])),
            new GradeOptions { Only = new HashSet<string> { "a", "c" } });
        Assert.That(r.Checks.Select(c => c.Id), Is.EqualTo(new[] { "a", "c" }));
        Assert.That((r.Score, r.MaxScore), Is.EqualTo((14m, 14m)));
    }
}
