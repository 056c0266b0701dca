using System.Globalization;
using Autograder.Exercise;

namespace Autograder.Tests.Exercise;

public class GlibcRandomTests
{
    [TestCase(1u, 1804289383, 846930886, 1681692777)]
    [TestCase(42u, 71876166, 708592740, 1483128881)]
    [TestCase(0xffffffffu, 254925627, 1205188300, 366127624)]
    [TestCase(0x80000000u, 1336741213, 1210407648, 1447044896)]
    public void First_values_match_glibc(uint seed, int a, int b, int c) =>
        Assert.That(GlibcRandom.Sequence(seed, 3), Is.EqualTo(new[] { a, b, c }));

    [Test]
    public void Srand_0_is_srand_1() =>
        Assert.That(GlibcRandom.Sequence(0, 50), Is.EqualTo(GlibcRandom.Sequence(1, 50)));

    [Test]
    public void Default_generator_is_seeded_with_1_as_glibc_before_any_srand() =>
        Assert.That(new GlibcRandom().Next(), Is.EqualTo(1804289383));

    [Test]
    public void Reseeding_restarts_the_sequence()
    {
        var random = new GlibcRandom(42);
        for (var k = 0; k < 1000; k++)
        {
            random.Next();
        }

        random.Seed(42);
        Assert.That(random.Next(), Is.EqualTo(71876166));
    }

    [Test]
    public void Clone_is_independent_and_continues_the_same_sequence()
    {
        var random = new GlibcRandom(7);
        random.Next();
        var clone = random.Clone();
        var fromClone = new[] { clone.Next(), clone.Next(), clone.Next() };
        var fromOriginal = new[] { random.Next(), random.Next(), random.Next() };
        Assert.That(fromClone, Is.EqualTo(fromOriginal));
    }

    [Test]
    public void Next_does_not_allocate()
    {
        var random = new GlibcRandom(3);
        random.Next();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = 0L;
        for (var k = 0; k < 10_000; k++)
        {
            sum += random.Next();
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(sum, Is.Positive);
    }

    [Test]
    public void Values_are_31_bit() =>
        Assert.That(GlibcRandom.Sequence(0xdeadbeef, 5000), Is.All.InRange(0, int.MaxValue));

    [Test]
    public void Ten_thousand_values_match_real_glibc_output()
    {
        var expected = LoadReference();
        Assert.That(expected.Values.Sum(v => v.Count), Is.EqualTo(10_000), "reference file size");
        Assert.That(expected.Keys, Does.Contain(0xffffffffu).And.Contain(0x80000000u).And.Contain(0u));
        foreach (var (seed, values) in expected)
        {
            Assert.That(GlibcRandom.Sequence(seed, values.Count), Is.EqualTo(values), $"seed {seed}");
        }
    }

    // Exercise/Data/glibc-rand.txt: "seed N" lines, each followed by the rand() values real glibc gave.
    private static Dictionary<uint, List<int>> LoadReference()
    {
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "Exercise", "Data", "glibc-rand.txt");
        var result = new Dictionary<uint, List<int>>();
        List<int>? current = null;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("seed ", StringComparison.Ordinal))
            {
                current = [];
                result.Add(uint.Parse(line.AsSpan(5), CultureInfo.InvariantCulture), current);
            }
            else
            {
                current!.Add(int.Parse(line, CultureInfo.InvariantCulture));
            }
        }

        return result;
    }
}
