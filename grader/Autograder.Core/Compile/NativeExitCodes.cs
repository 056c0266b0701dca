namespace Autograder.Compile;

/// <summary>
/// Exit codes of the native driver host and aglaunch (grader/native/host/wire.h, AG_EXIT_*), and
/// what a death by signal means for a C driver. .NET reports a death by signal N as 128 + N.
/// </summary>
internal static class NativeExitCodes
{
    public const int Ok = 0;
    /// <summary>An oops was reported (a fault the host caught, or the grader's Reply status Oops).</summary>
    public const int Oops = 86;
    /// <summary>The channel broke mid-call or a frame was malformed.</summary>
    public const int Protocol = 87;
    /// <summary>Bad arguments, or the address windows / sandbox could not be set up: our fault.</summary>
    public const int Setup = 88;
    /// <summary>The grader was gone before the host started.</summary>
    public const int ParentGone = 89;
    /// <summary>The loader refused the student's object (or could not map it): the submission's.</summary>
    public const int LoadRefused = 90;
    /// <summary>aglaunch could not execute its program.</summary>
    public const int ExecFailed = 127;

    private const int SignalBase = 128;

    /// <summary>
    /// Why a host ended, in words for feedback, and whether it is the submission's doing (true) or
    /// ours (false). Ok and Oops are not described here: the grader already has the Result or the
    /// Oops frame.
    /// </summary>
    public static (string Reason, bool SubmissionFault) Describe(int exitCode) => exitCode switch
    {
        Ok => ("the driver host exited normally", false),
        Oops => ("the driver oopsed", true),
        Protocol => ("the driver host broke the channel protocol", true),
        Setup => ("the driver host could not set up its sandbox", false),
        ParentGone => ("the grader went away", false),
        LoadRefused => ("the driver's object could not be loaded", true),
        ExecFailed => ("the sandboxed program could not be started", false),
        SignalBase + 31 => ("forbidden system call (the sandbox killed the driver: SIGSYS)", true),
        SignalBase + 24 => ("CPU time limit exceeded (SIGXCPU): an endless loop?", true),
        SignalBase + 9 => ("killed (SIGKILL): time or memory limit", true),
        SignalBase + 25 => ("file size limit exceeded (SIGXFSZ)", true),
        SignalBase + 11 => ("segmentation fault the host could not report", true),
        SignalBase + 6 => ("aborted", true),
        > SignalBase and < SignalBase + 65 => ($"killed by signal {exitCode - SignalBase}", true),
        _ => ($"the driver host exited with code {exitCode}", true),
    };
}
