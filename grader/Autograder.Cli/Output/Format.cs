using System.Globalization;
using Autograder.Model;

namespace Autograder.Cli.Output;

/// <summary>Numbers as people read them, independent of the machine's culture.</summary>
internal static class Format
{
    public static string Number(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Score(SubmissionResult result) => $"{Number(result.Score)}/{Number(result.MaxScore)}";

    public static string Score(SubmissionSummary result) => $"{Number(result.Score)}/{Number(result.MaxScore)}";

    public static string Seconds(long milliseconds) =>
        (milliseconds / 1000.0).ToString("0.0", CultureInfo.InvariantCulture) + " s";

    public static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    public static string Language(string language) => language == "csharp" ? "C#" : language == "c" ? "C" : language;

    /// <summary>A submission "fails" for the progress counter when it lost points or was not graded.</summary>
    public static bool IsFailure(SubmissionResult result) =>
        result.Outcome != Outcomes.Graded || result.Score < result.MaxScore;

    public static bool IsFailure(SubmissionSummary result) =>
        result.Outcome != Outcomes.Graded || result.Score < result.MaxScore;

    /// <summary>Student text (printk lines, feedback quoting them) with control characters shown as \xNN, so
    /// a submission cannot drive the terminal with escape sequences.</summary>
    public static string Printable(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }
        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    public static IEnumerable<CheckSummary> FailedChecks(SubmissionSummary result) =>
        result.Checks.Where(c => c.Status is CheckStatuses.Failed or CheckStatuses.Error);
}
