using System.Buffers;
using System.Text.Json;
using Autograder.Model;

namespace Autograder.Report;

/// <summary>&lt;out&gt;/results.json: the run itself (schema 1), the input every other export can be re-rendered from.
/// Streamed: the run's fields in <see cref="GradingRun"/>'s property order, each submission serialized into
/// the "submissions" array as it comes, the rest at the end. The run's fields are indented as serializing the run
/// with <see cref="ResultsJson.Options"/> writes them; each submission is one line, the bytes of serializing it with
/// <see cref="ResultsJson.Compact"/> (one line a submission: the file is ~40 % smaller, and diffs and greps by line).</summary>
internal sealed class JsonResultsExporter : IReportExporter
{
    private static readonly string SubmissionsProperty =
        ResultsJson.Options.PropertyNamingPolicy!.ConvertName(nameof(GradingRun.Submissions));

    // A submission's line starts where the indented writer would put an element of the top-level array (depth 2).
    private static ReadOnlySpan<byte> ElementIndent => "\n    "u8;

    private readonly JsonElement _run;
    private readonly FileStream _file;
    private readonly Utf8JsonWriter _json;
    private readonly ArrayBufferWriter<byte> _line = new();
    private readonly Utf8JsonWriter _compact;

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
        _compact = new Utf8JsonWriter(_line, new JsonWriterOptions { Encoder = ResultsJson.Compact.Encoder });
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
        // The line is built in a buffer reused from one submission to the next, then written raw: the indented
        // writer adds the comma before it, and the closing bracket on its own line after the last one.
        _line.ResetWrittenCount();
        _line.Write(ElementIndent);
        _compact.Reset(_line);
        JsonSerializer.Serialize(_compact, submission, ResultsJson.Compact);
        _compact.Flush();
        _json.WriteRawValue(_line.WrittenSpan, skipInputValidation: true);
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
    // depth). JsonProperty.WriteTo would decode and re-encode it, which changes an escaped lone surrogate; a
    // submission is likewise written as the serializer's bytes, never re-encoded.
    private void WriteAsSerialized(JsonProperty property)
    {
        _json.WritePropertyName(property.Name);
        _json.WriteRawValue(property.Value.GetRawText(), skipInputValidation: true);
    }

    public void Dispose()
    {
        _compact.Dispose();
        _json.Dispose();
        _file.Dispose();
    }
}
