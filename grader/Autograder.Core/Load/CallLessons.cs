namespace Autograder.Load;

/// <summary>
/// What one submission's checks learned about driver calls that did not return (issue 16), so a later
/// check does not wait out the same hang again. A driver call is deterministic given what it observes:
/// which call it is (init, exit, the ioctl command) and every answer the kernel gave it so far in that call
/// (MMIO values, copied user bytes, return codes). A call that ran past its CPU budget is remembered under
/// that (call, answers) key; a later call that reaches the same key (at its start, or after the same
/// answers) is stopped at once with the same outcome. The pointer argument's address and the driver's
/// state from earlier calls of its instance are not part of the key: a call that spins only after some
/// particular earlier call (the kernel model turns deadlocks into oopses, so this takes a loop on the
/// driver's own variables) is taken to spin in later checks too. A call that crashed its host before any
/// answer is remembered the same way (replayed at the start of the same call: a C# crash otherwise costs a
/// new worker in every check that reaches it).
/// <para>Besides, an init that did not return, oopsed or crashed under some kernel options makes later
/// checks that need a loaded driver under the same options skip, naming the check that saw it.</para>
/// One per submission; not thread-safe (a submission's checks run on one thread).
/// </summary>
internal sealed class CallLessons
{
    private readonly Dictionary<ulong, Lesson> _hung = [];
    private readonly Dictionary<string, string> _failedInits = new(StringComparer.Ordinal);

    /// <summary>A call that did not return (TimedOut) or took its host down (Crashed): the message it ended
    /// with and the check that saw it.</summary>
    public sealed record Lesson(string Message, string CheckId, CallStatus Status = CallStatus.TimedOut);

    /// <summary>Hangs learned so far.</summary>
    public int HangCount => _hung.Count;

    public void LearnHang(ulong key, string message, string checkId) => _hung.TryAdd(key, new Lesson(message, checkId));

    /// <summary>A call that crashed its host (a C# worker's crash costs a new worker in every check that
    /// reaches it): replayed only when a later call reaches the same key at its start.</summary>
    public void LearnCrash(ulong key, string message, string checkId) => _hung.TryAdd(key, new Lesson(message, checkId, CallStatus.Crashed));

    /// <summary>The hang learned under <paramref name="key"/>, or null.</summary>
    public Lesson? Hung(ulong key) => _hung.Count == 0 ? null : _hung.GetValueOrDefault(key);

    public void LearnInit(string options, string reason) => _failedInits.TryAdd(options, reason);

    /// <summary>Why init cannot give a loaded driver under these kernel options, or null.</summary>
    public string? FailedInit(string options) => _failedInits.GetValueOrDefault(options);

    /// <summary>FNV-1a (64-bit) of a call's identity and the answers it got, mixed in as they come.</summary>
    public static ulong Start(byte op, uint cmd) => Mix(Mix(14695981039346656037UL, op), cmd);

    public static ulong Mix(ulong key, ulong value)
    {
        for (var i = 0; i < 8; i++)
        {
            key = (key ^ (byte)(value >> (i * 8))) * 1099511628211UL;
        }

        return key;
    }

    public static ulong Mix(ulong key, ReadOnlySpan<byte> bytes)
    {
        key = Mix(key, (ulong)bytes.Length);
        foreach (var b in bytes)
        {
            key = (key ^ b) * 1099511628211UL;
        }

        return key;
    }
}
