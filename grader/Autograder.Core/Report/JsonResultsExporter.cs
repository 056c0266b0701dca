using System.Text.Json;
using Autograder.Model;

namespace Autograder.Report;

/// <summary>&lt;out&gt;/results.json: the run itself (schema 1), the input every other export can be re-rendered from.</summary>
internal sealed class JsonResultsExporter : IReportExporter
{
    public string Format => "json";

    public void Write(ReportContext context) =>
        ReportText.WriteFile(
            Path.Combine(context.OutDir, "results.json"),
            JsonSerializer.Serialize(context.Run, ResultsJson.Options) + "\n");
}
