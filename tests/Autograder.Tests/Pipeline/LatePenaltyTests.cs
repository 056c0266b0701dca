using Autograder.Check;
using Autograder.Model;
using Autograder.Pipeline;
using Autograder.Submissions;

namespace Autograder.Tests.Pipeline;

public class LatePenaltyTests
{
    private static readonly DateTimeOffset Due = new(2027, 1, 10, 23, 59, 0, TimeSpan.Zero);

    private static Rubric RubricWith(LatePolicy? policy) => new()
    {
        Name = "virt-101",
        Title = "t",
        Sha256 = "x",
        Source = "test",
        Due = Due,
        LatePolicy = policy,
        Checks = [],
    };

    private static SubmissionResult Result(decimal score) => new() { Id = "jones", Language = "c", Outcome = Outcomes.Graded, Score = score, MaxScore = 100 };

    private static Submission HandIn(bool late, DateTimeOffset? at) => new()
    {
        Id = "jones",
        Language = Language.C,
        RelativePath = "jones",
        Files = [],
        Late = late,
        SubmittedAt = at,
    };

    [Test]
    public void On_time_work_is_left_alone()
    {
        var result = Result(90);

        Assert.That(LatePenalty.Apply(result, HandIn(false, Due.AddHours(-1)), RubricWith(new LatePolicy(10, null))), Is.SameAs(result));
    }

    [Test]
    public void Each_day_or_part_of_one_takes_the_policys_share_of_the_maximum()
    {
        var late = LatePenalty.Apply(Result(90), HandIn(true, Due.AddHours(30)), RubricWith(new LatePolicy(10, null)));

        Assert.That(late.Score, Is.EqualTo(70));
        Assert.That(late.Late!.DaysLate, Is.EqualTo(2));
        Assert.That(late.Late.Penalty, Is.EqualTo(20));
        Assert.That(late.Late.Note, Is.EqualTo("handed in 2 days late: -20 points (10% a day)"));
    }

    [Test]
    public void The_penalty_never_takes_more_than_the_score()
    {
        var late = LatePenalty.Apply(Result(15), HandIn(true, Due.AddDays(5)), RubricWith(new LatePolicy(10, null)));

        Assert.That(late.Score, Is.EqualTo(0));
        Assert.That(late.Late!.Penalty, Is.EqualTo(15));
    }

    [Test]
    public void After_the_cutoff_it_scores_zero()
    {
        var late = LatePenalty.Apply(Result(90), HandIn(true, Due.AddDays(9)), RubricWith(new LatePolicy(10, Due.AddDays(5))));

        Assert.That(late.Score, Is.EqualTo(0));
        Assert.That(late.Late!.Note, Does.StartWith("handed in after the cutoff 2027-01-15 23:59 UTC"));
    }

    [Test]
    public void A_late_marker_without_a_time_counts_one_day()
    {
        var late = LatePenalty.Apply(Result(90), HandIn(true, null), RubricWith(new LatePolicy(10, null)));

        Assert.That(late.Score, Is.EqualTo(80));
        Assert.That(late.Late!.Note, Does.Contain("time unknown: counted as 1 day"));
    }

    [Test]
    public void Without_a_policy_late_work_is_shown_not_penalised()
    {
        var late = LatePenalty.Apply(Result(90), HandIn(true, Due.AddDays(1)), RubricWith(null));

        Assert.That(late.Score, Is.EqualTo(90));
        Assert.That(late.Late!.Note, Is.EqualTo("handed in 1 day late (the rubric sets no late policy)"));
    }

    [Test]
    public void The_rubric_reads_a_late_policy_and_refuses_one_without_a_due_date()
    {
        var rubric = RubricLoader.Parse("rubric: r\ndue: 2027-01-10T23:59:00Z\nlate-policy: { penalty-per-day: 10%, cutoff: 2027-01-15T23:59 }\nchecks:\n  - { id: build, title: b, points: 5 }\n", "r.yaml", null, ["build"]);
        Assert.That(rubric.LatePolicy, Is.EqualTo(new LatePolicy(10, new DateTimeOffset(2027, 1, 15, 23, 59, 0, TimeSpan.Zero))));

        var e = Assert.Throws<OperatorException>(() => RubricLoader.Parse("rubric: r\nlate-policy: { penalty-per-day: 10% }\nchecks:\n  - { id: build, title: b, points: 5 }\n", "r.yaml", null, ["build"]));
        Assert.That(e.Message, Is.EqualTo("r.yaml:2: 'late-policy' counts from 'due:', which the rubric lacks"));
    }
}
