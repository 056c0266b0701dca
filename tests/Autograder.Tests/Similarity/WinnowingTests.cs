using Autograder.Similarity;

namespace Autograder.Tests.Similarity;

public sealed class WinnowingTests
{
    private static Token[] Stream(IEnumerable<int> values) => [.. values.Select((v, i) => new Token((ulong)v, 0, i + 1))];

    [Test]
    public void A_shared_run_of_w_plus_k_minus_1_tokens_always_gives_a_common_fingerprint()
    {
        const int k = 5, w = 4;
        var random = new Random(7);
        for (var round = 0; round < 200; round++)
        {
            var shared = Enumerable.Range(0, w + k - 1).Select(_ => random.Next(1000)).ToList();
            var a = Stream(Enumerable.Range(0, random.Next(30)).Select(_ => random.Next(1000)).Concat(shared).Concat(Enumerable.Range(0, random.Next(30)).Select(_ => random.Next(1000))));
            var b = Stream(Enumerable.Range(0, random.Next(30)).Select(_ => random.Next(1000)).Concat(shared));

            var fa = Winnowing.Select(Winnowing.KGramHashes(a, k), w).Select(f => f.Hash);
            var fb = Winnowing.Select(Winnowing.KGramHashes(b, k), w).Select(f => f.Hash);

            Assert.That(fa.Intersect(fb), Is.Not.Empty, $"round {round}");
        }
    }

    [Test]
    public void Every_window_holds_a_selected_fingerprint_and_none_is_selected_twice()
    {
        const int k = 3, w = 4;
        var hashes = Winnowing.KGramHashes(Stream(Enumerable.Range(0, 60).Select(i => (i * 7919) % 13)), k);

        var positions = Winnowing.Select(hashes, w).Select(f => f.Position).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(positions, Is.Ordered.And.Unique);
            for (var start = 0; start + w <= hashes.Length; start++)
            {
                Assert.That(positions.Any(p => p >= start && p < start + w), Is.True, $"window {start}");
            }
        });
    }

    [Test]
    public void A_stream_shorter_than_k_has_no_fingerprint_and_one_shorter_than_a_window_has_one()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Winnowing.Select(Winnowing.KGramHashes(Stream([1, 2, 3]), 4), 4), Is.Empty);
            Assert.That(Winnowing.Select(Winnowing.KGramHashes(Stream([1, 2, 3, 4, 5]), 4), 8), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void K_gram_hashes_depend_on_the_tokens_not_on_where_they_are()
    {
        var a = Winnowing.KGramHashes(Stream([9, 1, 2, 3, 4]), 4);
        var b = Winnowing.KGramHashes(Stream([1, 2, 3, 4, 8, 8]), 4);

        Assert.That(a[1], Is.EqualTo(b[0]));
    }
}
