using System.Text.Json;
using Autograder.Model;

namespace Autograder.Report;

/// <summary>&lt;out&gt;/results.json: the run itself (schema 1), the input every other export can be re-rendered from.
/// Streamed: the run's fields in <see cref="GradingRun"/>'s property order, each submission serialized into
/// the "submissions" array as it comes, the rest at the end. The bytes are those of serializing the whole run
/// with <see cref="ResultsJson.Options"/> (the writer indents a nested value by its depth, as the serializer does).</summary>
internal sealed class JsonResultsExporter : IReportExporter
{
    private static readonly string SubmissionsProperty =
        ResultsJson.Options.PropertyNamingPolicy!.ConvertName(nameof(GradingRun.Submissions));

    private readonly JsonElement _run;
    private readonly FileStream _file;
    private readonly Utf8JsonWriter _json;

    public JsonResultsExporter(ReportContext context)
    {
        _run = JsonSerializer.SerializeToElement(context.Run, ResultsJson.Options);
        _file = File.Create(Path.Combine(context.OutDir, "results.json"));
        _json = new Utf8JsonWriter(_file, new JsonWriterOptions
        {
            Indented = true,
            NewLine = "\n",
            Encoder = ResultsJson.Options.Encoder,
        });
        _json.WriteStartObject();
        foreach (var property in _run.EnumerateObject().TakeWhile(p => p.Name != SubmissionsProperty))
        {
            WriteAsSerialized(property);
        }

        _json.WritePropertyName(SubmissionsProperty);
        _json.WriteStartArray();
    }

    public void Add(SubmissionResult submission)
    {
        JsonSerializer.Serialize(_json, submission, ResultsJson.Options);
        _json.Flush(); // the writer buffers until flushed: flush per submission so the file, not memory, grows
    }

    public void End()
    {
        _json.WriteEndArray();
        foreach (var property in _run.EnumerateObject().SkipWhile(p => p.Name != SubmissionsProperty).Skip(1))
        {
            WriteAsSerialized(property);
        }

        _json.WriteEndObject();
        _json.Flush();
        _file.Write("\n"u8);
    }

    // The value's text exactly as serializing the run wrote it, indentation included (it was serialized at this
    // depth). JsonProperty.WriteTo would decode and re-encode it, which changes an escaped lone surrogate.
    private void WriteAsSerialized(JsonProperty property)
    {
        _json.WritePropertyName(property.Name);
        _json.WriteRawValue(property.Value.GetRawText(), skipInputValidation: true);
    }

    public void Dispose()
    {
        _json.Dispose();
        _file.Dispose();
    }
}
