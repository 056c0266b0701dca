using System.Globalization;
using System.Text.RegularExpressions;
using Autograder.Protocol;

namespace Autograder.Tests.Native;

// grader/native/host/wire.h mirrors Wire.cs: every enum member and layout constant must agree.
[TestFixture]
public sealed partial class NativeWireTests
{
    private static Dictionary<string, ulong> HeaderValues()
    {
        var header = File.ReadAllText(Path.Combine(NativeTestSupport.RepoRoot, "grader", "native", "host", "wire.h"));
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (Match m in Entry().Matches(header))
        {
            var text = m.Groups["value"].Value.TrimEnd('u', 'l', 'U', 'L');
            values[m.Groups["name"].Value] = text.StartsWith("0x", StringComparison.Ordinal)
                ? ulong.Parse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                : ulong.Parse(text, CultureInfo.InvariantCulture);
        }

        return values;
    }

    private static string Snake(string pascal) => SnakeBoundary().Replace(pascal, "$1_$2").ToUpperInvariant();

    private static void AssertMirrors<T>(string prefix, Dictionary<string, ulong> header)
        where T : struct, Enum
    {
        foreach (var member in Enum.GetValues<T>())
        {
            var name = prefix + Snake(member.ToString());
            Assert.That(header.TryGetValue(name, out var value), Is.True, $"wire.h lacks {name}");
            Assert.That(value, Is.EqualTo(Convert.ToUInt64(member, CultureInfo.InvariantCulture)), name);
        }

        Assert.That(header.Keys.Count(k => k.StartsWith(prefix, StringComparison.Ordinal)), Is.EqualTo(Enum.GetValues<T>().Length), $"wire.h has extra {prefix}* entries");
    }

    [Test]
    public void Enums_match_wire_cs()
    {
        var header = HeaderValues();

        AssertMirrors<Msg>("AG_MSG_", header);
        AssertMirrors<ResultStatus>("AG_RESULT_", header);
        AssertMirrors<ReplyStatus>("AG_REPLY_", header);
        AssertMirrors<OopsKind>("AG_OOPS_", header);
        AssertMirrors<Api>("AG_API_", header);
    }

    [Test]
    public void Layout_matches_wire_cs()
    {
        var header = HeaderValues();

        Assert.That(header["AG_PROTOCOL_VERSION"], Is.EqualTo((ulong)Layout.ProtocolVersion));
        Assert.That(header["AG_USER_WINDOW_BASE"], Is.EqualTo(Layout.UserWindowBase));
        Assert.That(header["AG_USER_WINDOW_SIZE"], Is.EqualTo(Layout.UserWindowSize));
        Assert.That(header["AG_IO_WINDOW_BASE"], Is.EqualTo(Layout.IoWindowBase));
        Assert.That(header["AG_IO_WINDOW_SIZE"], Is.EqualTo(Layout.IoWindowSize));
        Assert.That(header["AG_KERNEL_HALF"], Is.EqualTo(Layout.KernelHalf));
    }

    [GeneratedRegex(@"(?<name>AG_[A-Z0-9_]+)\s*(=\s*|\s+)(?<value>0x[0-9A-Fa-f]+[uUlL]*|\d+[uUlL]*)\b")]
    private static partial Regex Entry();

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex SnakeBoundary();
}
