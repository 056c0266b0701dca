using System.Text.Json;
using Autograder.Model;
using Autograder.Tests.Cli;

namespace Autograder.Tests.Integration;

/// <summary>
/// Grades every sample submission of examples/c and examples/csharp through the real CLI (real workers,
/// real C hosts, the default rubric) and asserts each check's status, not only the totals.
/// </summary>
[TestFixture]
[NonParallelizable]
public class ExamplesTests
{
    // Check order of the default rubric.
    private static readonly string[] Checks =
        ["build", "load", "dmesg", "ioctl-encoding", "rand", "seed", "determinism", "efault", "enotty", "user-memory", "unload", "error-paths"];

    // P passed, F failed (the submission's fault), E error (the submission crashed or oopsed), S skipped.
    // One row per defect; the C and the C# example of a defect must agree (same folder name).
    private static readonly Dictionary<string, string> Expected = new()
    {
        ["reference"] = "PPPPPPPPPPPP",
        ["alt-correct"] = "PPPPPPPPPPPP",
        ["compile-error"] = "FSSSSSSSSSSS",
        ["copy-8-bytes"] = "PPPPPPPPPFPP",
        ["decimal-in-hex"] = "PPFPPPPPPPPP",
        ["direct-io-deref"] = "PPPEEPEEPEPP",
        ["einval-unknown"] = "PPPPPPPPFPPP",
        ["empty-cases"] = "PFFFFFFFFFFF",
        ["ignores-copy-result"] = "PPPPPPPFPPPP",
        ["init-returns-minus-one"] = "PPPPPPPPPPPF",
        ["missing-unregister"] = "PPPPPPPPPPFP",
        ["no-loaded-message"] = "PPFPPPPPPPPP",
        ["renamed-device"] = "PFFPPPPPPPPP",
        ["seed-offset-0"] = "PPPPPFFPPPPP",
        ["swapped-directions"] = "PPFFFFFFPFPP",
        ["wrong-base"] = "PFPPFFFPPPPP",
        ["wrong-size-macro"] = "PPFFFFFFFFPP",
        ["dynamic-major"] = "PFPPPPPPPPPP",
        ["ioremap-placeholder"] = "PFFSSSSSSSSF", // error-paths is gated: no ioctl could run to show any work
        // C only
        ["direct-user-deref"] = "PPPEEPEEPEPP",
        ["libc-call"] = "FSSSSSSSSSSS",
        ["patch"] = "PPPPPPPPPPPP",
        ["pci-driver"] = "PPPPPPPPPPPP",
        ["pci-get-device"] = "PPPPPPPPPPPP",
        ["student-style"] = "PPPPPPPPPPPP",
        ["extensions"] = "PPPPPPPPPPPP",
        ["cdev-class"] = "PPPPPPPPPPPP",
        ["cdev-missing-region-unregister"] = "PPPPPPPPPPFP",
        ["misc"] = "PFPPPPPPPPPP",
        ["pci-resource-member"] = "PPPPPPPPPPPP",
        ["class-create-old"] = "FSSSSSSSSSSS",
        // C# only
        ["pci-probe"] = "PPPPPPPPPPPP",
        // C# only: entry points the worker cannot load fail the build; traps that compile get a warning
        ["no-module-init"] = "FSSSSSSSSSSS",
        ["init-returns-long"] = "FSSSSSSSSSSS",
        ["exit-returns-int"] = "FSSSSSSSSSSS",
        ["copy-lt-zero"] = "PPPPPPPFPPPP",
        ["shadowed-devmem"] = "PPPEEEEEPEFP",
        ["printk-comma"] = "PPFPPPPPPPPP",
        ["format-placeholder"] = "PPFPPPPPPPPP",
        ["static-init-order"] = "PPFPPPPPPPPP",
        // The handout alone earns only build; one defect is charged once; error-paths takes the driver's major.
        ["skeleton"] = "PFFFFFFFFFFF",
        ["major-251-leak"] = "PFPPPPPPPPPF",
        ["double-lock"] = "PPPEEPEEPEPP",
        ["pr-debug"] = "PPFPPPPPPPPP",
        ["wrong-base-seed-offset-0"] = "PFPPFFFPPPPP",
    };

    private string _out = "";
    private CliHarness.Outcome _run = null!;
    private Dictionary<string, SubmissionResult> _results = [];

    [OneTimeSetUp]
    public void GradeAllExamples()
    {
        var root = Directory.CreateTempSubdirectory("ag-examples-");
        foreach (var language in new[] { "c", "csharp" })
        {
            CopyDirectory(Path.Combine(TestPaths.Examples, language), Path.Combine(root.FullName, language));
        }

        _out = Path.Combine(root.FullName, "out");
        // --traces all: the reference's passed checks' traces are looked at (by default they keep a summary line).
        _run = CliHarness.Run("grade", root.FullName, "--out", _out, "--format", "json,csv,junit,html", "--seed", "7", "--traces", "all");
        var run = JsonSerializer.Deserialize<GradingRun>(File.ReadAllText(Path.Combine(_out, "results.json")), ResultsJson.Options)!;
        _results = run.Submissions.ToDictionary(s => s.Id);
    }

    public static IEnumerable<TestCaseData> Submissions()
    {
        foreach (var language in new[] { "c", "csharp" })
        {
            foreach (var dir in Directory.GetDirectories(Path.Combine(TestPaths.Examples, language)).Order(StringComparer.Ordinal))
            {
                yield return new TestCaseData($"{language}-{Path.GetFileName(dir)}", Path.GetFileName(dir)).SetName($"{language}/{Path.GetFileName(dir)}");
            }
        }
    }

    [Test]
    public void The_batch_finishes_with_exit_0_and_every_example_graded()
    {
        Assert.That(_run.ExitCode, Is.EqualTo(0), _run.Error);
        Assert.That(_results.Values.Where(r => r.GraderFault).Select(r => r.Id), Is.Empty, "no grader faults");
        Assert.That(_results.Values.Where(r => r.ModelGap is not null).Select(r => r.Id), Is.Empty, "our kernel model has what every example needs");
        Assert.That(File.ReadAllText(Path.Combine(_out, "index.html")), Does.Not.Contain("id=\"model-gaps\""), "no kernel model gaps section");
        Assert.That(File.Exists(Path.Combine(_out, "junit.xml")) && File.Exists(Path.Combine(_out, "grades.csv")), Is.True);
    }

    [TestCaseSource(nameof(Submissions))]
    public void Each_check_gets_the_expected_status(string id, string defect)
    {
        Assert.That(Expected.TryGetValue(defect, out var expected), Is.True, $"add '{defect}' to the table");
        var result = _results[id];
        var actual = string.Concat(Checks.Select(c => Letter(result.Checks.Single(r => r.Id == c))));
        Assert.That(actual, Is.EqualTo(expected), Explain(result));
        Assert.That(result.Checks.Where(c => c.Status is CheckStatuses.Failed or CheckStatuses.Error).Select(c => c.Fault), Has.All.EqualTo(Faults.Submission));
        Assert.That(result.Checks.Where(c => c.Status != CheckStatuses.Passed).Select(c => c.Feedback), Has.All.Not.Empty, "every check that did not pass says why");
    }

    [Test]
    public void Correct_drivers_get_full_marks_and_defects_lose_points()
    {
        foreach (var (id, result) in _results)
        {
            var full = Expected[Defect(id)].All(c => c == 'P');
            Assert.That(result.Score == result.MaxScore, Is.EqualTo(full), $"{id}: {result.Score}/{result.MaxScore}");
            Assert.That(result.MaxScore, Is.EqualTo(100m), id);
        }
    }

    [Test]
    public void The_same_defect_in_C_and_in_CSharp_gets_the_same_statuses_and_score()
    {
        var pairs = _results.Keys.Where(k => k.StartsWith("c-", StringComparison.Ordinal) && _results.ContainsKey("csharp-" + k[2..])).ToList();
        Assert.That(pairs, Has.Count.GreaterThanOrEqualTo(15));
        foreach (var c in pairs)
        {
            var cs = _results["csharp-" + c[2..]];
            Assert.That(cs.Checks.Select(r => (r.Id, r.Status, r.Points)), Is.EqualTo(_results[c].Checks.Select(r => (r.Id, r.Status, r.Points))), c);
        }
    }

    [Test]
    public void A_dynamic_major_costs_only_the_major_case()
    {
        foreach (var id in new[] { "c-dynamic-major", "csharp-dynamic-major" })
        {
            var load = _results[id].Checks.Single(c => c.Id == "load");
            Assert.That((load.Points, load.CasesPassed, load.CasesTotal), Is.EqualTo((8m, 4, 5)), id);
            Assert.That(_results[id].Score, Is.EqualTo(98m), id);
        }
    }

    [Test]
    public void A_driver_that_never_touches_the_device_or_user_memory_gets_nothing_for_rand_seed_determinism()
    {
        foreach (var id in new[] { "c-empty-cases", "csharp-empty-cases" })
        {
            var checks = _results[id].Checks.ToDictionary(c => c.Id);
            Assert.That(new[] { "rand", "seed", "determinism" }.Select(c => checks[c].Points), Is.All.EqualTo(0m), id);
        }
    }

    [Test]
    public void Feedback_names_the_mistake()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Feedback("c-seed-offset-0", "seed"), Does.Contain("offset 0").And.Contain("offset 4"));
            Assert.That(Feedback("c-einval-unknown", "enotty"), Does.Contain("-EINVAL"));
            Assert.That(Feedback("c-decimal-in-hex", "dmesg"), Does.Contain("decimal"));
            Assert.That(Feedback("c-wrong-size-macro", "ioctl-encoding"), Does.Contain("0x80087101").And.Contain("size 8"));
            Assert.That(Feedback("c-swapped-directions", "ioctl-encoding"), Does.Contain("swapped"));
            Assert.That(Feedback("c-copy-8-bytes", "user-memory"), Does.Contain("8 bytes"));
            Assert.That(Feedback("c-wrong-base", "load"), Does.Contain("0xfebf1000"));
            Assert.That(Feedback("c-direct-user-deref", "rand"), Does.Contain("without copy_*_user"));
            Assert.That(Feedback("csharp-direct-io-deref", "rand"), Does.Contain("ioread32"));
            Assert.That(Feedback("c-init-returns-minus-one", "error-paths"), Does.Contain("iounmap"));
            Assert.That(Feedback("c-missing-unregister", "unload"), Does.Contain("major 250"));
            Assert.That(Feedback("csharp-compile-error", "build"), Does.Match(@"MyRng\.cs:\d+:\d+: error"));
            Assert.That(Feedback("c-libc-call", "build"), Does.Contain("printf is not a kernel function"));
            Assert.That(Feedback("c-class-create-old", "build"), Does.Contain("class_create takes one argument since Linux 6.4: class_create(\"name\")"));
            Assert.That(Feedback("c-ioremap-placeholder", "load"), Does.Contain("ioremap(0xff, 4096) returned NULL").And.Contain("RAM").And.Contain("0xfebf1000"));
            Assert.That(Feedback("csharp-ioremap-placeholder", "load"), Does.Contain("ioremap(0xff, 4096) returned NULL"));
        });
    }

    [Test]
    public void Traces_show_the_ioctl_the_mmio_the_user_copy_and_the_return()
    {
        var rand = _results["c-reference"].Checks.Single(c => c.Id == "rand");
        var kinds = rand.Trace.Select(e => e.Kind).ToList();
        var call = kinds.IndexOf("call");
        var ioctl = rand.Trace.Select((e, i) => (e, i)).First(x => x.e is { Kind: "call", Op: "ioctl" }).i;
        Assert.That(kinds.Skip(ioctl).Take(4), Is.EqualTo(new[] { "call", "mmio", "user", "return" }));
        Assert.That(rand.Trace[ioctl + 1].Api, Is.EqualTo("ioread32"));
        Assert.That(rand.Trace[ioctl + 2].Api, Is.EqualTo("copy_to_user"));
        Assert.That(call, Is.GreaterThanOrEqualTo(0));
    }

    [TestCase("no-module-init", "error: no function is marked [module_init]")]
    [TestCase("init-returns-long", "error: the [module_init] function must be declared `static int my_rng_driver_init()`: it returns long")]
    [TestCase("exit-returns-int", "error: the [module_exit] function must be declared `static void my_rng_driver_exit()`: it returns int")]
    [TestCase("copy-lt-zero", "warning: `copy_to_user(arg, value) < 0` is never true")]
    [TestCase("shadowed-devmem", "warning: this local variable `devmem` hides the static field MyRng.devmem")]
    [TestCase("direct-io-deref", "warning: `devmem![RNG_REG / 4]` dereferences the device mapping directly")]
    [TestCase("printk-comma", "warning: printk(KERN_INFO, \"...\") makes KERN_INFO the whole format")]
    [TestCase("format-placeholder", "warning: printk formats like C's printf")]
    [TestCase("static-init-order", "warning: MY_RNG_IOCTL_RAND is read here before it is initialised")]
    public void CSharp_driver_rules_show_in_the_build_feedback_with_file_and_line(string example, string finding)
    {
        var build = _results["csharp-" + example].Checks.Single(c => c.Id == "build");
        Assert.That(build.Feedback, Does.Match(@"MyRng\.cs:\d+:\d+: " + System.Text.RegularExpressions.Regex.Escape(finding)));
        Assert.That(build.Fault, Is.EqualTo(build.Status == CheckStatuses.Passed ? null : Faults.Submission));
    }

    [Test]
    public void Feedback_names_what_happened_not_a_guess()
    {
        Assert.Multiple(() =>
        {
            foreach (var language in new[] { "c", "csharp" })
            {
                Assert.That(Feedback($"{language}-wrong-base", "rand"), Does.Contain("mapped 0xfebd1000, where no device answers").And.Contain("lspci -v").And.Contain("mapping+0x0"));
                Assert.That(Feedback($"{language}-wrong-base", "seed"), Does.Contain("mapping+0x4"));
                Assert.That(_results[$"{language}-wrong-base"].Checks.Single(c => c.Id == "seed").Trace.Where(e => e.Kind == "mmio").Select(e => e.Text), Has.Some.Contains("mapping+0x4"));
                Assert.That(Feedback($"{language}-skeleton", "load"), Does.StartWith("Counts once your driver implements RAND or SEED"));
                Assert.That(_results[$"{language}-skeleton"].Score, Is.EqualTo(5m));
                Assert.That(Feedback($"{language}-major-251-leak", "error-paths"), Does.Contain("major 251 taken").And.Contain("iounmap").And.Not.Contain("-ENOMEM says"));
                Assert.That(Feedback($"{language}-init-returns-minus-one", "error-paths"), Does.Not.Contain("-ENOMEM says what happened"));
                Assert.That(Feedback($"{language}-double-lock", "rand"), Does.Contain("the kernel would deadlock here"));
                Assert.That(Feedback($"{language}-pr-debug", "dmesg"), Does.Contain("pr_debug"));
                Assert.That(Feedback($"{language}-wrong-base-seed-offset-0", "seed"), Does.Contain("mapping+0x0").And.Contain("where no device answers")
                    .And.Contain("seed is written at mapping+0"), "the second bug shows in the same run");
            }

            Assert.That(Feedback("csharp-printk-comma", "dmesg"), Does.Contain("empty record").And.Contain("printk(KERN_INFO + "));
            Assert.That(Feedback("csharp-format-placeholder", "dmesg"), Does.Contain("'{0:x}' literally").And.Contain("0x%x"));
            Assert.That(Feedback("csharp-static-init-order", "dmesg"), Does.Contain("0x0 for both numbers").And.Contain("initialises static fields in order"));
            Assert.That(Feedback("c-seed-offset-0", "ioctl-encoding"), Does.StartWith("All 2 cases passed"), "a wrong register is charged by seed and determinism only");
        });
    }

    private string Feedback(string id, string check) => _results[id].Checks.Single(c => c.Id == check).Feedback;

    private static string Defect(string id) => id.StartsWith("csharp-", StringComparison.Ordinal) ? id["csharp-".Length..] : id["c-".Length..];

    private static char Letter(CheckResult r) => r.Status switch
    {
        CheckStatuses.Passed => 'P',
        CheckStatuses.Failed => 'F',
        CheckStatuses.Error => 'E',
        _ => 'S',
    };

    private static string Explain(SubmissionResult r) =>
        string.Join("\n", r.Checks.Where(c => c.Status != CheckStatuses.Passed).Select(c => $"{c.Id}: {c.Status}: {c.Feedback}"));

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
