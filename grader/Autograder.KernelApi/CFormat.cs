using System.Globalization;
using System.Text;

namespace Autograder.KernelApi;

/// <summary>
/// C printf formatting as the kernel's vsnprintf does it, for the conversions drivers use: %d %i %u %x %X
/// %o %c %s %p %% with flags (- + space # 0), width and precision (also *), and length modifiers
/// (hh h l ll z t j). Integer arguments are reinterpreted like C varargs: "%d" of 0x80047101 is negative,
/// "%lx" of it is 80047101.
/// </summary>
internal static class CFormat
{
    public static string Format(string fmt, object?[]? args)
    {
        args ??= [];
        var sb = new StringBuilder(fmt.Length + 16);
        var next = 0;
        var i = 0;
        while (i < fmt.Length)
        {
            var ch = fmt[i++];
            if (ch != '%')
            {
                sb.Append(ch);
                continue;
            }

            if (i >= fmt.Length)
            {
                sb.Append('%');
                break;
            }

            var start = i - 1;
            bool left = false, plus = false, space = false, alt = false, zero = false;
            for (; i < fmt.Length; i++)
            {
                switch (fmt[i])
                {
                    case '-': left = true; continue;
                    case '+': plus = true; continue;
                    case ' ': space = true; continue;
                    case '#': alt = true; continue;
                    case '0': zero = true; continue;
                }

                break;
            }

            var width = -1;
            if (i < fmt.Length && fmt[i] == '*')
            {
                i++;
                width = (int)ToLong(Next(args, ref next), 4, signed: true);
                if (width < 0)
                {
                    left = true;
                    width = -width;
                }
            }
            else
            {
                width = ReadNumber(fmt, ref i);
            }

            var precision = -1;
            if (i < fmt.Length && fmt[i] == '.')
            {
                i++;
                if (i < fmt.Length && fmt[i] == '*')
                {
                    i++;
                    precision = Math.Max(-1, (int)ToLong(Next(args, ref next), 4, signed: true));
                }
                else
                {
                    precision = Math.Max(0, ReadNumber(fmt, ref i));
                }
            }

            var size = 4;
            while (i < fmt.Length)
            {
                var m = fmt[i];
                if (m == 'h')
                {
                    size = size == 2 ? 1 : 2;
                }
                else if (m is 'l' or 'L' or 'q' or 'z' or 'Z' or 't' or 'j')
                {
                    size = 8;
                }
                else
                {
                    break;
                }

                i++;
            }

            if (i >= fmt.Length)
            {
                sb.Append(fmt, start, fmt.Length - start);
                break;
            }

            var conv = fmt[i++];
            string body;
            var prefix = "";
            var numeric = true;
            switch (conv)
            {
                case '%':
                    sb.Append('%');
                    continue;
                case 'd':
                case 'i':
                    {
                        var v = ToLong(Next(args, ref next), size, signed: true);
                        var magnitude = v < 0 ? (ulong)(-(v + 1)) + 1 : (ulong)v;
                        body = Digits(magnitude, 10, false, precision);
                        prefix = v < 0 ? "-" : plus ? "+" : space ? " " : "";
                        break;
                    }

                case 'u':
                    body = Digits((ulong)ToLong(Next(args, ref next), size, signed: false), 10, false, precision);
                    break;
                case 'x':
                case 'X':
                    {
                        var v = (ulong)ToLong(Next(args, ref next), size, signed: false);
                        body = Digits(v, 16, conv == 'X', precision);
                        if (alt && v != 0)
                        {
                            prefix = conv == 'X' ? "0X" : "0x";
                        }

                        break;
                    }

                case 'o':
                    {
                        var v = (ulong)ToLong(Next(args, ref next), size, signed: false);
                        body = Digits(v, 8, false, precision);
                        if (alt && !body.StartsWith('0'))
                        {
                            body = "0" + body;
                        }

                        break;
                    }

                case 'c':
                    numeric = false;
                    body = Next(args, ref next) switch
                    {
                        char c => c.ToString(),
                        string s => s.Length > 0 ? s[..1] : "",
                        var o => ((char)(byte)ToLong(o, 1, signed: false)).ToString(),
                    };
                    break;
                case 's':
                    {
                        numeric = false;
                        var s = Next(args, ref next) switch
                        {
                            null => "(null)",
                            string str => str,
                            var o => Convert.ToString(o, CultureInfo.InvariantCulture) ?? "",
                        };
                        body = precision >= 0 && precision < s.Length ? s[..precision] : s;
                        break;
                    }

                case 'p':
                    {
                        numeric = false;
                        // The kernel's %p extensions (%pK, %pR, ...) consume trailing letters.
                        while (i < fmt.Length && char.IsAsciiLetterOrDigit(fmt[i]))
                        {
                            i++;
                        }

                        var o = Next(args, ref next);
                        body = o is null ? "(null)" : ((ulong)ToLong(o, 8, signed: false)).ToString("x16", CultureInfo.InvariantCulture);
                        break;
                    }

                default:
                    // Unknown conversion: the kernel prints it literally.
                    sb.Append(fmt, start, i - start);
                    continue;
            }

            Pad(sb, prefix, body, width, left, zero && !left && numeric && precision < 0);
        }

        return sb.ToString();
    }

    private static void Pad(StringBuilder sb, string prefix, string body, int width, bool left, bool zero)
    {
        var fill = Math.Max(0, width - prefix.Length - body.Length);
        if (left)
        {
            sb.Append(prefix).Append(body).Append(' ', fill);
        }
        else if (zero)
        {
            sb.Append(prefix).Append('0', fill).Append(body);
        }
        else
        {
            sb.Append(' ', fill).Append(prefix).Append(body);
        }
    }

    private static string Digits(ulong v, int radix, bool upper, int precision)
    {
        if (precision == 0 && v == 0)
        {
            return "";
        }

        var s = radix switch
        {
            16 => v.ToString(upper ? "X" : "x", CultureInfo.InvariantCulture),
            8 => Convert.ToString((long)v, 8),
            _ => v.ToString(CultureInfo.InvariantCulture),
        };
        return precision > s.Length ? new string('0', precision - s.Length) + s : s;
    }

    private static int ReadNumber(string fmt, ref int i)
    {
        var n = -1;
        while (i < fmt.Length && char.IsAsciiDigit(fmt[i]))
        {
            n = (n < 0 ? 0 : n) * 10 + (fmt[i] - '0');
            n = Math.Min(n, 4096);
            i++;
        }

        return n;
    }

    private static object? Next(object?[] args, ref int next) => next < args.Length ? args[next++] : null;

    /// <summary>The argument's bits as C sees them through a conversion of <paramref name="size"/> bytes.</summary>
    private static long ToLong(object? arg, int size, bool signed)
    {
        // First the value as C would pass it (signed types sign-extend, unsigned zero-extend)...
        var raw = arg switch
        {
            null => 0L,
            sbyte v => v,
            byte v => v,
            short v => v,
            ushort v => v,
            int v => v,
            uint v => v,
            long v => v,
            ulong v => (long)v,
            nint v => v,
            nuint v => (long)v,
            char v => v,
            bool v => v ? 1 : 0,
            Enum e => Convert.ToInt64(e, CultureInfo.InvariantCulture),
            Kernel.IoMem m => (long)m.Address,
            float v => (long)v,
            double v => (long)v,
            decimal v => (long)v,
            _ => 0L,
        };

        // ...then read back with the conversion's size and signedness.
        return (size, signed) switch
        {
            (1, true) => (sbyte)raw,
            (1, false) => (byte)raw,
            (2, true) => (short)raw,
            (2, false) => (ushort)raw,
            (4, true) => (int)raw,
            (4, false) => (uint)raw,
            _ => raw,
        };
    }
}
