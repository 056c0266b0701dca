using Autograder.Submissions;

namespace Autograder.Tests.Submissions;

public class ShardTests
{
    [TestCase("1/1", 1, 1)]
    [TestCase("2/4", 2, 4)]
    [TestCase("4/4", 4, 4)]
    public void Parses_i_of_n(string text, int index, int count)
    {
        Assert.That(Shard.TryParse(text, out var shard, out _), Is.True);
        Assert.That(shard, Is.EqualTo(new Shard(index, count)));
        Assert.That(shard.ToString(), Is.EqualTo(text));
    }

    [TestCase("0/4")]
    [TestCase("5/4")]
    [TestCase("1/0")]
    [TestCase("-1/4")]
    [TestCase("1/4/2")]
    [TestCase("a/b")]
    [TestCase("3")]
    [TestCase("")]
    [TestCase(null)]
    public void Rejects_malformed_shards_with_a_message(string? text)
    {
        Assert.That(Shard.TryParse(text, out _, out var error), Is.False);
        Assert.That(error, Does.StartWith("--shard"));
    }

    [Test]
    public void The_hash_is_FNV_1a_32_over_UTF8_so_every_machine_agrees()
    {
        // Published FNV-1a test vectors.
        Assert.That(Shard.Fnv1a32(""), Is.EqualTo(0x811c9dc5u));
        Assert.That(Shard.Fnv1a32("a"), Is.EqualTo(0xe40c292cu));
        Assert.That(Shard.Fnv1a32("foobar"), Is.EqualTo(0xbf9cf968u));
    }

    [Test]
    public void Pinned_assignments_never_change_between_releases()
    {
        // Computed once (independently, in Python): a change here would reshuffle running CI matrices.
        Assert.That(Shard.Fnv1a32("csharp-reference"), Is.EqualTo(0x3e908b62u));
        Assert.That(Shard.Of("csharp-reference", 4), Is.EqualTo(3));
        Assert.That(new[] { "alice", "bob", "carol", "dave" }.Select(id => Shard.Of(id, 3)), Is.EqualTo(new[] { 3, 3, 3, 2 }));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(7)]
    public void Every_submission_is_in_exactly_one_shard(int count)
    {
        var submissions = Enumerable.Range(0, 500).Select(i => Make($"student-{i:000}")).ToList();

        var shares = Enumerable.Range(1, count).Select(i => new Shard(i, count).Select(submissions)).ToList();

        Assert.That(shares.SelectMany(s => s).Select(s => s.Id), Is.EquivalentTo(submissions.Select(s => s.Id)));
        Assert.That(shares, Has.All.Not.Empty, "500 ids spread over every shard");
    }

    [Test]
    public void A_submissions_shard_depends_only_on_its_id()
    {
        var few = new[] { Make("alice"), Make("bob") };
        var many = few.Concat(Enumerable.Range(0, 50).Select(i => Make($"x{i}"))).ToList();

        var shard = new Shard(2, 3);

        Assert.That(shard.Select(many).Where(s => s.Id is "alice" or "bob").Select(s => s.Id),
            Is.EqualTo(shard.Select(few).Select(s => s.Id)));
    }

    private static Submission Make(string id) =>
        new() { Id = id, Language = Language.C, RelativePath = id + ".c", Files = [] };

    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    [TestCase("AUTOGRADER_SHARD", "3/4", null, null, 3, 4)]
    [TestCase("JOB_COMPLETION_INDEX", "0", "JOB_COMPLETIONS", "4", 1, 4)]
    [TestCase("JOB_COMPLETION_INDEX", "3", "JOB_COMPLETIONS", "4", 4, 4)]
    [TestCase("SLURM_ARRAY_TASK_ID", "2", "SLURM_ARRAY_TASK_COUNT", "3", 3, 3)]
    public void Auto_reads_the_job_engine(string indexName, string index, string? countName, string? count, int expectedIndex, int expectedCount)
    {
        var env = countName is null ? Env((indexName, index)) : Env((indexName, index), (countName, count!));

        Assert.That(Shard.TryFromEnvironment(env, out var shard, out var error), Is.True, error);
        Assert.That(shard, Is.EqualTo(new Shard(expectedIndex, expectedCount)));
    }

    [Test]
    public void Auto_counts_a_slurm_array_from_its_first_task_id()
    {
        var env = Env(("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "4"));

        Assert.That(Shard.TryFromEnvironment(env, out var shard, out _), Is.True);
        Assert.That(shard, Is.EqualTo(new Shard(1, 4)));
    }

    [Test]
    public void Auto_without_a_count_or_an_engine_says_what_to_set()
    {
        Assert.That(Shard.TryFromEnvironment(Env(("JOB_COMPLETION_INDEX", "1")), out _, out var noCount), Is.False);
        Assert.That(noCount, Does.Contain("JOB_COMPLETIONS is not set"));
        Assert.That(Shard.TryFromEnvironment(Env(), out _, out var nothing), Is.False);
        Assert.That(nothing, Does.Contain("AUTOGRADER_SHARD=i/n"));
        Assert.That(Shard.TryFromEnvironment(Env(("JOB_COMPLETION_INDEX", "4"), ("JOB_COMPLETIONS", "4")), out _, out var outOfRange), Is.False);
        Assert.That(outOfRange, Does.Contain("out of range"));
    }
}
