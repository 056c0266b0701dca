using Autograder.Check;
using Autograder.Pipeline;

namespace Autograder.Tests.Check;

public class RubricLoaderTests
{
    private static readonly string[] Known = ["build", "load", "rand", "seed"];

    private static Rubric Parse(string yaml) => RubricLoader.Parse(yaml, "test.yaml", null, Known);

    private static string ErrorOf(string yaml) => Assert.Throws<OperatorException>(() => Parse(yaml))!.Message;

    [Test]
    public void Default_rubric_has_the_twelve_checks_totalling_100()
    {
        var rubric = RubricLoader.LoadDefault(BuiltinChecks.Ids);
        var enabled = rubric.Checks.Where(c => c.Enabled).ToList();
        Assert.That(enabled.Select(c => c.Id), Is.EqualTo(new[]
        {
            "build", "load", "dmesg", "ioctl-encoding", "rand", "seed", "determinism", "efault", "enotty", "user-memory", "unload", "error-paths",
        }));
        Assert.That(rubric.MaxScore, Is.EqualTo(100m));
        Assert.That(enabled.Select(c => c.Points), Is.EqualTo(new decimal[] { 5, 10, 5, 10, 15, 10, 15, 10, 10, 5, 3, 2 }));
        Assert.That(enabled.Skip(1).All(c => c.DependsOn.Contains("build")), Is.True);
        Assert.That(rubric.Checks.Single(c => c.Id == "load").Parameters.Get("device-base", 0UL), Is.EqualTo(0xfebf1000UL));
        Assert.That(enabled.Where(c => c.RequiresWork).Select(c => c.Id), Is.EqualTo(new[] { "load", "dmesg", "enotty", "unload", "error-paths" }),
            "the checks the handout's skeleton satisfies alone");
    }

    [Test]
    public void Parses_limits_visibility_and_parameters()
    {
        var rubric = Parse("""
            rubric: r
            due: 2026-12-01T23:59:00Z
            time-limits: { cpu-ms: 500, wall-ms: 3000, call-cpu-ms: 250 }
            parameters: { major: 250 }
            checks:
              - id: build
                points: 5
              - id: rand
                points: 7.5
                visibility: after-due
                depends-on: [build]
                time-limits: { cpu-ms: 100 }
                parameters: { calls: 3, major: 251 }
            """);
        var rand = rubric.Checks[1];
        Assert.Multiple(() =>
        {
            Assert.That(rand.Points, Is.EqualTo(7.5m));
            Assert.That(rand.Visibility, Is.EqualTo("after-due"));
            Assert.That(rand.CpuLimit, Is.EqualTo(TimeSpan.FromMilliseconds(100)));
            Assert.That(rand.WallLimit, Is.EqualTo(TimeSpan.FromMilliseconds(3000)));
            Assert.That(rand.CallCpuLimit, Is.EqualTo(TimeSpan.FromMilliseconds(250)), "inherited from the rubric's time-limits");
            Assert.That(Parse("rubric: r\nchecks:\n  - id: rand\n").Checks[0].CallCpuLimit, Is.EqualTo(TimeSpan.FromMilliseconds(15)), "the default");
            Assert.That(rand.Parameters.Get("calls", 0), Is.EqualTo(3));
            Assert.That(rand.Parameters.Get("major", 0u), Is.EqualTo(251u));
            Assert.That(rubric.Checks[0].Parameters.Get("major", 0u), Is.EqualTo(250u));
            Assert.That(rubric.Due, Is.EqualTo(new DateTimeOffset(2026, 12, 1, 23, 59, 0, TimeSpan.Zero)));
        });
    }

    [Test]
    public void Hex_and_list_parameters_convert()
    {
        var rubric = Parse("rubric: r\nchecks:\n  - id: seed\n    parameters: { values: [0, 0x2a, 0xffffffff] }\n");
        Assert.That(rubric.Checks[0].Parameters.Get<IReadOnlyList<uint>>("values", []), Is.EqualTo(new uint[] { 0, 42, 0xffffffff }));
    }

    [TestCase("rubric: r\nchecks:\n  - id: rnad\n", "test.yaml:3: unknown check 'rnad' (did you mean 'rand'?)")]
    [TestCase("rubric: r\nchecks:\n  - id: rand\n    pionts: 3\n", "test.yaml:4: unknown key 'pionts' in a check (did you mean 'points'?)")]
    [TestCase("rubric: r\nchecks:\n  - id: rand\n    points: lots\n", "test.yaml:4: check 'rand': points 'lots' must be a number >= 0")]
    [TestCase("rubric: r\nchecks:\n  - id: rand\n    visibility: secret\n", "test.yaml:4: check 'rand': visibility 'secret' must be one of visible, hidden, after-due")]
    [TestCase("rubric: r\nchecks:\n  - id: rand\n    visibility: after-due\n", "test.yaml:4: check 'rand' is after-due but the rubric has no 'due:' date")]
    [TestCase("rubric: r\nchecks:\n  - id: rand\n  - id: rand\n", "test.yaml:4: check 'rand' is listed twice (also line 3)")]
    [TestCase("rubric: r\nchecks:\n  - id: rand\n    depends-on: [seed]\n", "test.yaml:3: check 'rand' depends on 'seed', which is not in the rubric")]
    [TestCase("rubric: r\nchecks:\n  - id: rand\n    depends-on: [seed]\n  - id: seed\n", "test.yaml:3: check 'rand' depends on 'seed', which comes after it: list dependencies first")]
    [TestCase("rubric: r\nchecks: []\n", "test.yaml:1: 'checks' must be a non-empty list")]
    [TestCase("checks:\n  - id: rand\n", "test.yaml:1: missing 'rubric:' (the rubric's name)")]
    [TestCase("rubric: r\nchecks:\n  - id: rand\n    time-limits: { cpu-ms: -5 }\n", "test.yaml:4: 'cpu-ms: -5' must be a positive number of milliseconds")]
    [TestCase("rubric: [unclosed\n", "test.yaml:2: not valid YAML")]
    [TestCase("rubric: r\nchecks:\n  - id: load\n    requires-work: yes please\n", "test.yaml:4: check 'load': requires-work must be true or false")]
    [TestCase("rubric: r\nchecks:\n  - id: load\n    requires_work: true\n", "test.yaml:4: unknown key 'requires_work' in a check (did you mean 'requires-work'?)")]
    [TestCase("rubric: r\nchecks:\n  - id: build\n    requires-work: true\n", "test.yaml:4: check 'build' cannot require work: it judges whether there is a driver to run")]
    public void Mistakes_name_the_file_the_line_and_the_problem(string yaml, string expected)
    {
        Assert.That(ErrorOf(yaml), Does.StartWith(expected));
    }

    [Test]
    public void A_missing_rubric_file_is_an_operator_error()
    {
        Assert.That(() => RubricLoader.LoadFile("/nonexistent/rubric.yaml", Known),
            Throws.TypeOf<OperatorException>().With.Message.Contains("rubric not found: /nonexistent/rubric.yaml"));
    }

    [Test]
    public void Sha256_changes_with_the_text()
    {
        var a = Parse("rubric: r\nchecks:\n  - id: rand\n");
        var b = Parse("rubric: r\nchecks:\n  - id: rand\n    points: 1\n");
        Assert.That(a.Sha256, Is.Not.EqualTo(b.Sha256).And.Length.EqualTo(64));
    }
}
