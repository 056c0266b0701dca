using System.Globalization;
using Autograder.Model;

namespace Autograder.Report;

/// <summary>One readable line per observed event, in the order ioctl -> MMIO -> user copies -> return.
/// Calls and returns sit at the margin; what happened inside a call is indented under it. The text form that
/// `check` prints and Gradescope shows a student (the HTML report has its own table, <see cref="TraceText"/>).</summary>
internal static class TraceFormatter
{
    /// <summary>Traces can be long (a loop of ioctls); the HTML report has the whole thing.</summary>
    public const int MaxLines = 40;

    /// <summary>The first <see cref="MaxLines"/> lines, then how many more there are.</summary>
    public static IEnumerable<string> Lines(IReadOnlyList<TraceEvent> trace)
    {
        foreach (var e in trace.Take(MaxLines))
        {
            yield return Line(e);
        }
        if (trace.Count > MaxLines)
        {
            yield return $"... {trace.Count - MaxLines} more events (see the HTML report)";
        }
    }

    public static string Line(TraceEvent e) => e.Kind switch
    {
        "call" => $"-> {e.Op}({CallArguments(e)})",
        "return" => $"<- {e.Op} returned {Signed(e.Ret)}",
        "mmio" => $"   mmio {e.Dir}{Bits(e.Size)} {Where(e)}{(e.Value is { } v ? " = " + HexOf(v) : "")}{Via(e)}{(e.Text is null ? "" : ": " + e.Text)}",
        "user" => $"   {(e.Dir == "to_user" ? "copy to user" : "copy from user")} {e.Size} bytes at {Hex(e.Address)}"
                  + (e.NotCopied is > 0 ? $", {e.NotCopied} not copied" : "") + Via(e),
        "ioremap" => $"   ioremap({Hex(e.Address)}, {e.Size}) = {Hex(e.Va)}",
        "iounmap" => $"   iounmap({Hex(e.Va ?? e.Address)})",
        "chrdev" => $"   {e.Op}_chrdev({e.Major}, \"{e.Text}\"){(e.Ret is { } r ? " = " + r.ToString(CultureInfo.InvariantCulture) : "")}",
        "dmesg" => $"   dmesg{(e.Level is { } l ? $" <{l}>" : "")} {e.Text}",
        "oops" => $"   OOPS: {e.Text}",
        "note" => $"   note: {e.Text}",
        _ => $"   {e.Kind}: {e.Text}",
    };

    private static string CallArguments(TraceEvent e) => e.Op switch
    {
        "ioctl" => $"cmd={(e.Cmd is { } c ? "0x" + c.ToString("x8", CultureInfo.InvariantCulture) : "?")}, arg={Hex(e.Arg)}",
        _ => "",
    };

    private static string Where(TraceEvent e) =>
        e.Offset is { } offset ? "+" + HexOf(offset) : Hex(e.Address);

    private static string Bits(int? size) => size is { } s ? (s * 8).ToString(CultureInfo.InvariantCulture) : "";

    private static string Via(TraceEvent e) => e.Api is null ? "" : $" ({e.Api})";

    private static string Hex(ulong? value) => value is { } v ? HexOf(v) : "?";

    private static string HexOf(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    private static string Signed(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "?";
}
