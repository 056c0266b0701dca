using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Fluid;

namespace Autograder.Report;

/// <summary>The Liquid templates embedded from templates/*.liquid. One shared parser, each template parsed
/// once and cached; every <c>{{ }}</c> output goes through the HTML encoder, so student data (source,
/// printk text, feedback) can never become markup.</summary>
internal static class Templates
{
    private static readonly FluidParser Parser = new();
    private static readonly ConcurrentDictionary<string, IFluidTemplate> Cache = new(StringComparer.Ordinal);

    // Encodes <, >, &, quotes everywhere; keeps letters of every script readable in the page source.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private static readonly TemplateOptions Options = CreateOptions();

    /// <summary>Tests turn this on so a misspelt variable in a template fails instead of rendering empty.</summary>
    internal static bool StrictVariables
    {
        get => Options.StrictVariables;
        set => Options.StrictVariables = value;
    }

    public static string Render(string name, object model)
    {
        var template = Cache.GetOrAdd(name, Parse);
        var context = new TemplateContext(model, Options);
        return template.Render(context, Encoder);
    }

    /// <summary>Renders template text that is not embedded, with the same parser and options (tests).</summary>
    internal static string RenderSource(string source, object model) =>
        Parser.TryParse(source, out var template, out var error)
            ? template.Render(new TemplateContext(model, Options), Encoder)
            : throw new InvalidOperationException(error);

    private static IFluidTemplate Parse(string name)
    {
        var resource = $"templates/{name}.liquid";
        using var stream = typeof(Templates).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"template {resource} is not embedded in {typeof(Templates).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        return Parser.TryParse(text, out var template, out var error)
            ? template
            : throw new InvalidOperationException($"template {resource}: {error}");
    }

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions
        {
            CultureInfo = CultureInfo.InvariantCulture,
            TimeZone = TimeZoneInfo.Utc,
        };
        options.MemberAccessStrategy.MemberNameStrategy = MemberNameStrategies.SnakeCase;

        // Only the view types below are reachable from a template: never the raw model or anything else.
        foreach (var type in typeof(Templates).Assembly.GetTypes()
                     .Where(t => t.Namespace == typeof(Templates).Namespace && t.GetCustomAttribute<TemplateModelAttribute>() is not null))
        {
            options.MemberAccessStrategy.Register(type);
        }

        return options;
    }
}

/// <summary>Marks a view type whose public properties templates may read.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class TemplateModelAttribute : Attribute;
