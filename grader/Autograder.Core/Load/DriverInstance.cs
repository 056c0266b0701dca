using System.Text;
using Autograder.Exercise;
using Autograder.Model;
using Autograder.Protocol;

namespace Autograder.Load;

/// <summary>How a driver command ended, and whose fault a bad ending is (only <see cref="HarnessError"/> is ours,
/// and only the grader's own code sets it: nothing a host sends can).</summary>
public enum CallStatus
{
    /// <summary>The driver returned <see cref="DriverCall.Value"/>.</summary>
    Returned,
    /// <summary>The driver oopsed the kernel (submission's fault).</summary>
    Oops,
    /// <summary>The host process died under the driver (segfault, stack overflow, exit, SIGSYS: submission's fault).</summary>
    Crashed,
    /// <summary>The command ran past its CPU or wall-clock limit (submission's fault).</summary>
    TimedOut,
    /// <summary>The driver lacks the entry point (no module_init/module_exit, no ioctl registered).</summary>
    Missing,
    /// <summary>
    /// The host said something no honest host says, or failed at what it was asked: a host status other
    /// than the driver's own outcome, a malformed frame, an assembly it could not load, an object the C
    /// host refused (submission's fault). A host runs the driver's code (the C host in the same process,
    /// with its channel fds in reach), so what it says about itself is never taken as the grader's fault.
    /// </summary>
    HostFailed,
    /// <summary>The grader's own code could not start or reach a host (a missing launcher, a fork server
    /// that failed before running any driver code): grader's fault.</summary>
    HarnessError,
}

public sealed record DriverCall(CallStatus Status, long Value, string? Message)
{
    public bool Returned => Status == CallStatus.Returned;

    /// <summary>Set when the call was not run because an earlier check saw it not return (the check's id).</summary>
    public string? LearnedIn { get; init; }

    public override string ToString() => Status switch
    {
        CallStatus.Returned => Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => $"{Status}: {Message}",
    };
}

/// <summary>
/// One exercise of a driver: a fresh <see cref="SimKernel"/> and a fresh driver instance in a host. Every
/// kernel call the driver makes arrives here and is answered from the kernel model; nothing the host says
/// about itself is believed beyond the operations it asks for. Single-threaded, like the channel.
/// </summary>
internal sealed class DriverInstance : IDisposable
{
    // Past this much printk text one instance's further messages are dropped (a log flood costs us nothing).
    private const int DmesgCap = 1 << 20;
    private const int NoteCap = 64;
    // Reply.b of PCI lookups: vendor << 16 | device of the device found, so the host knows which id matched.
    private const ulong EmulatedDeviceIds = ((ulong)RngDevice.VendorId << 16) | RngDevice.DeviceId;

    private readonly HostProcess _host = null!;
    private readonly CheckBudget _budget;
    private readonly Action<DriverInstance>? _onEnd;
    private readonly byte[] _scratch = new byte[256];
    private long _printkBytes;
    // Notes the driver's side sends (the model's, and one per pr_debug call): bounded like printk.
    private int _notes;
    private bool _dead;
    private string? _deathReason;
    private bool _ended;
    private readonly DriverCall? _startFailure;
    private string? _lastOops;
    private int _posted;
    // The running driver call (init, ioctl, exit; not Begin/End): its name, and its CallLessons key so far.
    private string? _call;
    private ulong _key;
    // Set when a call was answered from a lesson instead of run: the instance is spent, its host idle.
    private string? _stopped;

    public DriverInstance(SimKernel kernel, HostProcess host, CheckBudget budget, Action<DriverInstance>? onEnd = null)
    {
        Kernel = kernel;
        _host = host;
        _budget = budget;
        _onEnd = onEnd;
    }

    /// <summary>An instance whose host could not be started: every command reports <paramref name="failure"/>
    /// (<see cref="CallStatus.HarnessError"/> when the grader failed, <see cref="CallStatus.HostFailed"/> when
    /// the submission's object or assembly did).</summary>
    public DriverInstance(SimKernel kernel, CheckBudget budget, DriverCall failure)
    {
        Kernel = kernel;
        _budget = budget;
        _dead = true;
        _startFailure = failure;
        _deathReason = failure.Message;
    }

    public SimKernel Kernel { get; }

    /// <summary>The host process is gone (crash, timeout, oops): later commands fail at once.</summary>
    public bool Dead => _dead;

    public HostProcess Host => _host;

    /// <summary>A C host is one process per instance: Begin and End would be round trips that do nothing.</summary>
    private bool OneProcessPerInstance => _host?.Kind == HostKind.C;

    public DriverCall Begin()
    {
        var (userMs, totalMs) = _budget.CallTimersMs(HostKind.CSharp);
        var begin = OneProcessPerInstance && !_dead ? Ok : Command(Msg.Begin, w => w.U32(userMs).U32(totalMs));
        // The worker found no loadable module_init (the submission's): it holds no instance, so every later
        // command gets that answer here instead of a worker complaining that Begin never happened.
        _loadFailure = begin.Status == CallStatus.Missing ? begin.Message : null;
        return begin;
    }

    private string? _loadFailure;

    private static readonly DriverCall Ok = new(CallStatus.Returned, 0, null);

    /// <summary>What Begin gives when the C# worker must be replaced first (CSharpDriverHost does so, once: a
    /// fresh worker that says so again reports it as the submission's).</summary>
    public static readonly DriverCall WorkerFull = new(CallStatus.HostFailed, 0, "the worker said its heap was half used by earlier instances");

    /// <summary>Longest host-sent text quoted in a verdict (the rest of it is the host's to waste, not ours to store).</summary>
    private const int QuoteCap = 300;

    public DriverCall Init()
    {
        Kernel.Record(new TraceEvent { Kind = "call", Op = "init" });
        var r = Command(Msg.Init, null, "init", 0);
        RecordReturn("init", r);
        return r;
    }

    /// <summary>Calls unlocked_ioctl of the registration that has one (major 250 preferred).</summary>
    public DriverCall Ioctl(uint cmd, ulong arg)
    {
        var reg = IoctlRegistration;
        Kernel.Record(new TraceEvent { Kind = "call", Op = "ioctl", Cmd = cmd, Arg = arg });
        if (reg is null)
        {
            var missing = new DriverCall(CallStatus.Missing, 0, "no character device with an unlocked_ioctl is registered");
            RecordReturn("ioctl", missing);
            return missing;
        }

        var r = Command(Msg.Ioctl, w => w.U32(reg.Major).U32(cmd).U64(arg).UserRuns(Kernel.User.WritableRuns), _budget.CallName(cmd, "ioctl"), cmd);
        RecordReturn("ioctl", r);
        return r;
    }

    public DriverCall Exit()
    {
        Kernel.Record(new TraceEvent { Kind = "call", Op = "exit" });
        var r = Command(Msg.Exit, null, "exit", 0);
        RecordReturn("exit", r);
        return r;
    }

    /// <summary>The registration ioctls go to: one with unlocked_ioctl, major 250 first.</summary>
    public ChrdevRegistration? IoctlRegistration =>
        Kernel.Chrdevs.Where(c => c.HasIoctl).OrderBy(c => c.Major == 250 ? 0 : 1).ThenBy(c => c.Major).FirstOrDefault();

    public void Dispose()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        if (!_dead && !OneProcessPerInstance)
        {
            Command(Msg.End, null);
        }

        _onEnd?.Invoke(this);
    }

    private void RecordReturn(string op, DriverCall r)
    {
        Kernel.Record(r.Returned
            ? new TraceEvent { Kind = "return", Op = op, Ret = r.Value }
            : new TraceEvent { Kind = "return", Op = op, Text = $"{r.Status}: {r.Message}" });
    }

    // call: the driver call's name for its CPU budget and lessons (null for Begin/End, which run only our code).
    private DriverCall Command(Msg type, Action<FrameWriter>? payload, string? call = null, uint cmd = 0)
    {
        if (_startFailure is not null)
        {
            return _startFailure;
        }

        if (_dead || (_stopped is not null && type != Msg.End))
        {
            return new DriverCall(CallStatus.Crashed, 0, $"the driver's host is gone ({_deathReason ?? _stopped})");
        }

        _call = call;
        if (call is not null)
        {
            _key = CallLessons.Start((byte)type, cmd);
            if (_budget.Lessons.Hung(_key) is { } lesson)
            {
                return Replay(lesson);
            }
        }

        if (_loadFailure is not null && type != Msg.End)
        {
            return new DriverCall(CallStatus.Missing, 0, _loadFailure);
        }

        var oopsBefore = Kernel.OopsCount;
        _posted = 0;
        using var watch = _budget.Watch(_host, call);
        try
        {
            var frame = _host.Writer.Start(type);
            payload?.Invoke(frame);
            _host.Writer.SendTo(_host.ToHost);
            return Serve(oopsBefore);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or InvalidDataException or ObjectDisposedException)
        {
            return Died(e, oopsBefore);
        }
    }

    private DriverCall Serve(int oopsBefore)
    {
        var reader = _host.Reader;
        while (reader.Read(_host.FromHost))
        {
            if (reader.Type == Msg.Result)
            {
                var status = (ResultStatus)reader.U8();
                var value = reader.I64();
                var message = reader.Str();
                if (Kernel.OopsCount != oopsBefore)
                {
                    return new DriverCall(CallStatus.Oops, 0, Kernel.Oops);
                }

                return status switch
                {
                    ResultStatus.Ok => new DriverCall(CallStatus.Returned, value, null),
                    ResultStatus.DriverFault => Oopsed(Quote(message)),
                    ResultStatus.Missing or ResultStatus.LoadError => new DriverCall(CallStatus.Missing, 0, Quote(message)),
                    ResultStatus.Full when _host.Kind == HostKind.CSharp => WorkerFull,
                    _ => new DriverCall(CallStatus.HostFailed, 0,
                        $"the driver's host answered with status {status} ({Quote(message)}); the host runs the driver's code, so this is the submission's"),
                };
            }

            if (reader.Type == Msg.Oops)
            {
                var kind = (OopsKind)reader.U8();
                var address = reader.U64();
                var message = reader.Str();
                _lastOops = message.Length > 0 ? Quote(message) : $"{kind} at 0x{address:x}";
                Kernel.RaiseOops(_lastOops, address, null);
                continue;
            }

            Dispatch(reader);
        }

        return Died(null, oopsBefore);
    }

    // The same call hung (or crashed) in an earlier check before any answer: not run again (the host stays
    // idle and is ended as usual); the check sees the outcome it would have had.
    private DriverCall Replay(CallLessons.Lesson lesson)
    {
        _stopped = lesson.Message;
        Kernel.Note($"not run again: the same call {(lesson.Status == CallStatus.Crashed ? "crashed" : "did not return")} in check '{lesson.CheckId}'");
        return new DriverCall(lesson.Status, 0, $"{lesson.Message} (seen in {lesson.CheckId}; not run again)") { LearnedIn = lesson.CheckId };
    }

    private DriverCall Oopsed(string message)
    {
        Kernel.RaiseOops(message);
        return new DriverCall(CallStatus.Oops, 0, message);
    }

    private DriverCall Died(Exception? e, int oopsBefore)
    {
        _dead = true;
        if (e is InvalidDataException)
        {
            // Nothing more it says can be trusted, and waiting for it to end would only cost time.
            _host.Kill("sent a malformed frame");
        }

        var how = _host.DescribeExit();
        _deathReason = how;
        if (_host.KillReason is { } killed && CheckBudget.IsTimeout(killed))
        {
            if (_call is not null && _budget.CallTimeout(_call, _host.Kind, total: true) is var watchdog
                && killed.StartsWith(watchdog, StringComparison.Ordinal))
            {
                _budget.Lessons.LearnHang(_key, watchdog, _budget.CheckId);
            }

            return new DriverCall(CallStatus.TimedOut, 0, killed);
        }

        if (_call is not null && _host.KillReason is null && _host.EndSignal is HostProcess.UserTimerSignal or HostProcess.TotalTimerSignal)
        {
            // The host's own timer for this call (armed around the driver's code only) ran out: the watchdog's
            // verdict, sooner. Only a timeout is read from the signal, so faking it gains nothing.
            var timeout = _budget.CallTimeout(_call, _host.Kind, total: _host.EndSignal == HostProcess.TotalTimerSignal);
            _deathReason = timeout;
            _budget.Lessons.LearnHang(_key, timeout, _budget.CheckId);
            return new DriverCall(CallStatus.TimedOut, 0, timeout);
        }

        if (Kernel.OopsCount != oopsBefore)
        {
            return new DriverCall(CallStatus.Oops, 0, _lastOops ?? Kernel.Oops);
        }

        if (e is InvalidDataException)
        {
            // The C host shares its process (and channel fds) with the driver; a C# worker's memory is the
            // driver's to corrupt if the allowlist is ever bypassed. Either way the frame is the submission's.
            return new DriverCall(CallStatus.HostFailed, 0, $"the driver's host broke the channel protocol: {Quote(e.Message)}");
        }

        var crashed = $"the driver's host process {how}" + TailOfOutput();
        if (_call is not null && _host.KillReason is null)
        {
            _budget.Lessons.LearnCrash(_key, crashed, _budget.CheckId);
        }

        return new DriverCall(CallStatus.Crashed, 0, crashed);
    }

    internal static string Quote(string text) => text.Length <= QuoteCap ? text : text[..QuoteCap] + "…";

    private string TailOfOutput()
    {
        var output = _host.Output.Trim();
        if (output.Length == 0)
        {
            return "";
        }

        var lines = output.Split('\n');
        return ": " + Quote(string.Join(" | ", lines.TakeLast(3)).Trim());
    }

    private void Dispatch(FrameReader r)
    {
        // A posted call is its plain twin that the host completed without asking (no Reply is sent).
        var posted = r.Type is Msg.CopyToUserPosted or Msg.MmioWritePosted;
        if (posted && ++_posted > Layout.MaxPostedPerCommand)
        {
            throw new InvalidDataException($"more than {Layout.MaxPostedPerCommand} posted calls in one command");
        }

        var oopsBefore = Kernel.OopsCount;
        ulong a = 0, b = 0;
        ReadOnlySpan<byte> blob = default;
        byte[]? copied = null;
        switch (r.Type)
        {
            case Msg.Ioremap:
            {
                var phys = r.U64();
                var size = r.U64();
                a = Kernel.Ioremap(phys, size, (Api)r.U8());
                break;
            }

            case Msg.Iounmap:
            {
                var va = r.U64();
                Kernel.Iounmap(va, (Api)r.U8());
                break;
            }

            case Msg.MmioRead:
            {
                var va = r.U64();
                var size = r.U8();
                a = Kernel.MmioRead(va, size, (Api)r.U8());
                break;
            }

            case Msg.MmioWrite:
            case Msg.MmioWritePosted:
            {
                var va = r.U64();
                var size = r.U8();
                var value = r.U64();
                Kernel.MmioWrite(va, size, value, (Api)r.U8());
                break;
            }

            case Msg.CopyToUser:
            case Msg.CopyToUserPosted:
            {
                var to = r.U64();
                var api = (Api)r.U8();
                a = Kernel.CopyToUser(to, r.Blob(), api);
                break;
            }

            case Msg.CopyFromUser:
            {
                var from = r.U64();
                var length = (int)Math.Min(r.U32(), (uint)(Layout.MaxFrame / 2));
                var api = (Api)r.U8();
                copied = length <= _scratch.Length ? _scratch : new byte[length];
                a = Kernel.CopyFromUser(copied.AsSpan(0, length), from, api);
                blob = copied.AsSpan(0, length);
                break;
            }

            case Msg.RegisterChrdev:
            {
                var major = r.U32();
                var hasIoctl = r.U8() != 0;
                a = (ulong)Kernel.RegisterChrdev(major, r.Str(), hasIoctl);
                break;
            }

            case Msg.UnregisterChrdev:
            {
                var major = r.U32();
                Kernel.UnregisterChrdev(major, r.Str());
                break;
            }

            case Msg.Printk:
            {
                var text = r.Blob();
                _printkBytes += text.Length;
                if (_printkBytes <= DmesgCap)
                {
                    Kernel.Printk(Encoding.UTF8.GetString(text));
                }
                else if (_printkBytes - text.Length <= DmesgCap)
                {
                    Kernel.Note($"log flood: printk output past {DmesgCap} bytes dropped");
                }

                a = _printkBytes > DmesgCap ? 1UL : 0;
                break;
            }

            case Msg.PciGetDevice:
            {
                var vendor = r.U32();
                a = Kernel.PciGetDevice(vendor, r.U32());
                b = a == 0 ? 0 : EmulatedDeviceIds;
                break;
            }

            case Msg.PciResource:
            {
                var handle = r.U64();
                (a, b) = Kernel.PciResource(handle, (int)r.U32());
                break;
            }

            case Msg.PciRegisterDriver:
            {
                var name = r.Str();
                var count = (int)Math.Min(r.U32(), 64u);
                var ids = new List<(uint, uint)>(count);
                for (var i = 0; i < count; i++)
                {
                    ids.Add((r.U32(), r.U32()));
                }

                a = Kernel.PciRegisterDriver(name, ids);
                b = a == 0 ? 0 : EmulatedDeviceIds;
                break;
            }

            case Msg.PciUnregisterDriver:
                Kernel.PciUnregisterDriver(r.Str());
                break;

            case Msg.Note:
            {
                var text = r.Str();
                if (++_notes <= NoteCap)
                {
                    Kernel.Note(text);
                }
                else if (_notes == NoteCap + 1)
                {
                    Kernel.Note($"more than {NoteCap} notes: the rest dropped");
                }

                break;
            }

            case Msg.CdevAdd:
            {
                var major = r.U32();
                var minor = r.U32();
                var count = r.U32();
                var hasIoctl = r.U8() != 0;
                a = (ulong)Kernel.CdevAdd(major, minor, count, r.Str(), hasIoctl);
                break;
            }

            case Msg.CdevDel:
            {
                var major = r.U32();
                var minor = r.U32();
                Kernel.CdevDel(major, minor, r.U32());
                break;
            }

            default:
                throw new InvalidDataException($"unexpected message {r.Type}");
        }

        if (posted)
        {
            // The host told the driver it succeeded: it must have here too, or the host (the C host shares
            // the driver's process) broke the protocol.
            if (a != 0 || Kernel.OopsCount != oopsBefore)
            {
                throw new InvalidDataException($"a posted {r.Type} did not succeed as the host said it would");
            }

            Learned(CallLessons.Mix(_key, 0xff));
            return;
        }

        var w = _host.Writer;
        var status = Kernel.OopsCount != oopsBefore ? ReplyStatus.Oops : ReplyStatus.Ok;
        if (status == ReplyStatus.Oops)
        {
            // The host shows the oops text to the driver's unwinding code; it changes no verdict.
            blob = Encoding.UTF8.GetBytes(Kernel.Oops ?? "kernel oops");
        }

        w.Start(Msg.Reply).U8((byte)status).U64(a).U64(b).Blob(blob).SendTo(_host.ToHost);
        Learned(CallLessons.Mix(CallLessons.Mix(CallLessons.Mix(CallLessons.Mix(_key, (byte)status), a), b), blob));
    }

    // The driver now holds the same answers as a call that did not return in an earlier check: it will spin
    // the same way, so it is stopped now (its next read fails, and Died reports the timeout).
    private void Learned(ulong key)
    {
        _key = key;
        if (_call is not null && _budget.Lessons.Hung(key) is { Status: CallStatus.TimedOut } lesson)
        {
            _host.Kill($"{lesson.Message} (after the same kernel answers as in {lesson.CheckId}; stopped at once)");
        }
    }
}
