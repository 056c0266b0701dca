using System.ComponentModel;
using Autograder.Report;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Autograder.Cli.Commands;

/// <summary>Options shared by the commands that write exports (grade, merge, report).</summary>
internal abstract class OutputSettings : CommandSettings
{
    public const string AllFormats = "html,csv,json,junit,gradescope";

    [CommandOption("-o|--out <DIR>")]
    [Description("Folder the reports are written to.")]
    [DefaultValue("reports")]
    public string Out { get; init; } = "reports";

    [CommandOption("--format <LIST>")]
    [Description("Exports to write, comma-separated: html, csv, json, junit, gradescope.")]
    [DefaultValue(AllFormats)]
    public string Format { get; init; } = AllFormats;

    [CommandOption("--roster <FILE>")]
    [Description("Roster CSV (submission id, name, email, LMS id) whose names and ids fill every export.")]
    public string? Roster { get; init; }

    [CommandOption("--lms-csv")]
    [Description("Also write grades.csv in the layout Canvas/Moodle gradebook import expects.")]
    public bool LmsCsv { get; init; }

    public string OutDirectory => Path.GetFullPath(Out);

    public IReadOnlyList<string> Formats => SplitList(Format).Select(f => f.ToLowerInvariant()).Distinct().ToList();

    public ReportOptions ReportOptions => new()
    {
        Formats = Formats,
        RosterPath = Roster is null ? null : Path.GetFullPath(Roster),
        LmsCsv = LmsCsv,
    };

    public override ValidationResult Validate()
    {
        var formats = Formats;
        if (formats.Count == 0)
        {
            return ValidationResult.Error($"--format needs at least one of {AllFormats}");
        }
        var unknown = formats.Where(f => !Reports.AllFormats.Contains(f)).ToList();
        if (unknown.Count > 0)
        {
            return ValidationResult.Error($"--format: unknown {string.Join(", ", unknown)} (known: {string.Join(", ", Reports.AllFormats)})");
        }
        if (string.IsNullOrWhiteSpace(Out))
        {
            return ValidationResult.Error("--out needs a folder");
        }
        if (File.Exists(Out))
        {
            return ValidationResult.Error($"--out {Out} is a file, not a folder");
        }
        return Roster is not null && !File.Exists(Roster)
            ? ValidationResult.Error($"--roster: no such file: {Roster}")
            : ValidationResult.Success();
    }

    public static IReadOnlyList<string> SplitList(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
