using System.Globalization;

namespace Autograder.Check;

/// <summary>Converts rubric parameter values (YAML scalars or lists) to what checks ask for.</summary>
internal static class ParameterConvert
{
    public static T To<T>(object raw, string name)
    {
        var target = typeof(T);
        if (raw is T done)
        {
            return done;
        }

        if (raw is IEnumerable<object?> list && target.IsGenericType && target.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            var element = target.GetGenericArguments()[0];
            var converted = Array.CreateInstance(element, list.Count());
            var i = 0;
            foreach (var item in list)
            {
                converted.SetValue(Scalar(item?.ToString() ?? "", element, name), i++);
            }

            return (T)(object)converted;
        }

        return (T)Scalar(raw.ToString() ?? "", target, name);
    }

    private static object Scalar(string text, Type target, string name)
    {
        text = text.Trim();
        try
        {
            if (target == typeof(string))
            {
                return text;
            }

            if (target == typeof(bool))
            {
                return bool.Parse(text);
            }

            var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
            var digits = hex ? text[2..] : text;
            var style = hex ? NumberStyles.HexNumber : NumberStyles.Integer;
            if (target == typeof(ulong))
            {
                return ulong.Parse(digits, style, CultureInfo.InvariantCulture);
            }

            if (target == typeof(uint))
            {
                return uint.Parse(digits, style, CultureInfo.InvariantCulture);
            }

            if (target == typeof(int))
            {
                return int.Parse(digits, style, CultureInfo.InvariantCulture);
            }

            if (target == typeof(long))
            {
                return long.Parse(digits, style, CultureInfo.InvariantCulture);
            }

            if (target == typeof(double))
            {
                return double.Parse(text, CultureInfo.InvariantCulture);
            }
        }
        catch (FormatException)
        {
        }
        catch (OverflowException)
        {
        }

        throw new FormatException($"parameter '{name}': '{text}' is not a valid {target.Name}");
    }
}
