using Autograder.Compile;
using Autograder.Tests.Integration;
using Autograder.Tests.Native;

namespace Autograder.Tests.Compile;

/// <summary>
/// Issue 14, classes 1 and 2: every tool that reads a C submission runs in the compile box, which shows it
/// the toolchain and a private copy of the sources, as uid 65534 when the grader is root, under limits. The
/// attacks are examples/hostile/c/compile-*; the source regex (<see cref="CCompiler.GuardSource"/>) lets
/// them all through, so what stops them here is the box.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class CompileBoxTests
{
    private CompileCanary _canary = null!;
    private string _dir = "";
    private Dictionary<string, string> _targetsBefore = [];

    private static string Reference => NativeTestSupport.Example("c/reference").Text;

    [OneTimeSetUp]
    public void MakeCanary() => _canary = new CompileCanary();

    [OneTimeTearDown]
    public void DropCanary() => _canary.Dispose();

    [SetUp]
    public void NeedTheBox()
    {
        NativeTestSupport.RequireGcc();
        _dir = CompileBox.CreateBoxDir(Path.Combine(Path.GetTempPath(), "autograder-boxtest-" + Guid.NewGuid().ToString("N")));
        _targetsBefore = HostileTestSupport.TargetsState();
    }

    [TearDown]
    public void NothingOutside()
    {
        HostileTestSupport.DeleteTree(_dir);
        Assert.That(HostileTestSupport.TargetsState(), Is.EqualTo(_targetsBefore), "a file appeared outside the box");
    }

    [Test]
    public void The_box_sees_the_toolchain_and_its_own_folder_only()
    {
        var root = CompileBox.Run(["/usr/bin/ls", "-A", "/"], _dir, BoxLimits.Default);
        Assert.That(root.ExitCode, Is.Zero, root.Stderr);
        Assert.That(root.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            Is.SubsetOf(new[] { "usr", "lib", "lib64", "bin", "sbin", "etc", "dev", "tmp", "box" }));
        var etc = CompileBox.Run(["/usr/bin/ls", "-A", "/etc"], _dir, BoxLimits.Default);
        Assert.That(etc.Stdout.Trim(), Is.EqualTo("alternatives"), "only the tools' symlinks of /etc");
        var canary = CompileBox.Run(["/usr/bin/cat", _canary.FilePath], _dir, BoxLimits.Default);
        Assert.That(canary.ExitCode, Is.Not.Zero);
        Assert.That(canary.Stdout + canary.Stderr, Does.Not.Contain(_canary.Secret));
    }

    [Test]
    public void The_box_runs_as_nobody_when_the_grader_is_root()
    {
        Assume.That(HostileTestSupport.IsRoot, "as another user the box keeps that user");
        var id = CompileBox.Run(["/usr/bin/id", "-u"], _dir, BoxLimits.Default);
        Assert.That(id.Stdout.Trim(), Is.EqualTo("65534"), id.Stderr);
        var touch = CompileBox.Run(["/usr/bin/touch", "/box/made-inside"], _dir, BoxLimits.Default);
        Assert.That(touch.ExitCode, Is.Zero, touch.Stderr);
        var owner = NativeProcess.Run("/usr/bin/stat", ["-c", "%u", Path.Combine(_dir, "made-inside")]);
        Assert.That(owner.Stdout.Trim(), Is.EqualTo("65534"), "really uid 65534 outside too");
    }

    [Test]
    public void Writes_outside_the_box_folder_land_nowhere()
    {
        // /tmp is the box's own tmpfs; /usr is read-only; the environment is the box's, not the grader's.
        var run = CompileBox.Run(["/usr/bin/sh", "-c", "touch /tmp/pwned; touch /usr/pwned; env"], _dir, BoxLimits.Default);
        Assert.That(run.Stderr, Does.Contain("/usr/pwned"));
        Assert.That(File.Exists("/usr/pwned"), Is.False);
        Assert.That(run.Stdout, Does.Not.Contain("DOTNET").And.Not.Contain("NUNIT"), "the grader's environment stays outside");
    }

    [Test]
    public void Output_beyond_the_cap_is_read_and_dropped()
    {
        var run = CompileBox.Run(["/usr/bin/head", "-c", "5000000", "/dev/zero"], _dir, BoxLimits.Default with { OutputBytes = 1 << 20 });
        Assert.That(run.ExitCode, Is.Zero, "the tool was drained, not blocked");
        Assert.That(run.Stdout.Length, Is.EqualTo(1 << 20));
        Assert.That(run.Truncated, Is.True);
    }

    [Test]
    public void The_wall_clock_kills_the_whole_box()
    {
        const string Marker = "31.41592";
        var limits = BoxLimits.Default with { Wall = TimeSpan.FromSeconds(1) };
        var run = CompileBox.Run(["/usr/bin/sh", "-c", $"/usr/bin/sleep {Marker}; true"], _dir, limits);
        Assert.That(run.TimedOut, Is.True);
        Assert.That(CompileBox.LimitHit(run, limits), Is.EqualTo("the compiler did not finish within 1 s"));
        Assert.That(HostileTestSupport.WaitUntil(() => HostileTestSupport.ProcessesMatching(c => c.Contains(Marker, StringComparison.Ordinal)).Count == 0, TimeSpan.FromSeconds(5)),
            Is.True, "a process of the box outlived it");
    }

    [Test]
    public void The_cpu_limit_stops_a_tool_and_says_so()
    {
        var limits = BoxLimits.Default with { Cpu = TimeSpan.FromSeconds(1) };
        var run = CompileBox.Run(["/usr/bin/sh", "-c", "while :; do :; done"], _dir, limits);
        Assert.That(run.TimedOut, Is.False);
        Assert.That(CompileBox.LimitHit(run, limits), Is.EqualTo("the compiler exceeded its limit of 1 s CPU time"));
    }

    // A correct driver keeps building whatever it is called: gcc gets ./<name>, never an option or an @file.
    [TestCase("-2-3.c")]
    [TestCase("@opts.c")]
    [TestCase("--help.c")]
    [TestCase("-wrapper.c")]
    public void A_correct_driver_named_like_an_option_builds(string name)
    {
        var build = NativeTestSupport.Compiler.Compile("named", [(name, Reference)]);
        Assert.That(build.Success, Is.True, string.Join("\n", build.Diagnostics.Select(d => d.Message)));
        CCompiler.Delete(build);
    }

    [Test]
    public void A_diagnostic_names_the_students_file()
    {
        var build = NativeTestSupport.Compiler.Compile("named", [("@o.c", Reference + "\nstatic int broken(void) { return }\n")]);
        Assert.That(build.Success, Is.False);
        var error = build.Diagnostics.First(d => d.Severity == "error");
        Assert.That(error.File, Is.EqualTo("@o.c"));
        Assert.That(error.Line, Is.GreaterThan(70));
        Assert.That(build.Diagnostics.Select(d => d.Message), Has.None.Contain("/box"));
        CCompiler.Delete(build);
    }

    [Test]
    public void A_warning_that_names_a_limit_stays_a_warning()
    {
        var build = NativeTestSupport.Compiler.Compile("warns", [("my-rng.c", Reference + "\n#warning out of memory: CPU time limit exceeded\n")]);
        Assert.That(build.Success, Is.True, string.Join("\n", build.Diagnostics.Select(d => d.Message)));
        CCompiler.Delete(build);
    }

    [Test]
    public void An_at_file_never_supplies_options()
    {
        var sources = Sources("compile-at-opts");
        var build = NativeTestSupport.Compiler.Compile("at-opts", sources);
        // opts.c is not C: its own build error, nothing more.
        Assert.That(build.Success, Is.False);
        Assert.That(build.GraderGap, Is.Null);
        Assert.That(build.Diagnostics.Where(d => d.Severity == "error").Select(d => d.File), Has.All.EqualTo("opts.c"));
        AssertNothingLeaked(build);
        Assert.That(build.Diagnostics.Select(d => d.Message), Has.None.Contain("uid="), "the wrapper's shell ran");
    }

    // Each slips past the source regex, and each read the canary when gcc ran as the grader (issue 14).
    [TestCase("compile-incbin-split")]
    [TestCase("compile-incbin-escape")]
    [TestCase("compile-include-cr")]
    [TestCase("compile-include-splice")]
    public void Host_files_are_out_of_reach(string example)
    {
        var sources = Sources(example);
        Assert.That(CCompiler.GuardSource("my-rng.c", sources[0].Text), Is.Empty, "the regex is not what stops this attack");
        var build = NativeTestSupport.Compiler.Compile(example, sources);
        Assert.That(build.Success, Is.False, "the file does not exist in the box");
        Assert.That(build.GraderGap, Is.Null);
        Assert.That(build.Diagnostics.Where(d => d.Severity == "error"), Is.Not.Empty);
        AssertNothingLeaked(build);
    }

    [TestCase("compile-memory", "the build was stopped: the compiler exceeded its limit of 1 GiB of memory")]
    [TestCase("compile-file-size", "the build was stopped: the compiler exceeded its limit of 64 MiB per file")]
    public void A_limit_stops_the_build_as_the_students_failure(string example, string message)
    {
        var build = NativeTestSupport.Compiler.Compile(example, Sources(example));
        Assert.That(build.Success, Is.False);
        Assert.That(build.GraderGap, Is.Null);
        Assert.That(build.Diagnostics.Select(d => d.Message), Has.Some.EqualTo(message));
        CCompiler.Delete(build);
    }

    [Test]
    public void A_unit_that_keeps_the_compiler_busy_is_stopped_by_the_cpu_limit()
    {
        // 2^40 nested self-includes: no memory to speak of, endless CPU. A 1 s limit only to keep the test cheap.
        const string Loop = "#if __INCLUDE_LEVEL__ < 40\n#include \"my-rng.c\"\n#include \"my-rng.c\"\n#endif\n";
        using var compiler = new CCompiler(limits: BoxLimits.Default with { Cpu = TimeSpan.FromSeconds(1) });
        var build = compiler.Compile("cpu", [("my-rng.c", Loop + "#if __INCLUDE_LEVEL__ == 0\n" + Reference + "#endif\n")]);
        Assert.That(build.Success, Is.False);
        Assert.That(build.GraderGap, Is.Null);
        Assert.That(build.Diagnostics.Select(d => d.Message), Has.Some.EqualTo("the build was stopped: the compiler exceeded its limit of 1 s CPU time"));
    }

    [Test]
    public void A_huge_diagnostic_is_cut_to_a_bounded_message()
    {
        // A 4 MB _Static_assert message (the 64 MB one of examples/hostile exhausts the memory limit first).
        var doubling = string.Join("\n", Enumerable.Range(1, 18).Select(i => $"#define S{i} S{i - 1} S{i - 1}"));
        var text = Reference + "\n#define S0 \"xxxxxxxxxxxxxxxx\"\n" + doubling + "\n_Static_assert(0, S18);\n";
        var build = NativeTestSupport.Compiler.Compile("assert", [("my-rng.c", text)]);
        Assert.That(build.Success, Is.False);
        Assert.That(build.GraderGap, Is.Null);
        Assert.That(build.Diagnostics, Is.Not.Empty);
        Assert.That(build.Diagnostics.Select(d => d.Message.Length), Has.All.LessThanOrEqualTo(CCompiler.MaxMessageChars + 100));
        CCompiler.Delete(build);
    }

    [Test]
    public void No_box_is_the_graders_fault_and_nothing_compiles_without_it()
    {
        using var compiler = new CCompiler(NativeToolchain.Shared, boxProblem: () => CompileBox.MissingBwrap);
        Assert.That(compiler.Unavailable, Is.EqualTo(CompileBox.MissingBwrap));
        var build = compiler.Compile("nobox", [("my-rng.c", Reference)]);
        Assert.That(build.Success, Is.False);
        Assert.That(build.GraderGap, Is.EqualTo("bubblewrap is needed to compile C submissions safely: apt-get install bubblewrap"));
        Assert.That(build.WorkDir, Is.Null, "gcc never ran");
    }

    [Test]
    public void A_work_folder_the_box_cannot_reach_is_the_graders_fault()
    {
        Assume.That(HostileTestSupport.IsRoot, "only root can make a folder uid 65534 cannot enter but the grader can");
        var closed = HostileTestSupport.NewTempDir("closed");
        try
        {
            File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            using var compiler = new CCompiler(Path.Combine(closed, "work"));
            var build = compiler.Compile("closed", [("my-rng.c", Reference)]);
            Assert.That(build.Success, Is.False);
            Assert.That(build.GraderGap, Does.StartWith("the compile box cannot use " + Path.Combine(closed, "work")), "never the student's build error");
            Assert.That(build.Diagnostics, Is.Empty);
        }
        finally
        {
            HostileTestSupport.DeleteTree(closed);
        }
    }

    [Test]
    [Category("Slow")]
    public void The_kbuild_check_builds_in_the_box_under_a_fixed_name()
    {
        NeedKbuild();
        var result = CKbuild.Check("-2-3.c", Reference);
        Assert.That(result.SkipReason, Is.Null, result.Log);
        Assert.That(result.Success, Is.True, result.Log);
        Assert.That(result.Diagnostics.Select(d => d.File), Has.All.EqualTo("-2-3.c"));
        Assert.That(result.Log, Does.Not.Contain("/box/"));
    }

    [Test]
    [Category("Slow")]
    public void The_kbuild_check_cannot_read_host_files_either()
    {
        NeedKbuild();
        var text = Sources("compile-incbin-split")[0].Text;
        var result = CKbuild.Check("@o.c", text);
        Assert.That(result.Success, Is.False, result.Log);
        Assert.That(result.Log + string.Join("\n", result.Diagnostics.Select(d => d.Message)), Does.Not.Contain(_canary.Secret));
    }

    private static void NeedKbuild()
    {
        if (CKbuild.FindHeaders() is null)
        {
            Assert.Ignore($"needs the kernel headers: {CKbuild.InstallHint}");
        }
    }

    /// <summary>An example's sources, aimed at the canary.</summary>
    private List<(string Path, string Text)> Sources(string example)
    {
        var dir = Path.Combine(TestPaths.Examples, "hostile", "c", example);
        return [.. Directory.GetFiles(dir).Where(f => Path.GetFileName(f) != "README.md").Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), _canary.Aim(File.ReadAllText(f))))];
    }

    private void AssertNothingLeaked(CBuild build)
    {
        Assert.That(string.Join("\n", build.Diagnostics.Select(d => d.Message)), Does.Not.Contain(_canary.Secret));
        Assert.That(build.WorkDir is null ? [] : _canary.FilesHoldingIt(build.WorkDir), Is.Empty, "an object or file of the build holds the canary");
        CCompiler.Delete(build);
    }
}
