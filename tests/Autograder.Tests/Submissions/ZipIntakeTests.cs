using System.IO.Compression;
using Autograder.Pipeline;
using Autograder.Submissions;

namespace Autograder.Tests.Submissions;

public class ZipIntakeTests
{
    private TempTree _tree = null!;
    private int _zips;

    [SetUp]
    public void SetUp() => _tree = new TempTree();

    [TearDown]
    public void TearDown() => _tree.Dispose();

    /// <summary>Builds a zip at test time: entry name -> content (bytes or text).</summary>
    private string Zip(params (string Name, object Content)[] entries)
    {
        var path = _tree[$"upload-{++_zips}.zip"];
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, content) in entries)
        {
            var entry = archive.CreateEntry(name, CompressionLevel.Optimal);
            using var stream = entry.Open();
            var bytes = content as byte[] ?? System.Text.Encoding.UTF8.GetBytes((string)content);
            stream.Write(bytes);
        }
        return path;
    }

    [Test]
    public void One_folder_per_student_gives_one_submission_each()
    {
        var zip = Zip(("alice/my-rng.c", "int x;"), ("alice/README.md", "hi"), ("bob/Driver.cs", "class D {}"), ("bob/Ioctl.cs", "class I {}"));

        using var extracted = ZipIntake.Extract(zip);

        Assert.That(extracted.Submissions.Select(s => s.Id), Is.EqualTo(new[] { "alice", "bob" }));
        Assert.That(extracted.Submissions[1].Files, Has.Count.EqualTo(2));
        Assert.That(File.ReadAllText(extracted.Submissions[0].Files[0]), Is.EqualTo("int x;"));
    }

    [Test]
    public void A_single_wrapper_folder_is_unwrapped_so_ids_are_the_student_folders()
    {
        var zip = Zip(("submissions/alice/my-rng.c", "a"), ("submissions/bob/my-rng.c", "b"), ("__MACOSX/submissions/._alice", "junk"));

        using var extracted = ZipIntake.Extract(zip);

        Assert.That(extracted.Submissions.Select(s => s.Id), Is.EqualTo(new[] { "alice", "bob" }));
    }

    [Test]
    public void A_zip_of_one_students_folder_is_that_student()
    {
        var zip = Zip(("alice/my-rng.c", "a"));

        using var extracted = ZipIntake.Extract(zip);

        Assert.That(extracted.Submissions.Select(s => s.Id), Is.EqualTo(new[] { "alice" }));
    }

    [Test]
    public void Canvas_flat_names_are_grouped_by_student_login()
    {
        var zip = Zip(
            ("smithjohn_12345_67890_my-rng.c", "john"),
            ("smithjohn_12345_67890_helper.c", "john helper"),
            ("doejane_LATE_23456_78901_my-rng-1.c", "jane"),
            ("roe_34567_89012_linux.patch", "patch"));

        using var extracted = ZipIntake.Extract(zip);

        Assert.That(extracted.Submissions.Select(s => s.Id), Is.EqualTo(new[] { "doejane", "roe", "smithjohn" }));
        var john = extracted.Submissions[2];
        Assert.That(john.Files.Select(Path.GetFileName), Is.EqualTo(new[] { "helper.c", "my-rng.c" }));
        Assert.That(File.ReadAllText(extracted.Submissions[0].Files[0]), Is.EqualTo("jane"));
    }

    [Test]
    public void Canvas_resubmissions_of_one_file_keep_the_latest_submission_id()
    {
        var zip = Zip(("smithjohn_12345_90000_my-rng.c", "new"), ("smithjohn_12345_10000_my-rng.c", "old"));

        using var extracted = ZipIntake.Extract(zip);

        Assert.That(File.ReadAllText(extracted.Submissions.Single().Files.Single()), Is.EqualTo("new"));
    }

    [Test]
    public void A_canvas_late_resubmission_replaces_the_earlier_hand_in_and_is_marked_late()
    {
        // Canvas renames a re-upload of my-rng.c to my-rng-1.c: both are the same driver, never two units.
        var zip = Zip(("jones_4242_111_my-rng.c", "first"), ("jones_LATE_4242_222_my-rng-1.c", "second"), ("ann_5151_333_my-rng.c", "ann"));

        using var extracted = ZipIntake.Extract(zip);

        var jones = extracted.Submissions.Single(s => s.Id == "jones");
        Assert.That(jones.Files.Select(Path.GetFileName), Is.EqualTo(new[] { "my-rng-1.c" }));
        Assert.That(File.ReadAllText(jones.Files[0]), Is.EqualTo("second"));
        Assert.That(jones.Late, Is.True);
        Assert.That(jones.SubmittedAt, Is.Not.Null, "a zip entry's time is the hand-in time");
        Assert.That(extracted.Submissions.Single(s => s.Id == "ann").Late, Is.False);
    }

    [TestCase(".._1_2_my-rng.c")]
    [TestCase("._1_2_my-rng.c")]
    public void A_dot_login_is_not_a_canvas_name_and_cannot_climb_or_merge_into_the_root(string name)
    {
        var zip = Zip(("ann_5151_333_my-rng.c", "ann"), (name, "dots"));

        using var extracted = ZipIntake.Extract(zip);

        Assert.That(extracted.Submissions.Select(s => s.Id), Does.Contain("ann"));
        Assert.That(File.ReadAllText(extracted.Submissions.Single(s => s.Id == "ann").Files.Single()), Is.EqualTo("ann"));
        Assert.That(extracted.Submissions.All(s => s.Files.All(f => f.StartsWith(extracted.TempDir, StringComparison.Ordinal))), Is.True);
    }

    [Test]
    public void A_canvas_hand_in_of_several_files_is_kept_whole()
    {
        var zip = Zip(("kim_1_500_my-rng.c", "driver"), ("kim_1_500_my-rng.h", "header"), ("kim_1_400_my-rng.c", "older"));

        using var extracted = ZipIntake.Extract(zip);

        Assert.That(extracted.Submissions.Single().Files.Select(Path.GetFileName), Is.EqualTo(new[] { "my-rng.c" }));
        Assert.That(File.ReadAllText(extracted.Submissions.Single().Files[0]), Is.EqualTo("driver"));
        Assert.That(File.Exists(Path.Combine(extracted.Root, "kim", "my-rng.h")), Is.True);
    }

    [TestCase("../evil.c")]
    [TestCase("alice/../../evil.c")]
    [TestCase("/tmp/evil.c")]
    [TestCase("..\\evil.c")]
    public void Zip_slip_refuses_the_whole_zip(string name)
    {
        var zip = Zip(("alice/my-rng.c", "ok"), (name, "pwned"));

        var e = Assert.Throws<OperatorException>(() => ZipIntake.Extract(zip));

        Assert.That(e.Message, Does.StartWith(zip).And.Contain("zip-slip"));
        Assert.That(File.Exists(Path.Combine(Path.GetTempPath(), "evil.c")), Is.False);
        Assert.That(File.Exists(_tree["evil.c"]), Is.False);
    }

    [Test]
    public void A_compression_bomb_is_refused()
    {
        // 30 MiB of zeros compress to ~30 KiB: generated here, never committed.
        var zip = Zip(("alice/my-rng.c", new byte[30 * 1024 * 1024]));

        var e = Assert.Throws<OperatorException>(() => ZipIntake.Extract(zip));

        Assert.That(e.Message, Does.StartWith(zip).And.Contain("refused"));
    }

    [Test]
    public void An_entry_over_the_size_limit_is_refused_even_when_it_compresses_badly()
    {
        var random = new byte[64 * 1024];
        new Random(1).NextBytes(random);
        var zip = Zip(("alice/my-rng.c", random));

        var e = Assert.Throws<OperatorException>(() => ZipIntake.Extract(zip, new ZipLimits { MaxEntryBytes = 32 * 1024 }));

        Assert.That(e.Message, Does.Contain("alice/my-rng.c").And.Contain("32768"));
    }

    [Test]
    public void The_total_size_limit_is_counted_while_inflating()
    {
        var random = new byte[40 * 1024];
        new Random(2).NextBytes(random);
        var zip = Zip(("a/x.c", random), ("b/x.c", random), ("c/x.c", random));

        var e = Assert.Throws<OperatorException>(() => ZipIntake.Extract(zip, new ZipLimits { MaxTotalBytes = 100 * 1024 }));

        Assert.That(e.Message, Does.Contain("exceed 102400 bytes"));
    }

    [Test]
    public void Too_many_entries_are_refused()
    {
        var zip = Zip(Enumerable.Range(0, 11).Select(i => ($"s{i}/my-rng.c", (object)"x")).ToArray());

        var e = Assert.Throws<OperatorException>(() => ZipIntake.Extract(zip, new ZipLimits { MaxEntries = 10 }));

        Assert.That(e.Message, Does.Contain("11 entries (limit 10)"));
    }

    [Test]
    public void A_file_that_is_not_a_zip_is_an_operator_error()
    {
        var path = _tree.File("fake.zip", "not a zip at all");

        var e = Assert.Throws<OperatorException>(() => ZipIntake.Extract(path));

        Assert.That(e.Message, Does.StartWith(path).And.Contain("not a readable zip"));
    }

    [Test]
    public void Disposing_deletes_the_extracted_files_and_a_refused_zip_leaves_none()
    {
        var zip = Zip(("alice/my-rng.c", "a"));
        string temp;
        using (var extracted = ZipIntake.Extract(zip))
        {
            temp = extracted.TempDir;
            Assert.That(Directory.Exists(temp), Is.True);
        }
        Assert.That(Directory.Exists(temp), Is.False);

        var before = Directory.GetDirectories(Path.GetTempPath(), "autograder-zip-*").Length;
        var bad = Zip(("alice/my-rng.c", "a"), ("../evil.c", "x"));
        Assert.Throws<OperatorException>(() => ZipIntake.Extract(bad));
        Assert.That(Directory.GetDirectories(Path.GetTempPath(), "autograder-zip-*"), Has.Length.EqualTo(before));
    }

    // Issue 14, class 7: a file/folder clash ended the whole run as a grader bug (exit 4).
    [TestCase("file first")]
    [TestCase("folder first")]
    public void A_name_that_is_both_a_file_and_a_folder_makes_only_that_student_invalid(string order)
    {
        (string, object)[] clash = order == "file first"
            ? [("bob", "x"), ("bob/my-rng.c", "b")]
            : [("bob/my-rng.c", "b"), ("bob", "x")];
        var zip = Zip([("alice/my-rng.c", "a"), .. clash, ("carol/my-rng.c", "c")]);

        using var extracted = ZipIntake.Extract(zip);

        Assert.That(extracted.Submissions.Select(s => s.Id), Is.EqualTo(new[] { "alice", "bob", "carol" }));
        Assert.That(extracted.Submissions[1].Problem, Does.Contain("'bob").And.Contain("a file and a folder share its name"));
        Assert.That(extracted.Submissions.Where(s => s.Id != "bob").Select(s => s.Problem), Is.All.Null);
    }

    [Test]
    public void A_clash_inside_a_wrapper_folder_blames_the_student_inside_it()
    {
        var zip = Zip(("all/alice/my-rng.c", "a"), ("all/bob/sub", "x"), ("all/bob/sub/my-rng.c", "b"));

        using var extracted = ZipIntake.Extract(zip);

        Assert.That(extracted.Submissions.Select(s => (s.Id, s.Problem is null)), Is.EqualTo(new[] { ("alice", true), ("bob-sub", false) }));
    }

    [Test]
    public void A_corrupt_entry_makes_only_its_student_invalid()
    {
        var zip = Zip(("alice/my-rng.c", "a"), ("bob/my-rng.c", "BOB-SOURCE-" + new string('b', 200)));
        // Flip bytes of bob's data: after its local header's name and extra field (whose length ends the
        // 30 fixed bytes before the name).
        var bytes = File.ReadAllBytes(zip);
        var name = bytes.AsSpan().IndexOf("bob/my-rng.c"u8);
        var data = name + "bob/my-rng.c".Length + bytes[name - 2] + (bytes[name - 1] << 8);
        for (var i = data; i < data + 8; i++)
        {
            bytes[i] ^= 0x5a;
        }

        File.WriteAllBytes(zip, bytes);

        using var extracted = ZipIntake.Extract(zip);

        Assert.That(extracted.Submissions.Select(s => (s.Id, s.Problem is null)), Is.EqualTo(new[] { ("alice", true), ("bob", false) }));
        Assert.That(extracted.Submissions[1].Problem, Does.Contain("'bob/my-rng.c' could not be extracted"));
    }
}
