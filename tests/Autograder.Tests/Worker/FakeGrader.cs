using System.Diagnostics;
using System.IO.Pipes;
using System.Text;
using Autograder.Protocol;

namespace Autograder.Tests.Worker;

/// <summary>
/// The grader's side of the channel, minimal: starts a real worker process, sends commands and answers
/// kernel calls from a tiny scripted kernel, recording what the driver did as readable lines.
/// </summary>
internal sealed class FakeGrader : IDisposable
{
    public const ulong DeviceVa = 0x0000_3000_0000_0000;
    public const ulong UserAddress = 0x0000_2000_0000_0040;

    private readonly AnonymousPipeServerStream _toWorker = new(PipeDirection.Out, HandleInheritability.Inheritable);
    private readonly AnonymousPipeServerStream _fromWorker = new(PipeDirection.In, HandleInheritability.Inheritable);
    private readonly FrameReader _reader = new();
    private readonly FrameWriter _writer = new();
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();

    public FakeGrader(IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        info.ArgumentList.Add(WorkerPath());
        info.ArgumentList.Add("--in-fd");
        info.ArgumentList.Add(_toWorker.GetClientHandleAsString());
        info.ArgumentList.Add("--out-fd");
        info.ArgumentList.Add(_fromWorker.GetClientHandleAsString());
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => { lock (_stdout) { _stdout.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _toWorker.DisposeLocalCopyOfClientHandle();
        _fromWorker.DisposeLocalCopyOfClientHandle();
    }

    /// <summary>What the driver did, one line per kernel call.</summary>
    public List<string> Events { get; } = [];

    public ulong MmioReadValue { get; set; } = 1804289383;

    public byte[] UserValue { get; set; } = [42, 0, 0, 0];

    /// <summary>register_chrdev of this major answers -EBUSY.</summary>
    public uint? TakenMajor { get; set; }

    /// <summary>The device handle PciRegisterDriver and PciGetDevice answer (0: no device).</summary>
    public ulong PciHandle { get; set; }

    public Process Process => _process;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>Sends a command and reads frames until the worker ends; true when it died without a Result.</summary>
    public bool DiesDuring(Action<FrameWriter> build)
    {
        try
        {
            build(_writer);
            _writer.SendTo(_toWorker);
            while (_reader.Read(_fromWorker))
            {
                if (_reader.Type == Msg.Result)
                {
                    return false;
                }

                Serve();
            }
        }
        catch (IOException)
        {
        }

        return _process.WaitForExit(30_000);
    }

    public (uint Version, string Kind) ReadReady()
    {
        Assert.That(_reader.Read(_fromWorker), Is.True, "worker ended before Ready");
        Assert.That(_reader.Type, Is.EqualTo(Msg.Ready));
        return (_reader.U32(), _reader.Str());
    }

    public (ResultStatus Status, long Value, string Message) Load(byte[] image) => Command(w => w.Start(Msg.LoadAssembly).Blob(image));

    /// <summary>Sends a command with no fields (Begin gets the default call budgets: 15 ms user, 60 ms in all).</summary>
    public (ResultStatus Status, long Value, string Message) Send(Msg command) =>
        Command(w =>
        {
            var frame = w.Start(command);
            if (command == Msg.Begin)
            {
                frame.U32(15).U32(60);
            }
        });

    public (ResultStatus Status, long Value, string Message) Ioctl(uint major, uint cmd, ulong arg) =>
        Command(w => w.Start(Msg.Ioctl).U32(major).U32(cmd).U64(arg).UserRuns(UserRuns));

    /// <summary>The writable user runs each Ioctl names (none: the worker asks for every copy_to_user).</summary>
    public List<(ulong Start, ulong Length)> UserRuns { get; } = [];

    /// <summary>Kernel calls the worker posted (no Reply); they are in <see cref="Events"/> as the plain calls are.</summary>
    public int Posted { get; private set; }

    /// <summary>Sends one command and serves kernel calls until its Result.</summary>
    public (ResultStatus Status, long Value, string Message) Command(Action<FrameWriter> build)
    {
        build(_writer);
        _writer.SendTo(_toWorker);
        while (true)
        {
            Assert.That(_reader.Read(_fromWorker), Is.True, "worker ended before its Result");
            if (_reader.Type == Msg.Result)
            {
                return ((ResultStatus)_reader.U8(), _reader.I64(), _reader.Str());
            }

            Serve();
        }
    }

    public void CloseInput() => _toWorker.Dispose();

    private void Serve()
    {
        ulong a = 0, b = 0;
        byte[] blob = [];
        var oops = (string?)null;
        var posted = _reader.Type is Msg.MmioWritePosted or Msg.CopyToUserPosted;
        switch (_reader.Type)
        {
            case Msg.Ioremap:
                {
                    var phys = _reader.U64();
                    var size = _reader.U64();
                    Events.Add($"ioremap {phys:x} {size} {(Api)_reader.U8()}");
                    a = phys == 0xfebf1000 ? DeviceVa : 0;
                    break;
                }

            case Msg.Iounmap:
                Events.Add($"iounmap {_reader.U64():x} {(Api)_reader.U8()}");
                break;
            case Msg.MmioRead:
                {
                    var va = _reader.U64();
                    var size = _reader.U8();
                    Events.Add($"read {va:x} {size} {(Api)_reader.U8()}");
                    if (va == 0)
                    {
                        oops = "BUG: kernel NULL pointer dereference, address: 0000000000000000";
                    }

                    a = MmioReadValue;
                    break;
                }

            case Msg.MmioWrite:
            case Msg.MmioWritePosted:
                {
                    var va = _reader.U64();
                    var size = _reader.U8();
                    var value = _reader.U64();
                    Events.Add($"write {va:x} {size} {value} {(Api)_reader.U8()}");
                    break;
                }

            case Msg.CopyToUser:
            case Msg.CopyToUserPosted:
                {
                    var to = _reader.U64();
                    var api = (Api)_reader.U8();
                    var bytes = _reader.Blob().ToArray();
                    Events.Add($"to_user {to:x} {Convert.ToHexString(bytes)} {api}");
                    a = to == 0 ? (ulong)bytes.Length : 0;
                    break;
                }

            case Msg.CopyFromUser:
                {
                    var from = _reader.U64();
                    var length = (int)_reader.U32();
                    Events.Add($"from_user {from:x} {length} {(Api)_reader.U8()}");
                    blob = new byte[length];
                    if (from == 0)
                    {
                        a = (ulong)length;
                    }
                    else
                    {
                        UserValue.AsSpan(0, Math.Min(length, UserValue.Length)).CopyTo(blob);
                    }

                    break;
                }

            case Msg.RegisterChrdev:
                {
                    var major = _reader.U32();
                    var hasIoctl = _reader.U8();
                    Events.Add($"register_chrdev {major} {_reader.Str()} ioctl={hasIoctl}");
                    a = major == TakenMajor ? unchecked((ulong)-16L) : 0;
                    break;
                }

            case Msg.UnregisterChrdev:
                Events.Add($"unregister_chrdev {_reader.U32()} {_reader.Str()}");
                break;
            case Msg.Printk:
                Events.Add("printk " + _reader.Str());
                break;
            case Msg.Oops:
                {
                    var kind = (OopsKind)_reader.U8();
                    var address = _reader.U64();
                    Events.Add($"oops {kind} {address:x} {_reader.Str()}");
                    return; // no reply: the worker abandons the command
                }

            case Msg.PciRegisterDriver:
                {
                    var name = _reader.Str();
                    var count = _reader.U32();
                    var ids = Enumerable.Range(0, (int)count).Select(_ => $"{_reader.U32():x4}:{_reader.U32():x4}").ToList();
                    Events.Add($"pci_register_driver {name} [{string.Join(",", ids)}]");
                    a = PciHandle;
                    break;
                }

            case Msg.PciResource:
                {
                    var handle = _reader.U64();
                    var bar = _reader.U32();
                    Events.Add($"pci_resource {handle} {bar}");
                    (a, b) = handle == PciHandle && bar == 0 ? (0xfebf1000ul, 4096ul) : (0ul, 0ul);
                    break;
                }

            case Msg.PciUnregisterDriver:
                Events.Add($"pci_unregister_driver {_reader.Str()}");
                break;
            case Msg.Note:
                Events.Add($"note {_reader.Str()}");
                break;
            default:
                Events.Add($"call {_reader.Type}");
                break;
        }

        if (posted)
        {
            Posted++;
            return;
        }

        _writer.Start(Msg.Reply).U8(oops is null ? (byte)ReplyStatus.Ok : (byte)ReplyStatus.Oops).U64(a).U64(b)
            .Blob(oops is null ? blob : Encoding.UTF8.GetBytes(oops)).SendTo(_toWorker);
    }

    public void Dispose()
    {
        _toWorker.Dispose();
        if (!_process.WaitForExit(10_000))
        {
            _process.Kill(entireProcessTree: true);
        }

        _fromWorker.Dispose();
        _process.Dispose();
    }

    private static string WorkerPath()
    {
        // tests/Autograder.Tests/bin/<Configuration>/net10.0/ -> grader/Autograder.Worker/bin/<Configuration>/net10.0/
        var testDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testDir.Name;
        var configuration = testDir.Parent!.Name;
        var path = Path.Combine(Compile.CSharpExamples.RepoRoot, "grader", "Autograder.Worker", "bin", configuration, framework, "Autograder.Worker.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("build the worker first", path);
    }
}
