namespace Autograder.Cli;

/// <summary>
/// The process exit codes, a contract with CI scripts (documented in docs/cli.md). When several apply,
/// the most urgent wins: Interrupted, then GraderFault, then BelowThreshold.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Done: everything graded and written (a low score is still 0 unless --fail-under says so).</summary>
    public const int Ok = 0;
    /// <summary><c>check</c> only: a visible check did not pass.</summary>
    public const int CheckFailed = 1;
    /// <summary>Operator error: bad option, missing path, bad rubric, unreadable results file. Nothing graded.</summary>
    public const int OperatorError = 2;
    /// <summary>A submission scored below <c>--fail-under</c> percent of its maximum.</summary>
    public const int BelowThreshold = 3;
    /// <summary>A check failed through the grader's own fault (or the grader crashed): needs a human.</summary>
    public const int GraderFault = 4;
    /// <summary><c>merge</c> only: shards are missing (reports written, marked incomplete); --allow-partial accepts it.</summary>
    public const int Incomplete = 5;
    /// <summary>Ctrl+C: partial results were written and marked incomplete.</summary>
    public const int Interrupted = 130;
}
