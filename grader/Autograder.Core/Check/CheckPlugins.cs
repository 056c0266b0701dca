using System.Runtime.Loader;
using Autograder.Pipeline;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Autograder.Check;

/// <summary>
/// Instructor checks written in C# next to the rubric (`plugins:`), compiled in memory when the rubric
/// loads. This is the course's own trusted code, so it compiles against the grader's public check API and
/// the whole framework; a compile error is an operator error naming the file and line.
/// </summary>
internal static class CheckPlugins
{
    public static IReadOnlyList<ICheck> Load(IReadOnlyList<string> files)
    {
        if (files.Count == 0)
        {
            return [];
        }

        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), new CSharpParseOptions(LanguageVersion.Latest), f)).ToList();
        var references = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic && a.Location.Length > 0)
            .Select(a => MetadataReference.CreateFromFile(a.Location))
            .Append(MetadataReference.CreateFromFile(typeof(ICheck).Assembly.Location))
            .DistinctBy(r => r.Display);
        var compilation = CSharpCompilation.Create(
            "RubricPlugins" + Guid.NewGuid().ToString("N"),
            trees,
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (!emitted.Success)
        {
            var first = errors[0].Location.GetLineSpan();
            throw new OperatorException($"{first.Path}:{first.StartLinePosition.Line + 1}: the check plugin does not compile: {errors[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture)}" +
                (errors.Count > 1 ? $" (and {errors.Count - 1} more errors)" : ""));
        }

        image.Position = 0;
        var assembly = AssemblyLoadContext.Default.LoadFromStream(image);
        var checks = new List<ICheck>();
        foreach (var type in assembly.GetTypes().Where(t => typeof(ICheck).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false }))
        {
            if (type.GetConstructor(Type.EmptyTypes) is null)
            {
                throw new OperatorException($"check plugin {type.Name} needs a public parameterless constructor");
            }

            checks.Add((ICheck)Activator.CreateInstance(type)!);
        }

        if (checks.Count == 0)
        {
            throw new OperatorException($"{string.Join(", ", files)}: no class implementing Autograder.Check.ICheck");
        }

        return checks;
    }
}
