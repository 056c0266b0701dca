using Autograder.Submissions;

namespace Autograder.Benchmarks;

/// <summary>
/// Makes a class of N submissions with the defects real classes have (issue 16): by default 3 % hangs
/// (init and ioctl loops, C and C#: examples/hostile/*/infinite-loop-*), 5 % oopses or crashes, 2 % log
/// floods, 5 % compile errors, and the rest cycling through the ordinary examples (examples/csharp/*,
/// examples/c/*: correct and ordinarily wrong drivers). Which submission gets which kind is a fixed
/// shuffle, so a run is repeatable. Every copy is textually distinct beyond comments (a unique comment
/// and a unique preprocessor symbol), so neither the result cache nor any compiler cache can serve one
/// copy from another. The kind is part of the folder name (so of the id): s00042-hang-c-infinite-loop-init.
/// </summary>
internal static class Generator
{
    public static class Kinds
    {
        public const string Ordinary = "ordinary";
        public const string Hang = "hang";
        public const string Crash = "crash";
        public const string Flood = "flood";
        public const string CompileError = "compile-error";
    }

    public sealed record Template(string Name, Language Language, IReadOnlyList<(string File, string Text)> Files);

    /// <summary>Percent of the class for each defect kind; the rest is ordinary.</summary>
    public sealed record Mix(double Hang = 3, double Crash = 5, double Flood = 2, double CompileError = 5)
    {
        public static Mix Parse(string text)
        {
            var mix = new Mix(0, 0, 0, 0);
            foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var kv = part.Split('=');
                var value = double.Parse(kv[1], System.Globalization.CultureInfo.InvariantCulture);
                mix = kv[0] switch
                {
                    Kinds.Hang => mix with { Hang = value },
                    Kinds.Crash => mix with { Crash = value },
                    Kinds.Flood => mix with { Flood = value },
                    Kinds.CompileError => mix with { CompileError = value },
                    _ => throw new ArgumentException($"unknown kind '{kv[0]}' in --mix (hang, crash, flood, compile-error)"),
                };
            }

            return mix;
        }

        public override string ToString() =>
            FormattableString.Invariant($"{Hang:0.#} % hang, {Crash:0.#} % crash/oops, {Flood:0.#} % log flood, {CompileError:0.#} % compile error, {100 - Hang - Crash - Flood - CompileError:0.#} % ordinary");
    }

    /// <summary>Where each kind's templates come from (folders under examples/).</summary>
    private static readonly Dictionary<string, string[]> Pools = new()
    {
        [Kinds.Hang] = ["hostile/c/infinite-loop-init", "hostile/c/infinite-loop-ioctl", "hostile/csharp/infinite-loop-init", "hostile/csharp/infinite-loop-ioctl"],
        [Kinds.Crash] = ["hostile/c/segfault", "hostile/csharp/throws", "hostile/c/abort", "hostile/csharp/deep-recursion", "hostile/c/stack-overflow", "c/direct-user-deref", "csharp/direct-io-deref", "c/direct-io-deref"],
        [Kinds.Flood] = ["hostile/c/log-flood", "hostile/csharp/log-flood"],
        [Kinds.CompileError] = ["c/compile-error", "csharp/compile-error"],
    };

    /// <summary>The templates of every kind: the defect pools above, and every other non-hostile example as ordinary.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<Template>> LoadTemplates(string examples)
    {
        var pooled = Pools.Values.SelectMany(p => p).ToHashSet(StringComparer.Ordinal);
        var all = new Dictionary<string, IReadOnlyList<Template>>
        {
            [Kinds.Ordinary] = [.. new[] { "csharp", "c" }
                .SelectMany(folder => Directory.GetDirectories(Path.Combine(examples, folder)).Order(StringComparer.Ordinal)
                    .Where(dir => !pooled.Contains($"{folder}/{Path.GetFileName(dir)}"))
                    .Select(dir => Load(examples, $"{folder}/{Path.GetFileName(dir)}")))
                .OfType<Template>()],
        };
        foreach (var (kind, folders) in Pools)
        {
            all[kind] = [.. folders.Select(f => Load(examples, f)).OfType<Template>()];
        }

        if (all.Values.Any(t => t.Count == 0))
        {
            throw new InvalidOperationException($"missing example submissions under {examples}");
        }

        return all;
    }

    private static Template? Load(string examples, string relative)
    {
        var dir = Path.Combine(examples, relative);
        if (!Directory.Exists(dir))
        {
            return null;
        }

        var files = Directory.GetFiles(dir)
            .Where(f => SubmissionFinder.SourceExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllText(f)))
            .ToList();
        var language = relative.Contains("csharp", StringComparison.Ordinal) ? Language.CSharp : Language.C;
        var name = relative.Replace("hostile/", "", StringComparison.Ordinal).Replace('/', '-');
        return files.Count > 0 ? new Template(name, language, files) : null;
    }

    /// <summary>The kind of each of <paramref name="count"/> submissions: the mix's shares, rounded, in a fixed shuffle.</summary>
    public static IReadOnlyList<string> Assign(int count, Mix mix)
    {
        var kinds = new List<string>(count);
        foreach (var (kind, percent) in new[] { (Kinds.Hang, mix.Hang), (Kinds.Crash, mix.Crash), (Kinds.Flood, mix.Flood), (Kinds.CompileError, mix.CompileError) })
        {
            kinds.AddRange(Enumerable.Repeat(kind, (int)Math.Round(count * percent / 100)));
        }

        kinds.AddRange(Enumerable.Repeat(Kinds.Ordinary, Math.Max(0, count - kinds.Count)));
        var shuffled = kinds.Take(count).ToArray();
        new Random(16).Shuffle(shuffled);
        return shuffled;
    }

    /// <summary>The kind of a generated submission, from its id.</summary>
    public static string KindOf(string id) =>
        new[] { Kinds.CompileError, Kinds.Hang, Kinds.Crash, Kinds.Flood }.FirstOrDefault(k => id.Contains($"-{k}-", StringComparison.Ordinal)) ?? Kinds.Ordinary;

    /// <summary>Writes submission <paramref name="index"/> (a folder) and returns its folder.</summary>
    public static string Write(string submissionsDir, IReadOnlyDictionary<string, IReadOnlyList<Template>> templates, IReadOnlyList<string> kinds, int index, string salt)
    {
        var kind = kinds[index];
        var pool = templates[kind];
        // Round-robin within the kind: the n-th submission of a kind takes its pool's (n mod size)-th template.
        var nth = kinds.Take(index).Count(k => k == kind);
        var template = pool[nth % pool.Count];
        var dir = Path.Combine(submissionsDir, $"s{index:00000}-{kind}-{template.Name}");
        Directory.CreateDirectory(dir);
        foreach (var (file, text) in template.Files)
        {
            File.WriteAllText(Path.Combine(dir, file), Distinct(file, text, index, salt));
        }

        return dir;
    }

    // A comment alone would vanish in the preprocessor; a #define changes the token stream as the compiler
    // sees it without changing what the driver does. C#'s #define must precede the first token: it does.
    private static string Distinct(string file, string text, int index, string salt)
    {
        var tag = $"bench submission {index} {salt}";
        return Path.GetExtension(file).ToLowerInvariant() switch
        {
            ".c" => $"/* {tag} */\n#define BENCH_UNIQUE_{index}_{salt} {index}\n{text}",
            ".cs" => $"// {tag}\n#define BENCH_UNIQUE_{index}_{salt}\n{text}",
            // A patch's preamble (before the first diff header) is free text.
            _ => $"{tag}\n{text}",
        };
    }
}
