namespace Autograder.Worker;

/// <summary>How the worker process ends; the grader names these in its reports.</summary>
internal static class ExitCodes
{
    /// <summary>The grader closed the channel: a clean end.</summary>
    public const int Done = 0;
    /// <summary>Bad command line (a grader bug).</summary>
    public const int Usage = 2;
    /// <summary>The channel broke or carried something unexpected (a grader bug or a dead grader).</summary>
    public const int ProtocolError = 3;
    /// <summary>Compile service: a compilation exhausted the GC heap limit (the submission's doing).</summary>
    public const int OutOfMemory = 5;
}
