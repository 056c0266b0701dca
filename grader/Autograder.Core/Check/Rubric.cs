using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Autograder.Pipeline;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Autograder.Check;

/// <summary>A parsed rubric: which checks run, for how many points, who sees them, what they depend on.</summary>
public sealed record Rubric
{
    public required string Name { get; init; }
    public required string Title { get; init; }
    public required string Sha256 { get; init; }
    /// <summary>Where it came from ("embedded:rubrics/virt-101.yaml" or a path).</summary>
    public required string Source { get; init; }
    public DateTimeOffset? Due { get; init; }
    /// <summary>How late work is marked down from <see cref="Due"/>, or null (late work is shown, not penalised).</summary>
    public LatePolicy? LatePolicy { get; init; }
    public required IReadOnlyList<RubricCheck> Checks { get; init; }
    /// <summary>Instructor check plugins (C# files), absolute paths.</summary>
    public IReadOnlyList<string> Plugins { get; init; } = [];

    public decimal MaxScore => Checks.Where(c => c.Enabled).Sum(c => c.Points);
}

/// <summary>The rubric's <c>late-policy</c>: a share of the maximum score taken per day (or part of one) after
/// the due date, and a cutoff after which late work scores 0.</summary>
public sealed record LatePolicy(decimal PenaltyPercentPerDay, DateTimeOffset? Cutoff);

/// <summary>One check's rubric entry.</summary>
public sealed record RubricCheck
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    public decimal Points { get; init; }
    /// <summary>"visible" | "hidden" | "after-due".</summary>
    public string Visibility { get; init; } = "visible";
    public IReadOnlyList<string> DependsOn { get; init; } = [];
    public TimeSpan CpuLimit { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan WallLimit { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>CPU time of its own code (user mode) one driver call (init, one ioctl, exit) may use, and
    /// <see cref="Load.CheckBudget.TotalFactor"/> times it in all, kernel calls included: the device answers in
    /// microseconds, so a call past either is spinning and is stopped early (issue 16).</summary>
    public TimeSpan CallCpuLimit { get; init; } = TimeSpan.FromMilliseconds(15);
    public CheckParameters Parameters { get; init; } = CheckParameters.Empty;
    public bool Enabled { get; init; } = true;
    /// <summary>Counts only once the driver does some of the exercise's work (some ioctl touches the device or
    /// the user's memory); otherwise failed with <see cref="Builtin.WorkGate.HeldBack"/>.</summary>
    public bool RequiresWork { get; init; }
}

/// <summary>Reads rubric YAML. Every mistake is an operator error naming the file, the line and the problem.</summary>
public static class RubricLoader
{
    public const string DefaultResource = "rubrics/virt-101.yaml";
    private static readonly string[] TopKeys = ["rubric", "title", "due", "late-policy", "time-limits", "parameters", "checks", "plugins"];
    private static readonly string[] LatePolicyKeys = ["penalty-per-day", "cutoff"];
    private static readonly string[] CheckKeys = ["id", "title", "points", "visibility", "depends-on", "time-limits", "parameters", "enabled", "requires-work"];
    private static readonly string[] LimitKeys = ["cpu-ms", "wall-ms", "call-cpu-ms"];
    private static readonly string[] Visibilities = ["visible", "hidden", "after-due"];

    /// <summary>The embedded default rubric (rubrics/virt-101.yaml).</summary>
    public static Rubric LoadDefault(IReadOnlyCollection<string> knownCheckIds)
    {
        using var stream = typeof(RubricLoader).Assembly.GetManifestResourceStream(DefaultResource)
            ?? throw new InvalidOperationException("the default rubric is not embedded");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "embedded:" + DefaultResource, null, knownCheckIds);
    }

    public static Rubric LoadFile(string path, IReadOnlyCollection<string> knownCheckIds)
    {
        if (!File.Exists(path))
        {
            throw new OperatorException($"rubric not found: {path}");
        }

        var full = Path.GetFullPath(path);
        return Parse(File.ReadAllText(full), full, Path.GetDirectoryName(full), knownCheckIds);
    }

    /// <summary>Parses rubric text. <paramref name="knownCheckIds"/> are the built-in ids; plugin ids are
    /// accepted when the rubric names plugins (they are verified once the plugins are compiled).</summary>
    public static Rubric Parse(string yaml, string source, string? baseDir, IReadOnlyCollection<string> knownCheckIds)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw Error(source, e.Start.Line, $"not valid YAML: {e.InnerException?.Message ?? e.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw Error(source, 1, "a rubric is a mapping with 'rubric', 'checks', ...");
        }

        CheckKeysOf(root, TopKeys, source, "the rubric");
        var name = Str(root, "rubric", source) ?? throw Error(source, root.Start.Line, "missing 'rubric:' (the rubric's name)");
        var title = Str(root, "title", source) ?? name;
        DateTimeOffset? due = null;
        if (Str(root, "due", source) is { Length: > 0 } dueText)
        {
            if (!DateTimeOffset.TryParse(dueText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                throw Error(source, Node(root, "due")!.Start.Line, $"'due: {dueText}' is not a date (use 2026-12-01T23:59:00Z)");
            }

            due = parsed;
        }

        var latePolicy = ParseLatePolicy(Node(root, "late-policy"), due, source);

        var (cpu, wall, call) = Limits(Node(root, "time-limits"), source, (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(15)));
        var shared = Parameters(Node(root, "parameters"), source, new Dictionary<string, object?>());

        var plugins = new List<string>();
        if (Node(root, "plugins") is { } pluginNode)
        {
            if (pluginNode is not YamlSequenceNode pluginList)
            {
                throw Error(source, pluginNode.Start.Line, "'plugins' is a list of C# files");
            }

            foreach (var p in pluginList)
            {
                var rel = Scalar(p, source, "plugin path");
                var full = Path.GetFullPath(Path.Combine(baseDir ?? ".", rel));
                if (!File.Exists(full))
                {
                    throw Error(source, p.Start.Line, $"plugin file not found: {rel}");
                }

                plugins.Add(full);
            }
        }

        if (Node(root, "checks") is not YamlSequenceNode checkNodes || checkNodes.Children.Count == 0)
        {
            throw Error(source, root.Start.Line, "'checks' must be a non-empty list");
        }

        var checks = new List<RubricCheck>();
        var lines = new Dictionary<string, int>();
        foreach (var node in checkNodes)
        {
            if (node is not YamlMappingNode map)
            {
                throw Error(source, node.Start.Line, "each check is a mapping with 'id', 'points', ...");
            }

            var line = (int)map.Start.Line;
            CheckKeysOf(map, CheckKeys, source, "a check");
            var id = Str(map, "id", source) ?? throw Error(source, line, "a check without 'id'");
            if (!lines.TryAdd(id, line))
            {
                throw Error(source, line, $"check '{id}' is listed twice (also line {lines[id]})");
            }

            if (!knownCheckIds.Contains(id) && plugins.Count == 0)
            {
                throw Error(source, line, $"unknown check '{id}'{Suggest(id, knownCheckIds)}; known: {string.Join(", ", knownCheckIds)}");
            }

            var pointsText = Str(map, "points", source) ?? "0";
            if (!decimal.TryParse(pointsText, NumberStyles.Number, CultureInfo.InvariantCulture, out var points) || points < 0)
            {
                throw Error(source, Node(map, "points")!.Start.Line, $"check '{id}': points '{pointsText}' must be a number >= 0");
            }

            var visibility = Str(map, "visibility", source) ?? "visible";
            if (!Visibilities.Contains(visibility))
            {
                throw Error(source, Node(map, "visibility")!.Start.Line, $"check '{id}': visibility '{visibility}' must be one of {string.Join(", ", Visibilities)}");
            }

            if (visibility == "after-due" && due is null)
            {
                throw Error(source, Node(map, "visibility")!.Start.Line, $"check '{id}' is after-due but the rubric has no 'due:' date");
            }

            var enabledText = Str(map, "enabled", source) ?? "true";
            if (!bool.TryParse(enabledText, out var enabled))
            {
                throw Error(source, Node(map, "enabled")!.Start.Line, $"check '{id}': enabled must be true or false");
            }

            var requiresWorkText = Str(map, "requires-work", source) ?? "false";
            if (!bool.TryParse(requiresWorkText, out var requiresWork))
            {
                throw Error(source, Node(map, "requires-work")!.Start.Line, $"check '{id}': requires-work must be true or false");
            }

            if (requiresWork && id == SubmissionGrader.BuildId)
            {
                throw Error(source, Node(map, "requires-work")!.Start.Line, "check 'build' cannot require work: it judges whether there is a driver to run");
            }

            var (checkCpu, checkWall, checkCall) = Limits(Node(map, "time-limits"), source, (cpu, wall, call));
            checks.Add(new RubricCheck
            {
                Id = id,
                Title = Str(map, "title", source) ?? id,
                Points = points,
                Visibility = visibility,
                DependsOn = List(Node(map, "depends-on"), source, "depends-on"),
                CpuLimit = checkCpu,
                WallLimit = checkWall,
                CallCpuLimit = checkCall,
                Parameters = new CheckParameters(Parameters(Node(map, "parameters"), source, shared)),
                Enabled = enabled,
                RequiresWork = requiresWork,
            });
        }

        foreach (var check in checks)
        {
            foreach (var dep in check.DependsOn)
            {
                if (!lines.ContainsKey(dep))
                {
                    throw Error(source, lines[check.Id], $"check '{check.Id}' depends on '{dep}', which is not in the rubric");
                }

                if (checks.FindIndex(c => c.Id == dep) > checks.IndexOf(check))
                {
                    throw Error(source, lines[check.Id], $"check '{check.Id}' depends on '{dep}', which comes after it: list dependencies first");
                }
            }
        }

        return new Rubric
        {
            Name = name,
            Title = title,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml))),
            Source = source,
            Due = due,
            LatePolicy = latePolicy,
            Checks = checks,
            Plugins = plugins,
        };
    }

    private static LatePolicy? ParseLatePolicy(YamlNode? node, DateTimeOffset? due, string source)
    {
        if (node is null)
        {
            return null;
        }
        if (node is not YamlMappingNode map)
        {
            throw Error(source, node.Start.Line, "'late-policy' is a mapping, e.g. { penalty-per-day: 10%, cutoff: 2027-01-15T23:59 }");
        }
        if (due is null)
        {
            throw Error(source, node.Start.Line, "'late-policy' counts from 'due:', which the rubric lacks");
        }
        CheckKeysOf(map, LatePolicyKeys, source, "'late-policy'");
        var penaltyNode = Node(map, "penalty-per-day") ?? throw Error(source, node.Start.Line, "'late-policy' needs 'penalty-per-day' (e.g. 10%)");
        var penaltyText = Scalar(penaltyNode, source, "penalty-per-day").Trim();
        if (!decimal.TryParse(penaltyText.TrimEnd('%'), NumberStyles.Number, CultureInfo.InvariantCulture, out var percent) || percent is < 0 or > 100)
        {
            throw Error(source, penaltyNode.Start.Line, $"'penalty-per-day: {penaltyText}' is not a percent between 0 and 100 (e.g. 10%)");
        }
        DateTimeOffset? cutoff = null;
        if (Node(map, "cutoff") is { } cutoffNode)
        {
            var text = Scalar(cutoffNode, source, "cutoff");
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                throw Error(source, cutoffNode.Start.Line, $"'cutoff: {text}' is not a date (use 2027-01-15T23:59:00Z)");
            }
            if (parsed < due)
            {
                throw Error(source, cutoffNode.Start.Line, $"'cutoff: {text}' is before 'due:'");
            }
            cutoff = parsed;
        }
        return new LatePolicy(percent, cutoff);
    }

    private static OperatorException Error(string source, long line, string message) => new($"{source}:{line}: {message}");

    private static void CheckKeysOf(YamlMappingNode map, string[] allowed, string source, string what)
    {
        foreach (var (key, _) in map.Children)
        {
            var k = ((YamlScalarNode)key).Value ?? "";
            if (!allowed.Contains(k))
            {
                throw Error(source, key.Start.Line, $"unknown key '{k}' in {what}{Suggest(k, allowed)}; allowed: {string.Join(", ", allowed)}");
            }
        }
    }

    private static string Suggest(string word, IEnumerable<string> options) =>
        Closest(word, options) is { } best ? $" (did you mean '{best}'?)" : "";

    /// <summary>The option nearest to a mistyped word (edit distance 2 at most), or null.</summary>
    internal static string? Closest(string word, IEnumerable<string> options)
    {
        var best = options.Select(o => (o, d: Distance(word, o))).OrderBy(x => x.d).FirstOrDefault();
        return best.o is not null && best.d <= 2 ? best.o : null;
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    // A swapped pair of letters is one typo.
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    private static YamlNode? Node(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static string? Str(YamlMappingNode map, string key, string source) =>
        Node(map, key) is { } node ? Scalar(node, source, key) : null;

    private static string Scalar(YamlNode node, string source, string what) => node is YamlScalarNode s
        ? s.Value ?? ""
        : throw Error(source, node.Start.Line, $"'{what}' must be a single value");

    private static IReadOnlyList<string> List(YamlNode? node, string source, string what) => node switch
    {
        null => [],
        YamlSequenceNode seq => [.. seq.Select(n => Scalar(n, source, what))],
        YamlScalarNode s when string.IsNullOrEmpty(s.Value) => [],
        YamlScalarNode s => [s.Value!],
        _ => throw Error(source, node.Start.Line, $"'{what}' must be a list"),
    };

    private static (TimeSpan Cpu, TimeSpan Wall, TimeSpan Call) Limits(YamlNode? node, string source, (TimeSpan Cpu, TimeSpan Wall, TimeSpan Call) inherited)
    {
        if (node is null)
        {
            return inherited;
        }

        if (node is not YamlMappingNode map)
        {
            throw Error(source, node.Start.Line, "'time-limits' has 'cpu-ms', 'wall-ms' and 'call-cpu-ms'");
        }

        CheckKeysOf(map, LimitKeys, source, "time-limits");
        return (Ms(map, "cpu-ms", source) ?? inherited.Cpu, Ms(map, "wall-ms", source) ?? inherited.Wall, Ms(map, "call-cpu-ms", source) ?? inherited.Call);
    }

    private static TimeSpan? Ms(YamlMappingNode map, string key, string source)
    {
        if (Str(map, key, source) is not { } text)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) || ms <= 0)
        {
            throw Error(source, Node(map, key)!.Start.Line, $"'{key}: {text}' must be a positive number of milliseconds");
        }

        return TimeSpan.FromMilliseconds(ms);
    }

    private static Dictionary<string, object?> Parameters(YamlNode? node, string source, IReadOnlyDictionary<string, object?> inherited)
    {
        var result = new Dictionary<string, object?>(inherited);
        if (node is null)
        {
            return result;
        }

        if (node is not YamlMappingNode map)
        {
            throw Error(source, node.Start.Line, "'parameters' must be a mapping of names to values");
        }

        foreach (var (key, value) in map.Children)
        {
            var k = Scalar(key, source, "parameter name");
            result[k] = value switch
            {
                YamlScalarNode s => s.Value,
                YamlSequenceNode seq => seq.Select(n => (object?)Scalar(n, source, k)).ToList(),
                _ => throw Error(source, value.Start.Line, $"parameter '{k}' must be a value or a list"),
            };
        }

        return result;
    }
}
