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
    public static string StatusClass(CheckResult check) =>
        IsGraderFault(check) ? "grader-fault" : check.Status;

    public static string StatusMark(CheckResult check) => StatusClass(check) switch
    {
        CheckStatuses.Passed => "\u2713",
        CheckStatuses.Failed => "\u2717",
        CheckStatuses.Error => "!",
        CheckStatuses.Skipped => "\u2013",
        "grader-fault" => "\u26a0",
        _ => "?",
    };

    public static string StatusLabel(CheckResult check) =>
        IsGraderFault(check) ? "grader error (not counted)" : check.Status;
}
