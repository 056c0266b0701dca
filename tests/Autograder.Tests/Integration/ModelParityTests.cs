using System.Text.Json;
using Autograder.Model;
using Autograder.Tests.Cli;

namespace Autograder.Tests.Integration;

/// <summary>
/// The kernel model's rules hold in both languages: each defect class is planted in the C and in the C#
/// reference driver (the same statements, each language's spelling), both are graded through the real CLI,
/// and every check must get the same status and points in both, and the status this class deserves.
/// <para>The rules, and where each is kept:</para>
/// <list type="bullet">
/// <item>A mutex or spinlock taken again by the task holding it (lock, _interruptible, _irqsave, _bh) is the
/// kernel's deadlock: an oops. Kept twice, in model.c and in Kernel.Sync.cs, with the same words.</item>
/// <item>Unlocking a lock that is not held, trylock on a held lock: accepted silently in both (Linux warns only
/// with lock debugging). There is one task, so "unlocked by another task" cannot happen; sleeping in atomic
/// context is modelled in neither.</item>
/// <item>A NULL lock: the submission's fatal error in both (a fault in C, a NullReferenceException in C#).</item>
/// <item>iounmap twice, unregistering a major that is not registered, copy sizes, MMIO outside a mapping:
/// SimKernel's, reached by both languages through the same wire, so they agree by construction; planted here
/// too, so a language that bypassed SimKernel would show.</item>
/// <item>A direct dereference of an ioremap'd or user pointer: an oops in both (the examples direct-io-deref
/// and, C only since C# user pointers are numbers, direct-user-deref).</item>
/// </list>
/// </summary>
[TestFixture]
[NonParallelizable]
public class ModelParityTests
{
    private static readonly string[] Checks =
        ["build", "load", "dmesg", "ioctl-encoding", "rand", "seed", "determinism", "efault", "enotty", "user-memory", "unload", "error-paths"];

    /// <summary>A defect: where it goes (rand = the RAND case, exit = the start of module_exit), its C and its
    /// C# statements, and the statuses it deserves (P passed, F failed, E the kernel oopsed).</summary>
    private sealed record Defect(string Name, string Where, string C, string CSharp, string Expected);

    private static readonly Defect[] Defects =
    [
        new("lock-unlock", "rand", "mutex_lock(&ag_lock); mutex_unlock(&ag_lock);", "mutex_lock(ag_lock); mutex_unlock(ag_lock);", "PPPPPPPPPPPP"),
        new("mutex-twice", "rand", "mutex_lock(&ag_lock); mutex_lock(&ag_lock);", "mutex_lock(ag_lock); mutex_lock(ag_lock);", "PPPEEPEEPEPP"),
        new("mutex-interruptible-twice", "rand",
            "if (mutex_lock_interruptible(&ag_lock)) return -EINTR; if (mutex_lock_interruptible(&ag_lock)) return -EINTR;",
            "if (mutex_lock_interruptible(ag_lock) != 0) return -EINTR; if (mutex_lock_interruptible(ag_lock) != 0) return -EINTR;",
            "PPPEEPEEPEPP"),
        new("mutex-not-released", "rand", "mutex_lock(&ag_lock);", "mutex_lock(ag_lock);", "PPPPEPEEPPPP"),
        new("spinlock-twice", "rand", "spin_lock(&ag_spin); spin_lock(&ag_spin);", "spin_lock(ag_spin); spin_lock(ag_spin);", "PPPEEPEEPEPP"),
        new("irqsave-twice", "rand",
            "unsigned long ag_flags; spin_lock_irqsave(&ag_spin, ag_flags); spin_lock_irqsave(&ag_spin, ag_flags);",
            "spin_lock_irqsave(ag_spin, out ulong ag_flags); spin_lock_irqsave(ag_spin, out ag_flags);",
            "PPPEEPEEPEPP"),
        new("bh-twice", "rand", "spin_lock_bh(&ag_spin); spin_lock_bh(&ag_spin);", "spin_lock_bh(ag_spin); spin_lock_bh(ag_spin);", "PPPEEPEEPEPP"),
        new("trylock-held", "rand",
            "mutex_lock(&ag_lock); if (mutex_trylock(&ag_lock)) return -EINVAL; mutex_unlock(&ag_lock);",
            "mutex_lock(ag_lock); if (mutex_trylock(ag_lock) != 0) return -EINVAL; mutex_unlock(ag_lock);",
            "PPPPPPPPPPPP"),
        new("unlock-unheld", "rand", "mutex_unlock(&ag_lock); spin_unlock(&ag_spin);", "mutex_unlock(ag_lock); spin_unlock(ag_spin);", "PPPPPPPPPPPP"),
        new("null-lock", "rand", "mutex_lock((struct mutex *)0);", "mutex_lock(null!);", "PPPEEPEEPEPP"),
        new("iounmap-twice", "exit", "iounmap(devmem);", "iounmap(devmem);", "PPPPPPPPPPPP"),
        new("unregister-twice", "exit", "unregister_chrdev(250, \"my_rng_driver\");", "unregister_chrdev(250, \"my_rng_driver\");", "PPPPPPPPPPPP"),
    ];

    private Dictionary<string, SubmissionResult> _results = [];
    private CliHarness.Outcome _run = null!;

    [OneTimeSetUp]
    public void GradeEveryDefectInBothLanguages()
    {
        var root = Directory.CreateTempSubdirectory("ag-parity-");
        var c = File.ReadAllText(Path.Combine(TestPaths.Examples, "c", "reference", "my-rng.c"));
        var cs = File.ReadAllText(Path.Combine(TestPaths.Examples, "csharp", "reference", "MyRng.cs"));
        foreach (var d in Defects)
        {
            Write(Path.Combine(root.FullName, "c", d.Name, "my-rng.c"), Plant(c, d.Where, d.C,
                globalsAfter: "void __iomem *devmem = 0x0;",
                globals: "#include <linux/mutex.h>\n#include <linux/spinlock.h>\nstatic DEFINE_MUTEX(ag_lock);\nstatic DEFINE_SPINLOCK(ag_spin);",
                exitAnchor: "\tunregister_chrdev(250, \"my_rng_driver\");"));
            Write(Path.Combine(root.FullName, "csharp", d.Name, "MyRng.cs"), Plant(cs, d.Where, d.CSharp,
                globalsAfter: "static IoMem? devmem;",
                globals: "static readonly mutex ag_lock = new();\n    static readonly spinlock_t ag_spin = new();",
                exitAnchor: "        unregister_chrdev(MY_RNG_MAJOR, MY_RNG_NAME);"));
        }

        var output = Path.Combine(root.FullName, "out");
        _run = CliHarness.Run("grade", root.FullName, "--out", output, "--format", "json", "--seed", "7", "--no-cache");
        var run = JsonSerializer.Deserialize<GradingRun>(File.ReadAllText(Path.Combine(output, "results.json")), ResultsJson.Options)!;
        _results = run.Submissions.ToDictionary(s => s.Id);
    }

    public static IEnumerable<TestCaseData> Cases() => Defects.Select(d => new TestCaseData(d.Name, d.Expected).SetName($"parity/{d.Name}"));

    [TestCaseSource(nameof(Cases))]
    public void C_and_CSharp_get_the_same_verdicts(string name, string expected)
    {
        Assert.That(_run.ExitCode, Is.EqualTo(0), _run.Error);
        var c = _results[$"c-{name}"];
        var cs = _results[$"csharp-{name}"];
        Assert.Multiple(() =>
        {
            Assert.That(Letters(c), Is.EqualTo(expected), "C: " + Explain(c));
            Assert.That(Letters(cs), Is.EqualTo(expected), "C#: " + Explain(cs));
            Assert.That(cs.Checks.Select(r => (r.Id, r.Status, r.Points)), Is.EqualTo(c.Checks.Select(r => (r.Id, r.Status, r.Points))));
        });
    }

    [Test]
    public void A_lock_taken_twice_says_the_kernel_would_deadlock_in_both_languages()
    {
        foreach (var id in new[] { "c-mutex-twice", "csharp-mutex-twice", "c-spinlock-twice", "csharp-spinlock-twice" })
        {
            var rand = _results[id].Checks.Single(r => r.Id == "rand");
            Assert.That(rand.Feedback, Does.Contain("the kernel would deadlock here"), id);
        }
    }

    private static string Plant(string source, string where, string statement, string globalsAfter, string globals, string exitAnchor)
    {
        const string randAnchor = "/* Application requests a new random number */";
        Assert.That(source, Does.Contain(randAnchor).And.Contain(globalsAfter).And.Contain(exitAnchor));
        source = source.Replace(globalsAfter, globalsAfter + "\n" + globals, StringComparison.Ordinal);
        return where == "rand"
            ? source.Replace(randAnchor, randAnchor + " " + statement, StringComparison.Ordinal)
            : source.Replace(exitAnchor, exitAnchor[..(exitAnchor.Length - exitAnchor.TrimStart().Length)] + statement + "\n" + exitAnchor, StringComparison.Ordinal);
    }

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static string Letters(SubmissionResult r) => string.Concat(Checks.Select(id => r.Checks.Single(c => c.Id == id).Status switch
    {
        CheckStatuses.Passed => 'P',
        CheckStatuses.Failed => 'F',
        CheckStatuses.Error => 'E',
        _ => 'S',
    }));

    private static string Explain(SubmissionResult r) =>
        string.Join("\n", r.Checks.Where(c => c.Status != CheckStatuses.Passed).Select(c => $"{c.Id}: {c.Status}: {c.Feedback}"));
}
