using Autograder.KernelApi;
using Autograder.Protocol;

namespace Autograder.Worker;

/// <summary>
/// The command loop: Ready, then one command at a time, each answered by one Result. While a command runs,
/// the driver's kernel calls go out through <see cref="ChannelBackend"/> on the same channel.
/// </summary>
internal sealed class WorkerHost
{
    private readonly ChannelBackend _backend;
    private byte[]? _image;
    private DriverInstance? _instance;
    private uint _callUserMs;
    private uint _callTotalMs;

    public WorkerHost(Stream input, Stream output)
    {
        _backend = new ChannelBackend(input, output);
        Kernel.Backend = _backend;
    }

    public int Run()
    {
        try
        {
            _backend.Writer.Start(Msg.Ready).U32(Layout.ProtocolVersion).Str("csharp").SendTo(_backend.Output);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"Autograder.Worker: {e.Message}");
            return ExitCodes.ProtocolError;
        }

        var reader = _backend.Reader;
        while (true)
        {
            try
            {
                if (!reader.Read(_backend.Input))
                {
                    return ExitCodes.Done;
                }
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                Console.Error.WriteLine($"Autograder.Worker: {e.Message}");
                return ExitCodes.ProtocolError;
            }

            ResultStatus status;
            long value;
            string message;
            try
            {
                (status, value, message) = Serve(reader);
            }
            catch (InvalidDataException e)
            {
                (status, value, message) = (ResultStatus.HostError, 0L, $"malformed {reader.Type} command: {e.Message}");
            }

            try
            {
                _backend.Writer.Start(Msg.Result).U8((byte)status).I64(value).Str(message).SendTo(_backend.Output);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"Autograder.Worker: {e.Message}");
                return ExitCodes.ProtocolError;
            }
        }
    }

    private (ResultStatus, long, string) Serve(FrameReader reader)
    {
        // Read the command's fields before running driver code: kernel calls reuse the reader's buffer.
        switch (reader.Type)
        {
            case Msg.LoadAssembly:
                _image = reader.Blob().ToArray();
                return (ResultStatus.Ok, 0, "");

            case Msg.Begin:
                _callUserMs = reader.U32();
                _callTotalMs = reader.U32();
                DropInstance();
                if (_image is null)
                {
                    return (ResultStatus.HostError, 0, "Begin before LoadAssembly");
                }

                if (HalfFull())
                {
                    return (ResultStatus.Full, 0, "the worker's heap is half used by earlier instances");
                }

                _instance = DriverInstance.Load(_image, out var status, out var error);
                return (status, 0, error);

            case Msg.Init:
                return _instance is { } forInit
                    ? Run(forInit, () => forInit.Init())
                    : (ResultStatus.HostError, 0, "Init without a driver instance (Begin first)");

            case Msg.Ioctl:
                {
                    var major = reader.U32();
                    var cmd = reader.U32();
                    var arg = reader.U64();
                    _backend.ReadUserRuns(reader);
                    if (_instance is not { } forIoctl)
                    {
                        return (ResultStatus.HostError, 0, "Ioctl without a driver instance (Begin first)");
                    }

                    if (_backend.FindChrdev(major)?.unlocked_ioctl is not { } ioctl)
                    {
                        return (ResultStatus.Missing, 0, $"no unlocked_ioctl registered under major {major}");
                    }

                    return Run(forIoctl, () => ioctl(new Kernel.file(), cmd, arg));
                }

            case Msg.Exit:
                {
                    if (_instance is not { } forExit)
                    {
                        return (ResultStatus.HostError, 0, "Exit without a driver instance (Begin first)");
                    }

                    var hasExit = true;
                    var result = Run(forExit, () =>
                    {
                        hasExit = forExit.TryExit();
                        return 0;
                    });
                    return hasExit ? result : (ResultStatus.Missing, 0, "no [module_exit] method");
                }

            case Msg.End:
                DropInstance();
                return (ResultStatus.Ok, 0, "");

            default:
                return (ResultStatus.HostError, 0, $"unknown command 0x{(byte)reader.Type:x2}");
        }
    }

    private (ResultStatus, long, string) Run(DriverInstance instance, Func<long> call)
    {
        // Re-installed every time: a driver that got past the allowlist (reflection) must not leave the
        // next command, or the next instance, talking to something else.
        Kernel.Backend = _backend;
        _backend.BeginCommand();
        long value;
        try
        {
            CallTimer.Arm(_callUserMs, _callTotalMs);
            try
            {
                value = call();
            }
            finally
            {
                CallTimer.Arm(0, 0);
            }
        }
        catch (Exception e)
        {
            var oops = _backend.EndCommand();
            return (ResultStatus.DriverFault, 0, oops ?? instance.Describe(e));
        }

        // A driver that caught the oops and returned normally still oopsed.
        return _backend.EndCommand() is { } oopsed ? (ResultStatus.DriverFault, 0, oopsed) : (ResultStatus.Ok, value, "");
    }

    /// <summary>
    /// Instances' load contexts are never freed (see DriverInstance), nor what their statics hold: past half
    /// the heap cap, even after a full collection, this worker asks to be replaced, so earlier instances (or
    /// another submission's) can never starve the next one.
    /// </summary>
    private static bool HalfFull()
    {
        var half = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;
        return GC.GetTotalMemory(forceFullCollection: false) >= half && GC.GetTotalMemory(forceFullCollection: true) >= half;
    }

    private void DropInstance()
    {
        _backend.ClearRegistrations();
        _instance = null;
    }
}
