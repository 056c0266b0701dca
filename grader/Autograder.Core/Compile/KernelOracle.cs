using System.Text.RegularExpressions;
using Autograder.Model;

namespace Autograder.Compile;

/// <summary>
/// Kernel APIs that changed in a way tutorials still show the old form of: a compile error that matches
/// one gets a hint naming the change, and is the student's (the exercise's kernel is Linux 6.6) without
/// asking the real kernel build. One small table; README "Kernel model" lists it.
/// </summary>
internal static partial class KernelApiChanges
{
    private static readonly (Regex Error, string Hint)[] Table =
    [
        (ClassCreate(), "class_create takes one argument since Linux 6.4: class_create(\"name\")"),
        (AccessOk(), "access_ok takes two arguments since Linux 5.0: access_ok(ptr, size), without VERIFY_READ/VERIFY_WRITE"),
        (FopsIoctl(), "file_operations lost .ioctl in Linux 2.6.36: use .unlocked_ioctl = my_ioctl, with long my_ioctl(struct file *, unsigned int, unsigned long)"),
        (IoremapNocache(), "ioremap_nocache was removed in Linux 5.6: ioremap is already uncached"),
    ];

    /// <summary>The hint for an error message caused by a known API change, or null.</summary>
    public static string? HintFor(string message) => Table.FirstOrDefault(c => c.Error.IsMatch(message)).Hint;

    /// <summary>The diagnostics with each error a known API change explains followed by its hint.</summary>
    public static List<Diagnostic> Annotate(IEnumerable<Diagnostic> diagnostics) =>
        [.. diagnostics.Select(d => d.Severity == "error" && HintFor(d.Message) is { } hint && !d.Message.Contains(hint, StringComparison.Ordinal)
            ? d with { Message = $"{d.Message} ({hint})" }
            : d)];

    [GeneratedRegex(@"too many arguments to function [\u2018'`]class_create[\u2019']|macro [""\u201c]?class_create[""\u201d]? passed 2 arguments")]
    private static partial Regex ClassCreate();

    [GeneratedRegex(@"macro [""\u201c]?access_ok[""\u201d]? passed 3 arguments")]
    private static partial Regex AccessOk();

    [GeneratedRegex(@"[\u2018'`]struct file_operations[\u2019'] has no member named [\u2018'`]ioctl[\u2019']")]
    private static partial Regex FopsIoctl();

    [GeneratedRegex(@"implicit declaration of function [\u2018'`]ioremap_nocache[\u2019']|[\u2018'`]ioremap_nocache[\u2019'] undeclared")]
    private static partial Regex IoremapNocache();
}

/// <summary>
/// The differential oracle: a C driver that does not compile against our kernel model is compiled again
/// against the real kernel headers (Debian's, see <see cref="CKbuild"/>). If Linux compiles it, the failure
/// is a gap in our model (the grader's fault, points held back) and the first error names what we lack;
/// otherwise it is the student's compile error. Thread-safe: static, each call builds in its own directory.
/// </summary>
internal static partial class KernelOracle
{
    /// <summary>Gives Debian's 6.1 headers the Linux 6.6 form of the API changes since (README lists them),
    /// so the oracle judges a driver as the exercise's kernel would.</summary>
    public const string Prelude = """
        /* Linux 6.6 forms of APIs that changed after Debian's 6.1 headers (the exercise's kernel is 6.6). */
        #include <linux/version.h>
        #if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
        #include <linux/module.h>
        #include <linux/device.h>
        #undef class_create
        #define class_create(name) ({ static struct lock_class_key __ag_key; __class_create(THIS_MODULE, (name), &__ag_key); })
        #endif

        """;

    private const string LacksPrefix = "the kernel model lacks ";

    private static readonly Lazy<string?> s_unavailable = new(() =>
        CKbuild.FindHeaders() is null || NativeProcess.FindOnPath("make") is null || NativeProcess.FindOnPath("gcc") is null
            ? $"the real kernel headers (or make) are not installed, so a C compile error cannot be checked against Linux: a gap in our kernel model would be charged to the student as a compile error ({CKbuild.InstallHint})"
            : null);

    /// <summary>Why the oracle cannot run on this machine (said once per run as a warning), or null.</summary>
    public static string? Unavailable => s_unavailable.Value;

    /// <summary>The grader's gap message and the name our model lacks (gcc's first error when it names none), when a driver that failed against our
    /// headers compiles against Linux's; null when Linux rejects it too, or the oracle cannot run.</summary>
    public static (string Gap, string Name)? Judge(IReadOnlyList<(string Relative, string Text)> files, IReadOnlyList<Diagnostic> diagnostics)
    {
        var errors = diagnostics.Where(d => d.Severity == "error").ToList();
        // A known API change is the student's on 6.6; a path the prelude's #include could not carry verbatim is not judged.
        if (Unavailable is not null || errors.Count == 0 || errors.Any(e => KernelApiChanges.HintFor(e.Message) is not null)
            || files.Any(f => !PlainPath().IsMatch(f.Relative)))
        {
            return null;
        }

        var (success, _, _) = CKbuild.Compiles(files, Prelude);
        if (success != true)
        {
            return null;
        }

        var first = errors[0];
        var name = MissingName(first.Message);
        return ($"{LacksPrefix}{name ?? "something Linux has"}: the driver compiles against Linux's own headers, so this is a gap in the grader, not the student's error ({first.File}:{first.Line}: {first.Message})",
            name ?? first.Message);
    }

    /// <summary>The name a model gap message (ours: "the kernel model lacks X") is about, or null.</summary>
    public static string? GapName(string? graderGap)
    {
        if (graderGap is null || !graderGap.StartsWith(LacksPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = graderGap[LacksPrefix.Length..];
        var end = rest.IndexOf(": ", StringComparison.Ordinal);
        var name = end < 0 ? rest : rest[..end];
        return name == "something Linux has" ? null : name;
    }

    /// <summary>What gcc's error says is missing: a struct member, an identifier, a function, a type or a header.</summary>
    public static string? MissingName(string message)
    {
        foreach (var (pattern, format) in Names)
        {
            var m = pattern.Match(message);
            if (m.Success)
            {
                return string.Format(System.Globalization.CultureInfo.InvariantCulture, format, m.Groups[1].Value, m.Groups.Count > 2 ? m.Groups[2].Value : "");
            }
        }

        return null;
    }

    private static readonly (Regex Pattern, string Format)[] Names =
    [
        (NoMember(), "{0}.{1}"),
        (Implicit(), "{0}()"),
        (Undeclared(), "{0}"),
        (UnknownType(), "{0}"),
        (Incomplete(), "{0}"),
        (Arguments(), "{0}() as Linux declares it"),
        (ArgumentType(), "{0}() as Linux declares it"),
        (DefaultsToInt(), "{0}"),
        (Header(), "<{0}>"),
    ];

    private const string Open = "[\u2018'`]";
    private const string Close = "[\u2019']";

    [GeneratedRegex(Open + @"((?:struct|union) \w+)" + Close + " has no member named " + Open + @"(\w+)" + Close)]
    private static partial Regex NoMember();

    [GeneratedRegex("implicit declaration of function " + Open + @"(\w+)" + Close)]
    private static partial Regex Implicit();

    [GeneratedRegex(Open + @"(\w+)" + Close + " undeclared")]
    private static partial Regex Undeclared();

    [GeneratedRegex("unknown type name " + Open + @"(\w+)" + Close)]
    private static partial Regex UnknownType();

    [GeneratedRegex("(?:incomplete|undefined) type " + Open + @"((?:struct|union|enum) \w+)" + Close)]
    private static partial Regex Incomplete();

    [GeneratedRegex("too (?:many|few) arguments to function " + Open + @"(\w+)" + Close)]
    private static partial Regex Arguments();

    [GeneratedRegex(@"argument \d+ of " + Open + @"(\w+)" + Close)]
    private static partial Regex ArgumentType();

    [GeneratedRegex("type defaults to " + Open + "int" + Close + " in declaration of " + Open + @"(\w+)" + Close)]
    private static partial Regex DefaultsToInt();

    [GeneratedRegex(@"([\w./+-]+\.h): No such file or directory")]
    private static partial Regex Header();

    [GeneratedRegex(@"^[A-Za-z0-9_.+-]+(/[A-Za-z0-9_.+-]+)*$")]
    private static partial Regex PlainPath();
}
