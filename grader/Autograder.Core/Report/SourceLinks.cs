using System.Text.RegularExpressions;
using Autograder.Model;

namespace Autograder.Report;

/// <summary>
/// Links trace events to the student's source lines by name, for navigation (as diagnostics are linked):
/// init, exit and ioctl calls to the functions the driver registered for them, a register access or user copy
/// to the first line calling that API. A heuristic over the text, never used to judge anything.
/// Anchors are those of the page's source listing ("src{file}-L{line}").
/// </summary>
internal sealed partial class SourceLinks
{
    private readonly List<(int File, string Path, string[] Lines)> _sources;
    private readonly Dictionary<string, (string Anchor, string Where)> _found = new(StringComparer.Ordinal);

    public SourceLinks(SubmissionResult s) =>
        _sources = [.. s.Sources.Select((f, i) => (i, f.Path, f.Text.Split('\n')))];

    public (string Anchor, string Where) For(TraceEvent e) => e switch
    {
        { Kind: "call", Op: "init" } => Cached("init", () => Registered(ModuleInit(), "module_init")),
        { Kind: "call", Op: "exit" } => Cached("exit", () => Registered(ModuleExit(), "module_exit")),
        { Kind: "call", Op: "ioctl" } => Cached("ioctl", () => Registered(UnlockedIoctl(), null)),
        { Api: { Length: > 0 } api } when e.Kind is "mmio" or "user" => Cached("api:" + api, () => First(new Regex($@"\b{Regex.Escape(api)}\s*\(", RegexOptions.CultureInvariant))),
        _ => ("", ""),
    };

    private (string, string) Cached(string key, Func<(string, string)> find)
    {
        if (!_found.TryGetValue(key, out var hit))
        {
            hit = find();
            _found[key] = hit;
        }

        return hit;
    }

    /// <summary>The definition of the function a registration names (C's module_init(f), .unlocked_ioctl = f, C#'s
    /// unlocked_ioctl = f), else the C# attribute line ([module_init]).</summary>
    private (string, string) Registered(Regex registration, string? attribute)
    {
        foreach (var (_, _, lines) in _sources)
        {
            foreach (var line in lines)
            {
                if (registration.Match(line) is { Success: true } m)
                {
                    var name = Regex.Escape(m.Groups["name"].Value);
                    var definition = First(new Regex($@"\b{name}\s*\([^;]*$", RegexOptions.CultureInvariant), exclude: registration);
                    if (definition.Item1.Length > 0)
                    {
                        return definition;
                    }
                }
            }
        }

        return attribute is null ? ("", "") : First(new Regex($@"\[\s*{attribute}\s*\]", RegexOptions.CultureInvariant));
    }

    private (string, string) First(Regex pattern, Regex? exclude = null)
    {
        foreach (var (file, path, lines) in _sources)
        {
            for (var i = 0; i < lines.Length; i++)
            {
                var text = lines[i].TrimStart();
                if (text.StartsWith("//", StringComparison.Ordinal) || text.StartsWith('*') || text.StartsWith("/*", StringComparison.Ordinal)
                    || (exclude?.IsMatch(lines[i]) ?? false) || !pattern.IsMatch(lines[i]))
                {
                    continue;
                }

                return ($"src{file}-L{i + 1}", $"{System.IO.Path.GetFileName(path)}:{i + 1}");
            }
        }

        return ("", "");
    }

    [GeneratedRegex(@"\bmodule_init\s*\(\s*(?<name>\w+)\s*\)")]
    private static partial Regex ModuleInit();

    [GeneratedRegex(@"\bmodule_exit\s*\(\s*(?<name>\w+)\s*\)")]
    private static partial Regex ModuleExit();

    [GeneratedRegex(@"\bunlocked_ioctl\s*=\s*&?\s*(?<name>\w+)")]
    private static partial Regex UnlockedIoctl();
}
