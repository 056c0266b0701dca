using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Autograder.Cli.Review;

/// <summary>One review of one submission: of a check (<see cref="Target"/> is its id) or of the submission as a
/// whole (<see cref="ReviewStore.Total"/>: the total and the reviewed mark). <see cref="Points"/> null means the
/// automatic points stand. <see cref="AutoPoints"/>/<see cref="AutoStatus"/> are what the grader had decided
/// when the review was saved, so a regrade that changes them is visible.</summary>
internal sealed record ReviewRow(
    string Submission,
    string Target,
    decimal? Points,
    string Comment,
    bool Reviewed,
    decimal AutoPoints,
    string AutoStatus,
    long Version,
    string ChangedBy,
    DateTimeOffset ChangedAt);

/// <summary>A save: the new values and the <see cref="Version"/> of the row the reviewer saw (0: none).</summary>
internal sealed record ReviewEdit(
    string Submission,
    string Target,
    long Version,
    decimal? Points,
    string Comment,
    bool Reviewed,
    decimal AutoPoints,
    string AutoStatus);

/// <summary>One row of the audit table: who changed what when, old -> new, with the comment.</summary>
internal sealed record AuditRow(string Submission, string Target, string Who, DateTimeOffset At, string Old, string New, string Comment);

/// <summary>Refused save: someone else saved the row since the reviewer loaded it.</summary>
internal sealed record ReviewConflict(ReviewRow? Current)
{
    public string Message => Current is null
        ? "this review is not in the database any more, reload"
        : $"changed by {Current.ChangedBy} at {Current.ChangedAt.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture)} UTC, reload";
}

/// <summary>
/// The review database: one SQLite file (WAL, synchronous=FULL, so a save that returned survives a kill),
/// a schema row, one row per (submission, check) with a version that every save must name (optimistic
/// concurrency: a stale save is refused, never applied), and an audit row per change. A file that is not
/// SQLite, or SQLite without this schema, is refused and never written.
/// </summary>
internal sealed class ReviewStore
{
    public const string Total = "total";
    public const string SchemaName = "autograder-review";
    public const int SchemaVersion = 1;

    private static readonly byte[] SqliteHeader = Encoding.ASCII.GetBytes("SQLite format 3\0");

    private readonly string _connectionString;
    private readonly Lock _gate = new();

    private ReviewStore(string path, string connectionString)
    {
        Path = path;
        _connectionString = connectionString;
    }

    public string Path { get; }

    /// <summary>Opens the database at <paramref name="path"/>, creating it when <paramref name="create"/> and it
    /// does not exist.</summary>
    /// <exception cref="InvalidDataException">The file is not ours (not SQLite, another schema or version) or
    /// is missing while <paramref name="create"/> is false.</exception>
    public static ReviewStore Open(string path, bool create)
    {
        path = System.IO.Path.GetFullPath(path);
        var exists = File.Exists(path);
        if (!exists && !create)
        {
            throw new InvalidDataException($"{path}: no such review database");
        }

        if (exists)
        {
            CheckHeader(path);
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = exists ? SqliteOpenMode.ReadWrite : SqliteOpenMode.ReadWriteCreate,
            // Every connection sets its own pragmas (Connect); no pool keeps files open after we are done.
            Pooling = false,
        };
        var store = new ReviewStore(path, builder.ToString());
        try
        {
            if (exists)
            {
                store.CheckSchema();
            }
            else
            {
                store.CreateSchema();
            }
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"{path}: not a usable review database: {e.Message}", e);
        }

        return store;
    }

    public IReadOnlyList<ReviewRow> All()
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM reviews ORDER BY submission, target";
        using var reader = command.ExecuteReader();
        var rows = new List<ReviewRow>();
        while (reader.Read())
        {
            rows.Add(Row(reader));
        }

        return rows;
    }

    public IReadOnlyList<AuditRow> Audit()
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT submission, target, who, at, old, new, comment FROM audit ORDER BY id";
        using var reader = command.ExecuteReader();
        var rows = new List<AuditRow>();
        while (reader.Read())
        {
            rows.Add(new AuditRow(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                ParseTime(reader.GetString(3)),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetString(6)));
        }

        return rows;
    }

    /// <summary>Saves <paramref name="edit"/> if the row is still at the version the reviewer saw; otherwise
    /// nothing changes and the conflict names who changed it when. Returns null when saved (committed with
    /// synchronous=FULL: on disk before this returns).</summary>
    public ReviewConflict? Save(ReviewEdit edit, string who, DateTimeOffset at)
    {
        // One writer at a time in this process; BEGIN IMMEDIATE orders writers of other processes too.
        lock (_gate)
        {
            using var connection = Connect();
            using var transaction = connection.BeginTransaction(deferred: false);
            var current = Read(connection, transaction, edit.Submission, edit.Target);
            if ((current?.Version ?? 0) != edit.Version)
            {
                return new ReviewConflict(current);
            }

            var version = (current?.Version ?? 0) + 1;
            using (var upsert = connection.CreateCommand())
            {
                upsert.Transaction = transaction;
                upsert.CommandText = """
                    INSERT INTO reviews (submission, target, points, comment, reviewed, auto_points, auto_status, version, changed_by, changed_at)
                    VALUES ($submission, $target, $points, $comment, $reviewed, $autoPoints, $autoStatus, $version, $who, $at)
                    ON CONFLICT (submission, target) DO UPDATE SET points = excluded.points, comment = excluded.comment,
                        reviewed = excluded.reviewed, auto_points = excluded.auto_points, auto_status = excluded.auto_status,
                        version = excluded.version, changed_by = excluded.changed_by, changed_at = excluded.changed_at
                    """;
                upsert.Parameters.AddWithValue("$submission", edit.Submission);
                upsert.Parameters.AddWithValue("$target", edit.Target);
                upsert.Parameters.AddWithValue("$points", edit.Points is { } p ? FormatDecimal(p) : DBNull.Value);
                upsert.Parameters.AddWithValue("$comment", edit.Comment);
                upsert.Parameters.AddWithValue("$reviewed", edit.Reviewed ? 1 : 0);
                upsert.Parameters.AddWithValue("$autoPoints", FormatDecimal(edit.AutoPoints));
                upsert.Parameters.AddWithValue("$autoStatus", edit.AutoStatus);
                upsert.Parameters.AddWithValue("$version", version);
                upsert.Parameters.AddWithValue("$who", who);
                upsert.Parameters.AddWithValue("$at", FormatTime(at));
                upsert.ExecuteNonQuery();
            }

            using (var audit = connection.CreateCommand())
            {
                audit.Transaction = transaction;
                audit.CommandText = "INSERT INTO audit (submission, target, who, at, old, new, comment) VALUES ($submission, $target, $who, $at, $old, $new, $comment)";
                audit.Parameters.AddWithValue("$submission", edit.Submission);
                audit.Parameters.AddWithValue("$target", edit.Target);
                audit.Parameters.AddWithValue("$who", who);
                audit.Parameters.AddWithValue("$at", FormatTime(at));
                audit.Parameters.AddWithValue("$old", current is null ? "automatic" : Describe(current.Points, current.Reviewed, current.Target));
                audit.Parameters.AddWithValue("$new", Describe(edit.Points, edit.Reviewed, edit.Target));
                audit.Parameters.AddWithValue("$comment", edit.Comment);
                audit.ExecuteNonQuery();
            }

            transaction.Commit();
            return null;
        }
    }

    private static string Describe(decimal? points, bool reviewed, string target) =>
        (points is { } p ? $"points {FormatDecimal(p)}" : "automatic points")
        + (target == Total ? reviewed ? ", reviewed" : ", not reviewed" : "");

    private static ReviewRow? Read(SqliteConnection connection, SqliteTransaction transaction, string submission, string target)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {Columns} FROM reviews WHERE submission = $submission AND target = $target";
        command.Parameters.AddWithValue("$submission", submission);
        command.Parameters.AddWithValue("$target", target);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Row(reader) : null;
    }

    private const string Columns = "submission, target, points, comment, reviewed, auto_points, auto_status, version, changed_by, changed_at";

    private static ReviewRow Row(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.IsDBNull(2) ? null : ParseDecimal(reader.GetString(2)),
        reader.GetString(3),
        reader.GetInt64(4) != 0,
        ParseDecimal(reader.GetString(5)),
        reader.GetString(6),
        reader.GetInt64(7),
        reader.GetString(8),
        ParseTime(reader.GetString(9)));

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragmas = connection.CreateCommand();
        // FULL: a commit is synced, WAL included, before it returns, so an acknowledged save survives a kill
        // or a power loss. busy_timeout: another process's writer makes us wait instead of failing.
        pragmas.CommandText = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;";
        pragmas.ExecuteNonQuery();
        return connection;
    }

    private static void CheckHeader(string path)
    {
        var header = new byte[SqliteHeader.Length];
        int read;
        using (var file = File.OpenRead(path))
        {
            read = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }

        if (read < header.Length || !header.AsSpan().SequenceEqual(SqliteHeader))
        {
            throw new InvalidDataException($"{path}: not a review database (not an SQLite file); it was left untouched: pass another --db");
        }
    }

    private void CheckSchema()
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'";
        if (command.ExecuteScalar() is null)
        {
            throw new InvalidDataException($"{Path}: an SQLite file, but not an autograder review database (no meta table); it was left untouched: pass another --db");
        }

        command.CommandText = "SELECT (SELECT value FROM meta WHERE key = 'schema'), (SELECT value FROM meta WHERE key = 'version')";
        using (var reader = command.ExecuteReader())
        {
            reader.Read();
            var name = reader.IsDBNull(0) ? null : reader.GetValue(0)?.ToString();
            var version = reader.IsDBNull(1) ? null : reader.GetValue(1)?.ToString();
            if (name != SchemaName)
            {
                throw new InvalidDataException($"{Path}: an SQLite file, but not an autograder review database (schema '{name}'); it was left untouched: pass another --db");
            }

            if (version != SchemaVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw new InvalidDataException($"{Path}: review database schema version {version} is not supported (this grader reads version {SchemaVersion}); it was left untouched");
            }
        }

        command.CommandText = "PRAGMA journal_mode = WAL";
        command.ExecuteNonQuery();
    }

    private void CreateSchema()
    {
        using var connection = Connect();
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL";
            wal.ExecuteNonQuery();
        }

        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO meta (key, value) VALUES ('schema', '{SchemaName}'), ('version', '{SchemaVersion}');
            CREATE TABLE reviews (
                submission TEXT NOT NULL, target TEXT NOT NULL,
                points TEXT, comment TEXT NOT NULL, reviewed INTEGER NOT NULL,
                auto_points TEXT NOT NULL, auto_status TEXT NOT NULL,
                version INTEGER NOT NULL, changed_by TEXT NOT NULL, changed_at TEXT NOT NULL,
                PRIMARY KEY (submission, target));
            CREATE TABLE audit (
                id INTEGER PRIMARY KEY AUTOINCREMENT, submission TEXT NOT NULL, target TEXT NOT NULL,
                who TEXT NOT NULL, at TEXT NOT NULL, old TEXT NOT NULL, new TEXT NOT NULL, comment TEXT NOT NULL);
            """;
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    private static string FormatDecimal(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static decimal ParseDecimal(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static string FormatTime(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
