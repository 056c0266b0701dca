using Autograder.Model;

namespace Autograder.Check;

// CONTRACT STUB (owner: lead). The public check API used by built-in checks and instructors' C# plugins.

/// <summary>A rubric check: exercises a driver through <see cref="CheckContext"/> and judges what it observed.</summary>
public interface ICheck
{
    /// <summary>Stable id used by rubrics, reports and course scripts (e.g. "rand").</summary>
    string Id { get; }

    /// <summary>Runs the check. A driver's misbehaviour is returned as data, never thrown.</summary>
    CheckVerdict Run(CheckContext context);
}

/// <summary>What a check concluded (before points are applied by the rubric engine).</summary>
public sealed record CheckVerdict
{
    public required string Status { get; init; }
    public string? Fault { get; init; }
    public string Feedback { get; init; } = "";
    public IReadOnlyList<CaseResult> Cases { get; init; } = [];
    public IReadOnlyList<TraceEvent> Trace { get; init; } = [];
}
