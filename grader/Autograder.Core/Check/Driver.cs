using Autograder.Exercise;
using Autograder.Load;

namespace Autograder.Check;

/// <summary>
/// One booted driver in its own kernel, as a check sees it. The Init/Ioctl/Exit methods end the check
/// (as the submission's error) when the driver oopses, crashes, times out or breaks its host; the Try variants return
/// that outcome instead, for checks that judge it.
/// </summary>
public sealed class Driver : IDisposable
{
    internal Driver(DriverInstance instance, int index)
    {
        Instance = instance;
        Index = index;
    }

    internal DriverInstance Instance { get; }

    /// <summary>0 for the first driver booted in a check, 1 for the next...</summary>
    public int Index { get; }

    /// <summary>The kernel this driver runs in: device, user memory, dmesg, chrdevs, mappings, trace.</summary>
    public SimKernel Kernel => Instance.Kernel;

    public RngDevice Device => Kernel.Device;

    public UserMemory User => Kernel.User;

    /// <summary>False for drivers a check only probes: their events stay out of the check's trace.</summary>
    public bool Traced { get; set; } = true;

    /// <summary>What module_init returned, once run.</summary>
    public DriverCall? InitResult { get; internal set; }

    /// <summary>The major number ioctls go to (the registration that has unlocked_ioctl), or null.</summary>
    public uint? IoctlMajor => Instance.IoctlRegistration?.Major;

    public DriverCall TryInit() => Instance.Init();

    public DriverCall TryIoctl(uint cmd, ulong arg) => Instance.Ioctl(cmd, arg);

    public DriverCall TryExit() => Instance.Exit();

    /// <summary>Calls unlocked_ioctl and returns its value.</summary>
    public long Ioctl(uint cmd, ulong arg) => Throw(TryIoctl(cmd, arg), $"ioctl(0x{cmd:x8}, 0x{arg:x})").Value;

    /// <summary>Calls module_exit; a missing module_exit is returned, not thrown.</summary>
    public DriverCall Exit() => Throw(TryExit(), "module_exit");

    internal DriverCall Throw(DriverCall call, string during) => call.Status switch
    {
        CallStatus.HarnessError => throw new HarnessFaultException($"{during}: {call.Message}"),
        CallStatus.Oops or CallStatus.Crashed or CallStatus.TimedOut or CallStatus.HostFailed => throw new DriverFaultException(call, during),
        _ => call,
    };

    public void Dispose() => Instance.Dispose();
}
