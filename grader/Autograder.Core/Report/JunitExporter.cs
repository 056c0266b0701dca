using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Autograder.Model;

namespace Autograder.Report;

/// <summary>&lt;out&gt;/junit.xml for CI test tabs: one testsuite per submission, one testcase per check.
/// Streamed: the root's totals come from the summaries, each testsuite is written as its submission comes.</summary>
internal sealed class JunitExporter : IReportExporter
{
    private readonly TextWriter _text;
    private readonly XmlWriter _xml;

    public JunitExporter(ReportContext context)
    {
        _text = ReportText.CreateText(Path.Combine(context.OutDir, "junit.xml"));
        // The settings XDocument.Save uses (indented), so the file reads as before streaming.
        _xml = XmlWriter.Create(_text, new XmlWriterSettings { Indent = true, NewLineChars = "\n" });
        var checks = context.Submissions.SelectMany(s => s.Checks).ToList();
        _xml.WriteStartDocument();
        _xml.WriteStartElement("testsuites");
        _xml.WriteAttributeString("name", context.Run.Rubric);
        _xml.WriteAttributeString("tests", Count(checks.Count));
        _xml.WriteAttributeString("failures", Count(checks.Count(c => c.Status == CheckStatuses.Failed)));
        _xml.WriteAttributeString("errors", Count(checks.Count(c => c.Status == CheckStatuses.Error)));
        _xml.WriteAttributeString("skipped", Count(checks.Count(c => c.Status == CheckStatuses.Skipped)));
        _xml.WriteAttributeString("time", ReportText.Seconds(context.Submissions.Sum(s => s.DurationMs)));
    }

    public void Add(SubmissionResult submission) => Suite(submission).WriteTo(_xml);

    public void End()
    {
        _xml.WriteEndElement();
        _xml.WriteEndDocument();
        _xml.Flush();
        _text.Write('\n');
    }

    public void Dispose()
    {
        _xml.Dispose();
        _text.Dispose();
    }

    private static string Count(int count) => count.ToString(CultureInfo.InvariantCulture);

    private static XElement Suite(SubmissionResult s)
    {
        var cases = s.Checks.Select(c => Case(s, c)).ToList();
        var suite = new XElement(
            "testsuite",
            new XAttribute("name", s.Id),
            new XAttribute("tests", s.Checks.Count),
            new XAttribute("failures", s.Checks.Count(c => c.Status == CheckStatuses.Failed)),
            new XAttribute("errors", s.Checks.Count(c => c.Status == CheckStatuses.Error)),
            new XAttribute("skipped", s.Checks.Count(c => c.Status == CheckStatuses.Skipped)),
            new XAttribute("time", ReportText.Seconds(s.DurationMs)),
            new XElement(
                "properties",
                new XElement("property", new XAttribute("name", "score"), new XAttribute("value", ReportText.Points(s.Score))),
                new XElement("property", new XAttribute("name", "max_score"), new XAttribute("value", ReportText.Points(s.MaxScore))),
                new XElement("property", new XAttribute("name", "outcome"), new XAttribute("value", s.Outcome)),
                new XElement("property", new XAttribute("name", "grader_fault"), new XAttribute("value", s.GraderFault ? "true" : "false"))),
            cases);
        if (s.Late is not null)
        {
            suite.Element("properties")!.Add(new XElement("property", new XAttribute("name", "late"), new XAttribute("value", s.Late.Note)));
        }
        var notes = new[] { s.Message, s.Late is null ? null : "Late: " + s.Late.Note }.OfType<string>().ToList();
        if (notes.Count > 0)
        {
            suite.Add(new XElement("system-out", XmlSafe(string.Join("\n", notes))));
        }

        return suite;
    }

    private static XElement Case(SubmissionResult s, CheckResult c)
    {
        var element = new XElement(
            "testcase",
            new XAttribute("classname", s.Id),
            new XAttribute("name", c.Id),
            new XAttribute("time", ReportText.Seconds(c.DurationMs)));
        var feedback = XmlSafe(c.Feedback);
        var message = XmlSafe($"{ReportText.Points(c.Points)}/{ReportText.Points(c.MaxPoints)} points: {FirstLine(c.Feedback)}");
        switch (c.Status)
        {
            case CheckStatuses.Failed:
                element.Add(new XElement("failure", new XAttribute("message", message), new XAttribute("type", "failed"), feedback));
                break;
            case CheckStatuses.Error:
                var type = ReportText.IsGraderFault(c) ? "grader-fault" : "submission-error";
                element.Add(new XElement("error", new XAttribute("message", message), new XAttribute("type", type), feedback));
                break;
            case CheckStatuses.Skipped:
                element.Add(new XElement("skipped", new XAttribute("message", XmlSafe(FirstLine(c.Feedback)))));
                break;
            default:
                break;
        }

        return element;
    }

    private static string FirstLine(string text)
    {
        var i = text.IndexOf('\n', StringComparison.Ordinal);
        return (i < 0 ? text : text[..i]).TrimEnd('\r');
    }

    // printk text and feedback may carry control characters XML 1.0 cannot represent at all.
    private static string XmlSafe(string text) =>
        string.Concat(text.Select(ch => ch is '\t' or '\n' or '\r' || (ch >= 0x20 && ch != 0xFFFE && ch != 0xFFFF) ? ch : '\uFFFD'));
}
