using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Autograder.Model;

namespace Autograder.Report;

/// <summary>Formatting shared by the exporters. Everything is culture-invariant so a report rendered
/// on a German or French machine still says 87.5, not 87,5.</summary>
internal static class ReportText
{
    public static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static string Points(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Seconds(long milliseconds) =>
        (milliseconds / 1000m).ToString("0.000", CultureInfo.InvariantCulture);

    public static string Date(DateTimeOffset? value) =>
        value?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "";

    public static bool IsGraderFault(CheckResult check) => check.Fault == Faults.Grader;

    public static bool IsGraderFault(CheckSummary check) => check.Fault == Faults.Grader;

    /// <summary>A file name for a submission id. Ids come from folder names that students chose, so they may
    /// hold separators or "..": anything outside [A-Za-z0-9._-] becomes '_' and a short hash of the real id
    /// keeps two ids that sanitise alike apart.</summary>
    public static string FileName(string id)
    {
        var sb = new StringBuilder(id.Length);
        foreach (var ch in id)
        {
            sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_');
        }

        var safe = sb.ToString().Replace("..", "__", StringComparison.Ordinal).Trim('.');
        if (safe.Length > 0 && safe == id && safe.Length <= 100)
        {
            return safe;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..8];
        return $"{(safe.Length > 80 ? safe[..80] : safe)}-{hash}";
    }

    /// <summary>Writes text with LF line endings and no BOM, so output is byte-identical across machines.</summary>
    public static void WriteFile(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text.ReplaceLineEndings("\n"), Utf8);
    }

    /// <summary>The mark shown for a check in tables: graders' faults are never shown as a failed check.</summary>
    public static string StatusClass(CheckResult check) => StatusClass(check.Status, check.Fault, check.Points);

    public static string StatusClass(CheckSummary check) => StatusClass(check.Status, check.Fault, check.Points);

    public static string StatusMark(CheckResult check) => StatusMark(StatusClass(check));

    public static string StatusMark(CheckSummary check) => StatusMark(StatusClass(check));

    public static string StatusLabel(CheckResult check) => StatusLabel(StatusClass(check));

    public static string StatusLabel(CheckSummary check) => StatusLabel(StatusClass(check));

    /// <summary>The status as pages colour it: a failed check that still earned points is "partial", not a fail.</summary>
    private static string StatusClass(string status, string? fault, decimal points) =>
        fault == Faults.Grader ? "grader-fault"
        : status == CheckStatuses.Failed && points > 0 ? "partial"
        : status;

    private static string StatusMark(string statusClass) => statusClass switch
    {
        CheckStatuses.Passed => "\u2713",
        CheckStatuses.Failed => "\u2717",
        "partial" => "\u25d0",
        CheckStatuses.Error => "!",
        CheckStatuses.Skipped => "\u2013",
        "grader-fault" => "\u26a0",
        _ => "?",
    };

    private static string StatusLabel(string statusClass) => statusClass switch
    {
        "grader-fault" => "grader error (not counted)",
        "partial" => "partial credit",
        _ => statusClass,
    };

    /// <summary>Opens a file written piece by piece (a class-wide export that is never held whole) that ends
    /// up with the bytes <see cref="WriteFile"/> would give the same text.</summary>
    public static TextWriter CreateText(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return new LfWriter(new StreamWriter(path, append: false, Utf8));
    }

    /// <summary>Writes every line ending <see cref="string.ReplaceLineEndings(string)"/> knows (CR, CRLF, NEL,
    /// FF, LS, PS) as LF, as <see cref="WriteFile"/> does to a whole text; a CRLF split across two writes
    /// is still one line ending.</summary>
    private sealed class LfWriter(StreamWriter inner) : TextWriter
    {
        private static readonly System.Buffers.SearchValues<char> LineEnds = System.Buffers.SearchValues.Create("\r\n\f\u0085\u2028\u2029");
        private bool _afterCr;

        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value) => Write(new ReadOnlySpan<char>(in value));

        public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

        public override void Write(string? value) => Write(value.AsSpan());

        public override void Write(ReadOnlySpan<char> buffer)
        {
            while (!buffer.IsEmpty)
            {
                if (_afterCr && buffer[0] == '\n')
                {
                    buffer = buffer[1..];
                    _afterCr = false;
                    continue;
                }

                var end = buffer.IndexOfAny(LineEnds);
                if (end < 0)
                {
                    inner.Write(buffer);
                    _afterCr = false;
                    return;
                }

                inner.Write(buffer[..end]);
                inner.Write('\n');
                _afterCr = buffer[end] == '\r';
                buffer = buffer[(end + 1)..];
            }
        }

        public override void Flush() => inner.Flush();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
