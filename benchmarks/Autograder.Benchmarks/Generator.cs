using Autograder.Submissions;

namespace Autograder.Benchmarks;

/// <summary>
/// Makes a class of N submissions from the non-hostile examples (examples/csharp/*, examples/c/*), cycling
/// through them so correct and defective C# and C drivers are mixed in the examples' proportions. Every
/// copy is textually distinct beyond comments (a unique comment and a unique preprocessor symbol), so
/// neither the result cache nor any compiler cache can serve one copy from another.
/// </summary>
internal static class Generator
{
    public sealed record Template(string Name, Language Language, IReadOnlyList<(string File, string Text)> Files);

    public static IReadOnlyList<Template> LoadTemplates(string examples)
    {
        var templates = new List<Template>();
        foreach (var (folder, language) in new[] { ("csharp", Language.CSharp), ("c", Language.C) })
        {
            var root = Path.Combine(examples, folder);
            foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
            {
                var files = Directory.GetFiles(dir)
                    .Where(f => SubmissionFinder.SourceExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .Order(StringComparer.Ordinal)
                    .Select(f => (Path.GetFileName(f), File.ReadAllText(f)))
                    .ToList();
                if (files.Count > 0)
                {
                    templates.Add(new Template($"{folder}-{Path.GetFileName(dir)}", language, files));
                }
            }
        }

        if (templates.Count == 0)
        {
            throw new InvalidOperationException($"no example submissions under {examples}");
        }

        return templates;
    }

    /// <summary>Writes submission <paramref name="index"/> (a folder) and returns its folder.</summary>
    public static string Write(string submissionsDir, IReadOnlyList<Template> templates, int index, string salt)
    {
        var template = templates[index % templates.Count];
        var dir = Path.Combine(submissionsDir, $"s{index:00000}-{template.Name}");
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
