using Autograder.Pipeline;
using Autograder.Submissions;

namespace Autograder.Tests.Submissions;

public class SubmissionFinderTests
{
    private TempTree _tree = null!;

    [SetUp]
    public void SetUp() => _tree = new TempTree();

    [TearDown]
    public void TearDown() => _tree.Dispose();

    private IReadOnlyList<Submission> Find(string relative = "") => SubmissionFinder.Find(_tree[relative]);

    private static string[] Ids(IEnumerable<Submission> submissions) => submissions.Select(s => s.Id).ToArray();

    [Test]
    public void A_single_file_graded_directly_is_one_submission_named_after_the_file()
    {
        var file = _tree.File("hand-ins/my-rng.c");

        var found = SubmissionFinder.Find(file);

        Assert.That(found, Has.Count.EqualTo(1));
        Assert.That(found[0].Id, Is.EqualTo("my-rng"));
        Assert.That(found[0].Language, Is.EqualTo(Language.C));
        Assert.That(found[0].Files, Is.EqualTo(new[] { file }));
        Assert.That(found[0].Problem, Is.Null);
    }

    [Test]
    public void A_source_file_directly_in_the_graded_folder_is_a_submission_named_without_extension()
    {
        _tree.File("ref.c");

        Assert.That(Ids(Find()), Is.EqualTo(new[] { "ref" }));
    }

    [Test]
    public void Sub_folders_with_sources_are_multi_file_submissions_and_their_readme_is_ignored()
    {
        _tree.File("examples/csharp/reference/Driver.cs");
        _tree.File("examples/csharp/reference/Ioctl.cs");
        _tree.File("examples/csharp/reference/README.md", "the reference");
        _tree.File("examples/csharp/seed-offset-0/Driver.cs");

        var found = SubmissionFinder.Find(_tree["examples"]);

        Assert.That(Ids(found), Is.EqualTo(new[] { "csharp-reference", "csharp-seed-offset-0" }));
        Assert.That(found[0].Files.Select(Path.GetFileName), Is.EqualTo(new[] { "Driver.cs", "Ioctl.cs" }));
        Assert.That(found[0].Language, Is.EqualTo(Language.CSharp));
        Assert.That(found[0].RelativePath, Is.EqualTo("csharp/reference"));
    }

    [Test]
    public void Folders_holding_only_folders_are_nested_collections()
    {
        _tree.File("course/2024/group-a/alice/my-rng.c");
        _tree.File("course/2024/group-b/bob/linux.patch");
        _tree.File("loose.cs");

        Assert.That(Ids(Find()), Is.EqualTo(new[] { "course-2024-group-a-alice", "course-2024-group-b-bob", "loose" }));
    }

    [Test]
    public void A_folder_with_sources_is_one_submission_even_when_it_has_sub_folders()
    {
        _tree.File("alice/my-rng.c");
        _tree.File("alice/tests/test.c");

        var found = Find();

        Assert.That(Ids(found), Is.EqualTo(new[] { "alice" }));
        Assert.That(found[0].Files.Select(Path.GetFileName), Is.EqualTo(new[] { "my-rng.c" }));
    }

    [TestCase("linux.patch")]
    [TestCase("my-rng.diff")]
    [TestCase("MY-RNG.C")]
    public void Patches_diffs_and_c_files_are_C(string name)
    {
        _tree.File(name);

        Assert.That(Find()[0].Language, Is.EqualTo(Language.C));
    }

    [Test]
    public void Mixing_C_and_CSharp_in_one_submission_is_a_problem_not_an_exception()
    {
        _tree.File("alice/my-rng.c");
        _tree.File("alice/Driver.cs");

        var found = Find();

        Assert.That(found, Has.Count.EqualTo(1));
        Assert.That(found[0].Problem, Is.EqualTo("mixes C and C# sources"));
        Assert.That(found[0].Files, Has.Count.EqualTo(2));
    }

    [Test]
    public void Next_to_a_patch_my_rng_c_wins()
    {
        _tree.File("alice/my-rng.c");
        _tree.File("alice/linux.patch");

        Assert.That(Find()[0].Files.Select(Path.GetFileName), Is.EqualTo(new[] { "my-rng.c" }));
    }

    [Test]
    public void Next_to_a_patch_other_c_files_are_taken_for_test_programs_and_the_patch_wins()
    {
        _tree.File("bob/test-rng.c");
        _tree.File("bob/linux.patch");
        _tree.File("bob/qemu.patch");

        Assert.That(Find()[0].Files.Select(Path.GetFileName), Is.EqualTo(new[] { "linux.patch", "qemu.patch" }));
    }

    [Test]
    public void Canvas_renamed_my_rng_c_still_wins_over_a_patch()
    {
        _tree.File("carol/my-rng-1.c");
        _tree.File("carol/linux.patch");

        Assert.That(Find()[0].Files.Select(Path.GetFileName), Is.EqualTo(new[] { "my-rng-1.c" }));
    }

    [Test]
    public void A_kernel_tree_is_one_submission_made_of_its_driver()
    {
        _tree.File("dave/linux/drivers/misc/my-rng.c");
        _tree.File("dave/linux/drivers/misc/other.c");
        _tree.File("dave/linux/kernel/fork.c");

        var found = Find();

        Assert.That(Ids(found), Is.EqualTo(new[] { "dave" }));
        Assert.That(found[0].Files, Is.EqualTo(new[] { _tree["dave/linux/drivers/misc/my-rng.c"] }));
    }

    [Test]
    public void Characters_outside_the_id_alphabet_become_underscores()
    {
        _tree.File("Jean Dupont (late)/my rng.c");
        _tree.File("Zoë.Ünal_2/x.cs");

        Assert.That(Ids(Find()), Is.EqualTo(new[] { "Jean_Dupont__late_", "Zo_._nal_2" }));
    }

    [Test]
    public void Duplicate_ids_get_deterministic_suffixes_that_never_steal_an_existing_id()
    {
        _tree.File("x.c");
        _tree.File("x.cs");
        _tree.File("a/b/main.c");
        _tree.File("a-b.c");
        _tree.File("a-b-2.c");

        var found = Find();

        Assert.That(found.Select(s => $"{s.Id}={s.RelativePath}"), Is.EqualTo(new[]
        {
            "a-b=a-b.c",
            "a-b-2=a-b-2.c",
            "a-b-3=a/b",
            "x=x.c",
            "x-2=x.cs",
        }));
        Assert.That(Ids(Find()), Is.EqualTo(Ids(found)), "same ids on every run");
    }

    [Test]
    public void Results_are_sorted_by_id()
    {
        foreach (var name in new[] { "zed.c", "Alpha.c", "mid/x.c", "b.c" })
        {
            _tree.File(name);
        }

        Assert.That(Ids(Find()), Is.EqualTo(new[] { "Alpha", "b", "mid", "zed" }));
    }

    [Test]
    public void Hidden_entries_and_build_output_are_ignored()
    {
        _tree.File(".git/objects/x.c");
        _tree.File(".hidden.c");
        _tree.File("alice/bin/Debug/gen.cs");
        _tree.File("alice/obj/gen.cs");
        _tree.File("__MACOSX/alice/._my-rng.c");
        _tree.File("alice/my-rng.c");
        _tree.File("notes.txt");

        Assert.That(Ids(Find()), Is.EqualTo(new[] { "alice" }));
    }

    [Test]
    public void A_symlink_loop_does_not_hang_discovery()
    {
        _tree.File("alice/sub/my-rng.c");
        Directory.CreateSymbolicLink(_tree["alice/sub/loop"], _tree["alice"]);

        Assert.That(Ids(Find()), Is.EqualTo(new[] { "alice-sub" }));
    }

    [Test]
    public void A_folder_without_sources_gives_no_submissions()
    {
        _tree.File("alice/README.md");

        Assert.That(Find(), Is.Empty);
    }

    [Test]
    public void A_missing_path_is_an_operator_error()
    {
        var e = Assert.Throws<OperatorException>(() => SubmissionFinder.Find(_tree["nope"]));

        Assert.That(e.Message, Is.EqualTo($"no such file or folder: {_tree["nope"]}"));
    }

    [Test]
    public void A_file_that_is_not_a_source_is_an_operator_error()
    {
        var e = Assert.Throws<OperatorException>(() => SubmissionFinder.Find(_tree.File("notes.txt")));

        Assert.That(e.Message, Does.StartWith("not a submission: "));
    }

    [Test]
    public void FindOne_takes_a_folders_own_sources_as_one_submission()
    {
        _tree.File("mine/Driver.cs");
        _tree.File("mine/Helpers.cs");

        var one = SubmissionFinder.FindOne(_tree["mine"]);

        Assert.That(one.Id, Is.EqualTo("mine"));
        Assert.That(one.Files, Has.Count.EqualTo(2));
        Assert.That(one.Problem, Is.Null);
    }

    [Test]
    public void FindOne_looks_through_a_wrapper_folder_and_takes_the_given_id()
    {
        _tree.File("upload/my-project/my-rng.c");

        var one = SubmissionFinder.FindOne(_tree["upload"], "submission");

        Assert.That(one.Id, Is.EqualTo("submission"));
        Assert.That(one.Files, Is.EqualTo(new[] { _tree["upload/my-project/my-rng.c"] }));
    }

    [Test]
    public void FindOne_of_a_folder_without_sources_is_a_submission_with_a_problem()
    {
        _tree.File("upload/README.md");

        var one = SubmissionFinder.FindOne(_tree["upload"]);

        Assert.That(one.Files, Is.Empty);
        Assert.That(one.Problem, Does.Contain("no .c, .cs, .patch or .diff file"));
    }

    [Test]
    public void FindOne_of_a_folder_holding_several_submissions_is_an_operator_error()
    {
        _tree.File("class/alice/my-rng.c");
        _tree.File("class/bob/my-rng.c");

        var e = Assert.Throws<OperatorException>(() => SubmissionFinder.FindOne(_tree["class"]));

        Assert.That(e.Message, Does.Contain("holds 2 submissions (alice, bob)"));
    }

    // Issue 14, class 3: a symlinked source was read as root and shown in the reports.
    [Test]
    public void A_symlinked_source_file_makes_that_submission_invalid_and_leaves_the_others()
    {
        var secret = _tree.File("elsewhere/secret.txt", "canary");
        _tree.File("class/alice/my-rng.c");
        _tree.File("class/bob/helper.c");
        File.CreateSymbolicLink(_tree["class/bob/my-rng.c"], secret);
        File.CreateSymbolicLink(_tree["class/carol.c"], secret);

        var found = Find("class");

        Assert.That(found.Select(s => (s.Id, s.Problem)), Is.EqualTo(new[]
        {
            ("alice", (string?)null),
            ("bob", "my-rng.c is a symbolic link: links are refused, nothing is read through them"),
            ("carol", "carol.c is a symbolic link: links are refused, nothing is read through them"),
        }));
    }

    [Test]
    public void A_symlinked_folder_in_or_as_a_student_folder_is_refused_not_entered()
    {
        _tree.File("elsewhere/drivers/misc/my-rng.c");
        _tree.File("class/alice/my-rng.c");
        Directory.CreateSymbolicLink(_tree["class/alice/extra"], _tree["elsewhere"]);
        Directory.CreateDirectory(_tree["class/bob"]);
        Directory.CreateSymbolicLink(_tree["class/bob/linux"], _tree["elsewhere"]);
        Directory.CreateSymbolicLink(_tree["class/dave"], _tree["elsewhere"]);

        var found = Find("class");

        Assert.That(found.Select(s => s.Id), Is.EqualTo(new[] { "alice", "bob-linux", "dave" }), "bob's kernel tree is behind a link: refused, not entered");
        Assert.That(found[0].Problem, Does.StartWith("extra is a symbolic link"));
        Assert.That(found[1].Problem, Does.StartWith("bob/linux is a symbolic link"));
        Assert.That(found[2].Problem, Does.StartWith("dave is a symbolic link"));
        Assert.That(found.Skip(1).Select(s => s.Files), Is.All.Empty);
        Assert.That(SubmissionFinder.FindOne(_tree["class/alice"]).Problem, Does.StartWith("extra is a symbolic link"));
    }
}
