using Autograder.Cli.Review;
using Autograder.Tests.Report;
using Microsoft.Data.Sqlite;

namespace Autograder.Tests.Review;

public sealed class ReviewStoreTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 4, 9, 41, 0, TimeSpan.Zero);

    private string _dir = "";

    [SetUp]
    public void MakeFolder() => _dir = ReportFixture.TempDir();

    [TearDown]
    public void RemoveFolder()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void A_new_database_is_WAL_with_a_schema_row_and_every_save_is_audited()
    {
        var path = Path.Combine(_dir, "review.db");
        var store = ReviewStore.Open(path, create: true);
        Assert.That(store.Save(Edit(version: 0, points: 3, comment: "partial: frees the irq"), "Ann", At), Is.Null);
        Assert.That(store.Save(Edit(version: 1, points: 4, comment: "on second look"), "Ben", At.AddMinutes(5)), Is.Null);

        var row = store.All().Single();
        Assert.That((row.Points, row.Comment, row.Version, row.ChangedBy), Is.EqualTo(((decimal?)4m, "on second look", 2L, "Ben")));
        var audit = store.Audit();
        Assert.That(audit.Select(a => $"{a.Who}: {a.Old} -> {a.New} ({a.Comment})"), Is.EqualTo(new[]
        {
            "Ann: automatic -> points 3 (partial: frees the irq)",
            "Ben: points 3 -> points 4 (on second look)",
        }));

        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.That(command.ExecuteScalar(), Is.EqualTo("wal"));
        command.CommandText = "SELECT value FROM meta WHERE key = 'version'";
        Assert.That(command.ExecuteScalar(), Is.EqualTo("1"));
    }

    [Test]
    public void A_save_based_on_an_old_version_is_refused_with_who_and_when()
    {
        var store = ReviewStore.Open(Path.Combine(_dir, "review.db"), create: true);
        Assert.That(store.Save(Edit(version: 0, points: 3, comment: "first"), "Ann", At), Is.Null);

        var conflict = store.Save(Edit(version: 0, points: 1, comment: "second"), "Ben", At);

        Assert.That(conflict?.Message, Is.EqualTo("changed by Ann at 09:41 UTC, reload"));
        Assert.That(store.All().Single().Comment, Is.EqualTo("first"), "nothing overwritten");
        Assert.That(store.Audit(), Has.Count.EqualTo(1));
    }

    [Test]
    public void A_file_that_is_not_ours_is_refused_and_left_untouched()
    {
        var text = Path.Combine(_dir, "notes.db");
        File.WriteAllText(text, "my grading notes, not a database\n");
        Assert.That(() => ReviewStore.Open(text, create: true),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains("not an SQLite file"));
        Assert.That(File.ReadAllText(text), Is.EqualTo("my grading notes, not a database\n"));

        var foreign = Path.Combine(_dir, "other.db");
        using (var connection = new SqliteConnection($"Data Source={foreign};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE grades (id TEXT, points REAL)";
            command.ExecuteNonQuery();
        }

        var before = File.ReadAllBytes(foreign);
        Assert.That(() => ReviewStore.Open(foreign, create: true),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains("not an autograder review database"));
        Assert.That(File.ReadAllBytes(foreign), Is.EqualTo(before));

        var newer = Path.Combine(_dir, "newer.db");
        ReviewStore.Open(newer, create: true);
        using (var connection = new SqliteConnection($"Data Source={newer};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE meta SET value = '99' WHERE key = 'version'";
            command.ExecuteNonQuery();
        }

        Assert.That(() => ReviewStore.Open(newer, create: true),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains("schema version 99 is not supported"));
    }

    private static ReviewEdit Edit(long version, decimal points, string comment) =>
        new("alice", "load", version, points, comment, false, 10m, "passed");
}
