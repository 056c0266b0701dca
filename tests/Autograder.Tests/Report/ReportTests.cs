using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Autograder.Model;
using Autograder.Pipeline;
using Autograder.Report;

namespace Autograder.Tests.Report;

[TestFixture]
public sealed class ReportTests
{
    private readonly List<string> _dirs = [];

    [OneTimeSetUp]
    public void Strict() => Templates.StrictVariables = true;

    [OneTimeTearDown]
    public void Lenient() => Templates.StrictVariables = false;

    [TearDown]
    public void CleanUp()
    {
        foreach (var dir in _dirs)
        {
            Directory.Delete(dir, recursive: true);
        }

        _dirs.Clear();
    }

    [Test]
    public void A_script_in_a_printk_is_shown_as_text_on_every_page()
    {
        var dir = Render();
        foreach (var page in new[] { "submissions/bob.html", "feedback/bob.html" })
        {
            var html = File.ReadAllText(Path.Combine(dir, page));
            Assert.That(html, Does.Contain("&lt;script&gt;alert(1)&lt;/script&gt;"), page);
            Assert.That(html, Does.Not.Contain("<script>alert"), page);
            Assert.That(html, Does.Not.Contain("</script><script>"), page);
            Assert.That(html.Split("<script").Length - 1, Is.EqualTo(1), page + ": only the page's own script (opening a linked section)");
            Assert.That(html, Does.Not.Contain("<b>Tables"), page + ": roster names are data too");
        }

        var index = File.ReadAllText(Path.Combine(dir, "index.html"));
        Assert.That(index.Split("<script").Length - 1, Is.EqualTo(1), "only the page's own sorting script");
        Assert.That(index, Does.Contain("Bob &quot;Bobby&quot; &lt;b&gt;Tables&lt;/b&gt;"));
    }

    [Test]
    public void Pages_reference_nothing_outside_themselves()
    {
        var dir = Render();
        foreach (var file in Directory.GetFiles(dir, "*.html", SearchOption.AllDirectories))
        {
            var html = File.ReadAllText(file);
            Assert.That(html, Does.Not.Contain("http://").And.Not.Contain("https://").And.Not.Contain("src="), file);
        }
    }

    [Test]
    public void Roster_fills_names_and_lists_both_kinds_of_mismatch()
    {
        var (dir, notes) = ReportFixture.RenderAll();
        _dirs.Add(dir);
        Assert.That(notes, Is.EquivalentTo(new[]
        {
            "submission 'dave' is not in the roster",
            "roster id 'erin' has no submission",
        }));
        var written = Reports.ReadResults(Path.Combine(dir, "results.json"));
        var alice = written.Submissions.Single(s => s.Id == "alice");
        Assert.That(alice.Student, Is.EqualTo(new StudentInfo("Alice Andersen", "alice@example.edu", "1001")));
    }

    [Test]
    public void Roster_without_an_id_column_is_an_operator_error_naming_the_file()
    {
        var roster = WriteTemp("roster.csv", "name,email\nAlice,a@x\n");
        var e = Assert.Throws<InvalidDataException>(() =>
            Reports.Write(ReportFixture.Run(), NewDir(), new ReportOptions { RosterPath = roster }));
        Assert.That(e!.Message, Does.Contain(roster));
    }

    [Test]
    public void Check_override_replaces_points_and_moves_the_score_by_the_difference()
    {
        var run = Reports.ApplyOverrides(ReportFixture.Run(), WriteTemp("o.csv", "id,check,points,comment\nbob,dmesg,4,typo only\n"));
        var bob = run.Submissions.Single(s => s.Id == "bob");
        var dmesg = bob.Checks.Single(c => c.Id == "dmesg");
        Assert.Multiple(() =>
        {
            Assert.That(dmesg.Points, Is.EqualTo(4m));
            Assert.That(dmesg.Override, Is.EqualTo(new Override(4m, "typo only", 0m)));
            Assert.That(bob.Score, Is.EqualTo(24.5m));
            Assert.That(bob.MaxScore, Is.EqualTo(60m));
        });
    }

    [Test]
    public void Overriding_a_grader_faulted_check_counts_it_again_and_clears_the_fault()
    {
        var run = Reports.ApplyOverrides(ReportFixture.Run(), WriteTemp("o.csv", "ID, Check ,Points\ndave,rand,15\n"));
        var dave = run.Submissions.Single(s => s.Id == "dave");
        Assert.Multiple(() =>
        {
            Assert.That(dave.Score, Is.EqualTo(60m));
            Assert.That(dave.MaxScore, Is.EqualTo(60m));
            Assert.That(dave.GraderFault, Is.False);
        });
    }

    [Test]
    public void Total_override_wins_over_check_overrides_of_the_same_submission()
    {
        var run = Reports.ApplyOverrides(
            ReportFixture.Run(),
            WriteTemp("o.csv", "id,check,points,comment\nbob,total,30,oral exam\nbob,dmesg,5,\n"));
        var bob = run.Submissions.Single(s => s.Id == "bob");
        Assert.That(bob.Score, Is.EqualTo(30m));
        Assert.That(bob.TotalOverride, Is.EqualTo(new Override(30m, "oral exam", 25.5m)));
        Assert.That(bob.Checks.Single(c => c.Id == "dmesg").Override!.Comment, Is.Null);
    }

    [Test]
    public void Overridden_cells_are_marked_with_the_comment_in_html_and_csv()
    {
        var dir = Render();
        var index = File.ReadAllText(Path.Combine(dir, "index.html"));
        Assert.That(index, Does.Contain("cell partial overridden\" data-sort=\"4\" data-csv=\"4\" title=\"dmesg: partial credit; overridden from 0: message present, only the spelling differs\""));
        Assert.That(index, Does.Contain("title=\"total overridden from 0: partial credit for the design document\""));
        var page = File.ReadAllText(Path.Combine(dir, "submissions", "bob.html"));
        Assert.That(page, Does.Contain("Points set by an instructor (was 0): message present, only the spelling differs"));
        var csv = File.ReadAllLines(Path.Combine(dir, "grades.csv"));
        Assert.That(csv.Single(l => l.StartsWith("bob,", StringComparison.Ordinal)), Does.EndWith(",\"dmesg 0->4 (message present, only the spelling differs)\",,,"));
    }

    [TestCase("id,check,points\nmallory,total,3\n", "line 2: unknown submission id 'mallory'")]
    [TestCase("id,check,points\nbob,dmesg,1\nbob,nosuch,3\n", "line 3: bob: unknown check 'nosuch'")]
    [TestCase("id,check,points\nbob,dmesg,6\n", "line 2: bob dmesg: 6 points exceed the check's maximum 5")]
    [TestCase("id,check,points\nbob,dmesg,-1\n", "line 2: bob dmesg: points must not be negative")]
    [TestCase("id,check,points\nbob,dmesg,1\nbob,dmesg,2\n", "line 3: a second override for 'bob' and 'dmesg'")]
    [TestCase("id,points\nbob,1\n", "line 1: overrides need a header")]
    public void Bad_overrides_name_the_line(string csv, string expected)
    {
        var path = WriteTemp("overrides.csv", csv);
        var e = Assert.Throws<InvalidDataException>(() => Reports.ApplyOverrides(ReportFixture.Run(), path));
        Assert.That(e!.Message, Does.StartWith(path).And.Contain(expected));
    }

    [Test]
    public void A_points_value_that_is_not_a_number_names_the_line_but_not_the_value()
    {
        var path = WriteTemp("overrides.csv", "id,check,points,comment\nbob,dmesg,4,ok\nbob,rand,SECRET-NOT-A-NUMBER,x\n");
        var e = Assert.Throws<InvalidDataException>(() => Reports.ApplyOverrides(ReportFixture.Run(), path));
        Assert.That(e!.Message, Does.Contain("line 3: malformed override: the 'points' column must be a number like 7.5").And.Not.Contain("SECRET").And.Not.Contain("OverrideRow"));
    }

    [Test]
    public void Feedback_page_hides_hidden_checks_and_after_due_checks_before_the_due_date()
    {
        var before = File.ReadAllText(Path.Combine(Render(ReportFixture.BeforeDue), "feedback", "bob.html"));
        Assert.Multiple(() =>
        {
            Assert.That(before, Does.Not.Contain("NULL pointer"), "hidden check's feedback");
            Assert.That(before, Does.Not.Contain("0.5 / 10"), "hidden check's points");
            Assert.That(before, Does.Not.Contain("depends on rand"), "after-due check before the due date");
            Assert.That(before, Does.Contain("shown after the due date (2026-03-01 23:59 UTC)"));
            Assert.That(before, Does.Not.Contain("alice").And.Not.Contain("carol").And.Not.Contain("dave"), "nothing about other students");
            Assert.That(before, Does.Not.Contain("make: &lt;warning&gt;"), "the instructor-only output section");
        });

        var after = File.ReadAllText(Path.Combine(Render(ReportFixture.AfterDue), "feedback", "bob.html"));
        Assert.That(after, Does.Contain("depends on rand"), "after-due check after the due date");
        Assert.That(after, Does.Not.Contain("NULL pointer"), "hidden stays hidden");

        var instructor = File.ReadAllText(Path.Combine(Render(ReportFixture.BeforeDue), "submissions", "bob.html"));
        Assert.That(instructor, Does.Contain("NULL pointer").And.Contain("depends on rand"));
    }

    [Test]
    public void Kernel_model_gaps_are_listed_with_the_submissions_that_need_them_and_absent_without_any()
    {
        Assert.That(File.ReadAllText(Path.Combine(Render(), "index.html")), Does.Not.Contain("id=\"model-gaps\""));

        var run = ReportFixture.Run();
        run = run with
        {
            Submissions = [.. run.Submissions.Select(s => s.Id is "carol" or "dave" ? s with { ModelGap = "struct pci_dev.resource" } : s)],
        };
        var dir = NewDir();
        Reports.Write(run, dir, new ReportOptions { Now = ReportFixture.BeforeDue });
        var index = File.ReadAllText(Path.Combine(dir, "index.html"));
        var section = index[index.IndexOf("id=\"model-gaps\"", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("</section>", StringComparison.Ordinal)];
        Assert.That(section, Does.Contain("<code>struct pci_dev.resource</code>"));
        Assert.That(section, Does.Contain("href=\"submissions/carol.html\">carol</a>, <a href=\"submissions/dave.html\">dave</a>"));
        Assert.That(section, Does.Not.Contain("alice").And.Not.Contain("bob"));
    }

    [Test]
    public void Grader_fault_is_shown_loudly_and_not_as_lost_points()
    {
        var dir = Render();
        var page = File.ReadAllText(Path.Combine(dir, "feedback", "dave.html"));
        Assert.That(page, Does.Contain("id=\"grader-fault-banner\""));
        Assert.That(page, Does.Contain("n/a / 15").And.Not.Contain("0 / 15"));
        Assert.That(File.ReadAllText(Path.Combine(dir, "index.html")), Does.Contain("id=\"grader-fault-banner\""));

        var gradescope = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "gradescope", "dave", "results.json"))).RootElement;
        var rand = gradescope.GetProperty("tests").EnumerateArray().Single(t => t.GetProperty("name").GetString()!.StartsWith("rand", StringComparison.Ordinal));
        Assert.That(rand.GetProperty("max_score").GetDecimal(), Is.Zero, "a grader fault costs the student nothing");
        Assert.That(gradescope.GetProperty("output").GetString(), Does.StartWith("GRADER ERROR"));

        var junit = XDocument.Load(Path.Combine(dir, "junit.xml"));
        var error = junit.Descendants("testcase").Single(t => (string?)t.Attribute("classname") == "dave" && (string?)t.Attribute("name") == "rand").Element("error");
        Assert.That((string?)error?.Attribute("type"), Is.EqualTo("grader-fault"));
    }

    [Test]
    public void Numbers_use_a_dot_whatever_the_machine_culture()
    {
        var saved = CultureInfo.CurrentCulture;
        // The build runs with InvariantGlobalization, where "de-DE" cannot be created: clone the invariant
        // culture with German number separators instead, which is what breaks culture-sensitive code.
        var german = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        german.NumberFormat.NumberDecimalSeparator = ",";
        german.NumberFormat.NumberGroupSeparator = ".";
        try
        {
            CultureInfo.CurrentCulture = german;
            CultureInfo.CurrentUICulture = german;
            Assert.That(1.5m.ToString(CultureInfo.CurrentCulture), Is.EqualTo("1,5"), "the test culture really is German-like");
            var dir = Render();
            Assert.That(File.ReadAllText(Path.Combine(dir, "grades.csv")), Does.Contain(",24.5,60,").And.Contain(",0.5,"));
            Assert.That(File.ReadAllText(Path.Combine(dir, "index.html")), Does.Contain("24.5 / 60"));
            Assert.That(File.ReadAllText(Path.Combine(dir, "junit.xml")), Does.Contain("time=\"0.330\""));
            Assert.That(File.ReadAllText(Path.Combine(dir, "results.json")), Does.Contain("\"score\":24.5"));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
            CultureInfo.CurrentUICulture = saved;
        }
    }

    [Test]
    public void Results_json_round_trips_and_trace_events_omit_null_fields()
    {
        var dir = NewDir();
        Reports.Write(ReportFixture.Run(), dir, new ReportOptions { Formats = ["json"] });
        var path = Path.Combine(dir, "results.json");
        var text = File.ReadAllText(path);
        Assert.That(text, Does.Contain("\"fault\":null"), "checks keep fault: null (a submission is one compact line)");
        Assert.That(text, Does.Not.Contain("\"op\":null").And.Not.Contain("\"cmd\":null"));
        var again = Reports.ReadResults(path);
        var original = ReportFixture.Run();
        Assert.That(JsonSerializer.Serialize(again, ResultsJson.Options), Is.EqualTo(JsonSerializer.Serialize(original, ResultsJson.Options)));
    }

    [Test]
    public void Exports_streamed_from_a_spool_are_byte_for_byte_those_of_the_run_in_memory()
    {
        var run = Reports.ApplyOverrides(ReportFixture.Run(), ReportFixture.Data("overrides.csv"));
        var options = new ReportOptions { RosterPath = ReportFixture.Data("roster.csv"), LmsCsv = true, Now = ReportFixture.BeforeDue };
        var inMemory = NewDir();
        var streamed = NewDir();
        var memoryNotes = Reports.Write(run, inMemory, options);

        var spool = new ResultSpool(NewDir());
        foreach (var s in run.Submissions.Reverse())
        {
            spool.Append(s); // finished in another order than the exports' id order
        }

        IReadOnlyList<string> streamedNotes;
        using (var spooled = new SpooledRun(run with { Submissions = [] }, spool))
        {
            streamedNotes = Reports.Write(spooled, streamed, options);
        }

        var files = Directory.GetFiles(inMemory, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(inMemory, f)).Order().ToList();
        Assert.That(files, Has.Count.GreaterThan(10));
        Assert.That(Directory.GetFiles(streamed, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(streamed, f)).Order(), Is.EqualTo(files));
        foreach (var file in files)
        {
            Assert.That(File.ReadAllBytes(Path.Combine(streamed, file)), Is.EqualTo(File.ReadAllBytes(Path.Combine(inMemory, file))), file);
        }

        Assert.That(streamedNotes, Is.EqualTo(memoryNotes));
    }

    [Test]
    public void Streamed_results_json_is_the_run_indented_with_one_compact_line_a_submission_even_for_awkward_text()
    {
        const string Awkward = "a\r\nb\rc\nd\fe\u0085f\u2028g\u2029h \ud800 \U0001F600 <script>&\"\\ \u0001 ü";
        var original = ReportFixture.Run();
        var run = original with
        {
            Warnings = [Awkward],
            Submissions = [.. original.Submissions.Select(s => s with
            {
                Message = Awkward,
                Output = Awkward,
                Sources = [new SourceFile("my-rng.c", Awkward)],
                Checks = [.. s.Checks.Select(c => c with { Feedback = Awkward, Trace = [new TraceEvent { Kind = "dmesg", Level = 6, Text = Awkward }] })],
            })],
        };
        var dir = NewDir();

        Reports.Write(run, dir, new ReportOptions { Formats = ["json"] });

        // The run's fields as serializing the run indents them; in "submissions", each submission's compact
        // serialization (the cache's and the spool's bytes) on a line of its own.
        var lines = run.Submissions.Select(s => "\n    " + JsonSerializer.Serialize(s, ResultsJson.Compact));
        var expected = JsonSerializer.Serialize(run with { Submissions = [] }, ResultsJson.Options).ReplaceLineEndings("\n")
            .Replace("\"submissions\": []", "\"submissions\": [" + string.Join(",", lines) + "\n  ]", StringComparison.Ordinal) + "\n";
        var written = File.ReadAllBytes(Path.Combine(dir, "results.json"));
        Assert.That(written, Is.EqualTo(ReportText.Utf8.GetBytes(expected)));

        // The same JSON as the whole run serialized at once, one line a submission.
        using var file = JsonDocument.Parse(written);
        using var whole = JsonDocument.Parse(JsonSerializer.Serialize(run, ResultsJson.Options));
        Assert.That(JsonElement.DeepEquals(file.RootElement, whole.RootElement), Is.True);
        Assert.That(ReportText.Utf8.GetString(written).Split('\n').Count(l => l.StartsWith("    {\"id\":", StringComparison.Ordinal)), Is.EqualTo(run.Submissions.Count));
    }

    [Test]
    public void Results_json_without_submissions_is_the_empty_run_serialized()
    {
        var run = ReportFixture.Run() with { Submissions = [] };
        var dir = NewDir();

        Reports.Write(run, dir, new ReportOptions { Formats = ["json"] });

        var whole = (JsonSerializer.Serialize(run, ResultsJson.Options) + "\n").ReplaceLineEndings("\n");
        Assert.That(File.ReadAllBytes(Path.Combine(dir, "results.json")), Is.EqualTo(ReportText.Utf8.GetBytes(whole)));
        Assert.That(Reports.ReadResults(Path.Combine(dir, "results.json")).Submissions, Is.Empty);
    }

    [Test]
    public void A_file_written_in_pieces_gets_the_line_endings_of_one_written_whole()
    {
        string[] pieces = ["a\r", "\nb\r\n", "c\rd\n\n", "e\ff\u0085g\u2028h\u2029", "\r", "", "\r", "\n", "end"];
        var path = Path.Combine(NewDir(), "sub", "pieces.txt");
        using (var writer = ReportText.CreateText(path))
        {
            foreach (var piece in pieces)
            {
                writer.Write(piece);
            }

            writer.Write('\r');
            writer.Write('\n');
        }

        var whole = string.Concat(pieces) + "\r\n";
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(ReportText.Utf8.GetBytes(whole.ReplaceLineEndings("\n"))));
    }

    [TestCase("{\"schema\": 2, \"submissions\": []}", "schema 2 is not supported")]
    [TestCase("{\"submissions\": []}", "no \"schema\"")]
    [TestCase("{\"schema\": 1, \"rubric\": ", "malformed results.json")]
    [TestCase("{\"schema\": 1}", "malformed results.json")]
    [TestCase("{\"schema\": 1, \"grader_version\": \"x\", \"rubric\": \"r\", \"rubric_sha256\": \"\", \"submissions\": null}", "must be lists")]
    public void Bad_results_files_are_operator_errors_naming_the_file(string json, string expected)
    {
        var path = WriteTemp("results.json", json);
        var e = Assert.Throws<InvalidDataException>(() => Reports.ReadResults(path));
        Assert.That(e!.Message, Does.StartWith(path).And.Contain(expected));
    }

    [Test]
    public void An_empty_run_still_renders_every_export()
    {
        var dir = NewDir();
        var run = ReportFixture.Run() with { Submissions = [] };
        Reports.Write(run, dir, new ReportOptions { LmsCsv = true, Now = ReportFixture.BeforeDue });
        Assert.That(File.ReadAllText(Path.Combine(dir, "index.html")), Does.Contain("0 of 0 shown").Or.Contain("0 submissions"));
        Assert.That(File.ReadAllText(Path.Combine(dir, "grades.csv")), Is.EqualTo("id,name,email,lms_id,score,max_score,outcome,overrides,late,submitted_at,late_penalty\n"));
        Assert.That(File.Exists(Path.Combine(dir, "junit.xml")), Is.True);
    }

    [Test]
    public void Gradescope_maps_status_and_visibility()
    {
        var path = Path.Combine(NewDir(), "out", "results.json");
        Reports.WriteGradescope(ReportFixture.Run().Submissions.Single(s => s.Id == "bob"), path);
        var tests = JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("tests").EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!.Split(':')[0], t => t);
        Assert.Multiple(() =>
        {
            Assert.That(tests["build"].GetProperty("status").GetString(), Is.EqualTo("passed"));
            Assert.That(tests["rand"].GetProperty("status").GetString(), Is.EqualTo("failed"));
            Assert.That(tests["rand"].GetProperty("score").GetDecimal(), Is.EqualTo(5m));
            Assert.That(tests["efault"].GetProperty("visibility").GetString(), Is.EqualTo("hidden"));
            Assert.That(tests["determinism"].GetProperty("visibility").GetString(), Is.EqualTo("after_due_date"));
            Assert.That(tests["build"].GetProperty("visibility").GetString(), Is.EqualTo("visible"));
        });
    }

    [Test]
    public void Junit_has_one_suite_per_submission_and_one_case_per_check()
    {
        var junit = XDocument.Load(Path.Combine(Render(), "junit.xml"));
        Assert.That(junit.Root!.Elements("testsuite").Select(s => (string?)s.Attribute("name")), Is.EqualTo(new[] { "alice", "bob", "carol", "dave" }));
        var bob = junit.Root.Elements("testsuite").Single(s => (string?)s.Attribute("name") == "bob");
        Assert.That(bob.Elements("testcase").Select(c => c.Elements().FirstOrDefault()?.Name.LocalName ?? "pass"),
            Is.EqualTo(new[] { "pass", "pass", "failure", "error", "failure", "skipped" }));
        Assert.That(bob.Element("testcase")!.Attribute("classname")!.Value, Is.EqualTo("bob"));
    }

    [Test]
    public void Only_the_requested_formats_are_written()
    {
        var dir = NewDir();
        Reports.Write(ReportFixture.Run(), dir, new ReportOptions { Formats = ["csv"], Now = ReportFixture.BeforeDue });
        Assert.That(Directory.GetFileSystemEntries(dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "grades.csv" }));
        Assert.Throws<ArgumentException>(() => Reports.Write(ReportFixture.Run(), dir, new ReportOptions { Formats = ["pdf"] }));
    }

    [Test]
    public void A_failing_export_stops_the_others_and_is_reported_as_itself()
    {
        // Exporters run on their own threads: a file where the pages' folder should be fails the HTML export,
        // which must surface as the IOException it is (the CLI reports those), not an AggregateException.
        var dir = NewDir();
        File.WriteAllText(Path.Combine(dir, "submissions"), "in the way");
        Assert.Throws(Is.InstanceOf<IOException>(), () => Reports.Write(ReportFixture.Run(), dir, new ReportOptions { Now = ReportFixture.BeforeDue }));
    }

    [TestCase("alice", "alice")]
    [TestCase("../../etc/passwd", "______etc_passwd-")]
    [TestCase("a b", "a_b-")]
    public void File_names_of_submission_ids_stay_inside_the_output_folder(string id, string prefix)
    {
        var name = ReportText.FileName(id);
        Assert.That(name, Does.StartWith(prefix));
        Assert.That(name, Does.Not.Contain("/").And.Not.Contain(".."));
    }

    [Test]
    public void A_misspelt_variable_fails_in_strict_mode()
    {
        var row = new RowView("bob", "b.html", "", "1", "2", "50", "graded", false, false, "", "", [new CellView("passed", "x", "1", "1", false, "")]);
        Assert.That(Templates.RenderSource("{{ id }}{% for c in cells %}{{ c.status }}{% endfor %}", row), Is.EqualTo("bobpassed"));
        var top = Assert.Catch(() => Templates.RenderSource("{{ idd }}", row));
        Assert.That(top!.Message, Does.Contain("idd"));
        Assert.Catch(() => Templates.RenderSource("{% for c in cells %}{{ c.statuss }}{% endfor %}", row), "a misspelt member");
    }

    [Test]
    public void Trace_events_read_as_a_timeline()
    {
        Assert.Multiple(() =>
        {
            Assert.That(TraceText.Command(0x80047101), Is.EqualTo("RAND 0x80047101 = _IOR('q',1,size 4)"));
            Assert.That(TraceText.Command(0x40047101), Is.EqualTo("SEED 0x40047101 = _IOW('q',1,size 4)"));
            Assert.That(TraceText.Describe(new TraceEvent { Kind = "return", Op = "ioctl", Ret = -25 }), Is.EqualTo("return -25 (-ENOTTY)"));
            Assert.That(
                TraceText.Describe(new TraceEvent { Kind = "mmio", Dir = "write", Offset = 4, Size = 4, Value = 42, Api = "iowrite32" }),
                Is.EqualTo("iowrite32 0x2a -> +0x4"));
        });
    }

    private string Render(DateTimeOffset? now = null)
    {
        var (dir, _) = ReportFixture.RenderAll(now);
        _dirs.Add(dir);
        return dir;
    }

    private string NewDir()
    {
        var dir = ReportFixture.TempDir();
        _dirs.Add(dir);
        return dir;
    }

    private string WriteTemp(string name, string text)
    {
        var path = Path.Combine(NewDir(), name);
        File.WriteAllText(path, text);
        return path;
    }
}
