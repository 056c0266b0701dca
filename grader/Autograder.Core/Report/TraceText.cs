using System.Globalization;
using Autograder.Model;

namespace Autograder.Report;

/// <summary>One readable line per trace event, e.g. "ioctl(RAND 0x80047101, arg 0x7ffd1000)" or
/// "ioread32 +0x0 -> 0x6b8b4567".</summary>
internal static class TraceText
{
    private const uint Rand = 0x80047101;
    private const uint Seed = 0x40047101;

    public static string Describe(TraceEvent e) => e.Kind switch
    {
        "call" => Call(e),
        "return" => $"return {Ret(e.Ret)}" + (e.Op is null or "ioctl" ? "" : $" from {e.Op}"),
        "mmio" => Mmio(e),
        "user" => User(e),
        "ioremap" => $"ioremap({Hex(e.Address)}, {e.Size?.ToString(CultureInfo.InvariantCulture) ?? "?"}) = {Hex(e.Va)}",
        "iounmap" => $"iounmap({Hex(e.Va ?? e.Address)})",
        "chrdev" when e.Op is "cdev_add" or "cdev_del" => $"{e.Op} on major {e.Major?.ToString(CultureInfo.InvariantCulture) ?? "?"} (\"{e.Text}\")"
            + (e.Ret is null ? "" : $" = {Ret(e.Ret)}"),
        "chrdev" => $"{e.Op ?? "register"}_chrdev({e.Major?.ToString(CultureInfo.InvariantCulture) ?? "?"}, \"{e.Text}\")"
            + (e.Ret is null ? "" : $" = {Ret(e.Ret)}"),
        "dmesg" => Dmesg(e),
        "oops" => $"OOPS: {e.Text}",
        "note" => e.Text ?? "",
        _ => $"{e.Kind} {e.Text}".TrimEnd(),
    };

    public static string Dmesg(TraceEvent e) =>
        e.Level is null ? e.Text ?? "" : $"<{e.Level.Value.ToString(CultureInfo.InvariantCulture)}> {e.Text}";

    public static string Command(uint cmd)
    {
        var name = cmd switch
        {
            Rand => "RAND ",
            Seed => "SEED ",
            _ => "",
        };
        var dir = (cmd >> 30) switch
        {
            0 => "_IO",
            1 => "_IOW",
            2 => "_IOR",
            _ => "_IOWR",
        };
        var type = (char)((cmd >> 8) & 0xff);
        var nr = cmd & 0xff;
        var size = (cmd >> 16) & 0x3fff;
        var typeText = type is >= ' ' and <= '~' ? $"'{type}'" : $"0x{(int)type:x2}";
        var decoded = dir == "_IO" ? $"{dir}({typeText},{nr})" : $"{dir}({typeText},{nr},size {size})";
        return $"{name}0x{cmd:x8} = {decoded}";
    }

    private static string Call(TraceEvent e) => e.Op switch
    {
        "ioctl" => $"ioctl({(e.Cmd is null ? "?" : Command(e.Cmd.Value))}, arg {Hex(e.Arg)})",
        null => "call",
        _ => $"{e.Op}()",
    };

    private static string Mmio(TraceEvent e)
    {
        var where = e.Offset is not null ? $"+0x{e.Offset.Value:x}" : Hex(e.Address);
        var api = e.Api ?? (e.Dir == "write" ? "write" : "read") + (e.Size is null ? "" : (e.Size.Value * 8).ToString(CultureInfo.InvariantCulture));
        var access = e.Dir == "write"
            ? $"{api} {Hex(e.Value)} -> {where}"
            : $"{api} {where} -> {Hex(e.Value)}";
        return e.Text is null ? access : $"{access} ({e.Text})";
    }

    private static string User(TraceEvent e)
    {
        var api = e.Api ?? (e.Dir == "from_user" ? "copy_from_user" : "copy_to_user");
        var size = e.Size?.ToString(CultureInfo.InvariantCulture) ?? "?";
        var failed = e.NotCopied is > 0 ? $", {e.NotCopied.Value.ToString(CultureInfo.InvariantCulture)} not copied" : "";
        var value = e.Value is null ? "" : $" value {Hex(e.Value)}";
        return $"{api} {size} bytes at user {Hex(e.Address)}{value}{failed}";
    }

    private static string Hex(ulong? value) => value is null ? "?" : $"0x{value.Value:x}";

    private static string Ret(long? ret) => ret switch
    {
        null => "?",
        -1 => "-1 (-EPERM)",
        -12 => "-12 (-ENOMEM)",
        -14 => "-14 (-EFAULT)",
        -16 => "-16 (-EBUSY)",
        -22 => "-22 (-EINVAL)",
        -25 => "-25 (-ENOTTY)",
        _ => ret.Value.ToString(CultureInfo.InvariantCulture),
    };
}
