using Autograder.Cli.Commands;
using Autograder.Pipeline;
using static Autograder.Tests.Cli.Results;

namespace Autograder.Tests.Cli;

public class RunMergerTests
{
    [Test]
    public void Shards_combine_into_one_sorted_complete_run()
    {
        var one = Run(Submission("carol", 50), Submission("alice", 100)) with { Shard = "1/2", RandomSeed = 7, Warnings = ["no bubblewrap"] };
        var two = Run(Submission("bob", 70)) with { Shard = "2/2", RandomSeed = 7, Warnings = ["no bubblewrap", "slow disk"] };

        var merged = RunMerger.Merge([("1.json", one), ("2.json", two)]);

        Assert.That(merged.Submissions.Select(s => s.Id), Is.EqualTo(new[] { "alice", "bob", "carol" }));
        Assert.That(merged.Complete, Is.True);
        Assert.That(merged.Shard, Is.Null);
        Assert.That(merged.RandomSeed, Is.EqualTo(7));
        Assert.That(merged.Warnings, Is.EqualTo(new[] { "no bubblewrap", "slow disk" }));
        Assert.That(merged.RubricSha256, Is.EqualTo(one.RubricSha256));
    }

    [Test]
    public void One_incomplete_shard_makes_the_merge_incomplete()
    {
        var merged = RunMerger.Merge([("1.json", Run(Submission("a", 1))), ("2.json", Run(Submission("b", 1)) with { Complete = false })]);

        Assert.That(merged.Complete, Is.False);
    }

    [Test]
    public void Different_seeds_leave_no_single_replay_seed()
    {
        var merged = RunMerger.Merge([("1.json", Run(Submission("a", 1)) with { RandomSeed = 1 }), ("2.json", Run(Submission("b", 1)) with { RandomSeed = 2 })]);

        Assert.That(merged.RandomSeed, Is.Null);
    }

    [Test]
    public void Shards_of_different_rubrics_are_refused()
    {
        var e = Assert.Throws<OperatorException>(() => RunMerger.Merge([("1.json", Run(Submission("a", 1))), ("2.json", Run(Submission("b", 1)) with { RubricSha256 = "ffff0000ffff0000" })]));

        Assert.That(e.Message, Does.Contain("2.json was graded with another rubric"));
    }

    [Test]
    public void A_submission_in_two_shards_is_refused()
    {
        var e = Assert.Throws<OperatorException>(() => RunMerger.Merge([("1.json", Run(Submission("a", 1))), ("2.json", Run(Submission("a", 1)))]));

        Assert.That(e.Message, Is.EqualTo("submission a is in both 1.json and 2.json"));
    }

    [Test]
    public void Shards_of_different_visibility_are_refused() =>
        Assert.Throws<OperatorException>(() => RunMerger.Merge([("1.json", Run(Submission("a", 1))), ("2.json", Run(Submission("b", 1)) with { Visibility = "student" })]));

    [Test]
    public void A_missing_shard_is_named_and_makes_the_merge_incomplete()
    {
        var one = Run(Submission("a", 1)) with { Shard = "1/3" };
        var three = Run(Submission("c", 1)) with { Shard = "3/3" };

        var merged = RunMerger.Merge([("1.json", one), ("3.json", three)]);

        Assert.That(merged.Complete, Is.False);
        Assert.That(merged.Warnings, Does.Contain("incomplete: shard 2/3 not merged"));
        Assert.That(RunMerger.MissingShards([one, three]), Is.EqualTo(new[] { "2/3" }));
    }

    [Test]
    public void Shards_of_different_splits_are_refused()
    {
        var e = Assert.Throws<OperatorException>(() => RunMerger.Merge([("1.json", Run(Submission("a", 1)) with { Shard = "1/2" }), ("2.json", Run(Submission("b", 1)) with { Shard = "2/3" })]));

        Assert.That(e.Message, Does.Contain("different splits (1/2, 2/3)"));
    }

    [Test]
    public void One_shard_given_twice_is_refused()
    {
        var e = Assert.Throws<OperatorException>(() => RunMerger.Merge([("1.json", Run(Submission("a", 1)) with { Shard = "1/2" }), ("1b.json", Run() with { Shard = "1/2" })]));

        Assert.That(e.Message, Is.EqualTo("shard 1/2 is given twice"));
    }

    [Test]
    public void Merging_one_shard_of_two_through_the_cli_is_exit_5_unless_allowed()
    {
        var dir = Directory.CreateTempSubdirectory("autograder-merge-").FullName;
        try
        {
            var shard = Path.Combine(dir, "shard-1.json");
            File.WriteAllText(shard, System.Text.Json.JsonSerializer.Serialize(Run(Submission("a", 1)) with { Shard = "1/2" }, Autograder.Model.ResultsJson.Options));

            var refused = CliHarness.Run("merge", shard, "--out", Path.Combine(dir, "out"), "--format", "json");
            var allowed = CliHarness.Run("merge", shard, "--out", Path.Combine(dir, "out2"), "--format", "json", "--allow-partial");

            Assert.That(refused.ExitCode, Is.EqualTo(Autograder.Cli.ExitCodes.Incomplete), refused.Error + refused.Out);
            Assert.That(refused.Error, Does.Contain("shard 2/2 missing"));
            Assert.That(allowed.ExitCode, Is.EqualTo(Autograder.Cli.ExitCodes.Ok), allowed.Error + allowed.Out);
            Assert.That(File.ReadAllText(Path.Combine(dir, "out2", "results.json")), Does.Contain("\"complete\": false"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
