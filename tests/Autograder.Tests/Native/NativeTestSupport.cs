using System.Diagnostics;
using System.IO.Pipes;
using Autograder.Compile;
using Autograder.Protocol;

namespace Autograder.Tests.Native;

/// <summary>Paths and shared builds for the C tests.</summary>
internal static class NativeTestSupport
{
    private static readonly Lazy<CCompiler> SharedCompiler = new(() => new CCompiler());

    public static string RepoRoot => TestPaths.RepoRoot;

    /// <summary>One compiler for the whole test run (its work dir lives until the process ends).</summary>
    public static CCompiler Compiler => SharedCompiler.Value;

    public static void RequireGcc()
    {
        if (NativeProcess.FindOnPath("gcc") is null)
        {
            Assert.Ignore("gcc is not installed (apt-get install gcc): C submissions cannot be compiled here");
        }

        var problem = NativeToolchain.Shared.Problem ?? CompileBox.Problem;
        if (problem is not null)
        {
            Assert.Fail(problem);
        }
    }

    public static (string Path, string Text) Example(string relativeFolder)
    {
        var file = Path.Combine(RepoRoot, "examples", relativeFolder, "my-rng.c");
        return ("my-rng.c", File.ReadAllText(file));
    }

    public static CBuild BuildExample(string relativeFolder) =>
        BuildSource(relativeFolder.Replace('/', '-'), Example(relativeFolder).Text);

    /// <summary>Builds one my-rng.c; it must compile.</summary>
    public static CBuild BuildSource(string id, string text)
    {
        RequireGcc();
        var build = Compiler.Compile(id, [("my-rng.c", text)]);
        Assert.That(build.Success, Is.True, () => $"{id} did not build: {build.GraderGap} " +
            string.Join("; ", build.Diagnostics.Select(d => $"{d.File}:{d.Line}:{d.Column} {d.Severity} {d.Message}")));
        return build;
    }

    /// <summary>Builds the sources, runs module_init in a host (it must return 0) and returns the one line it
    /// printed.</summary>
    public static string InitPrintk(string id, IReadOnlyList<(string Path, string Text)> sources, bool sandbox = true) =>
        InitCalls(id, sources, sandbox).Single(c => c.Type == Msg.Printk).Text!;

    /// <summary>Builds the sources, runs module_init in a host (it must return 0) and returns the kernel calls
    /// it made.</summary>
    public static List<KernelCall> InitCalls(string id, IReadOnlyList<(string Path, string Text)> sources, bool sandbox = true)
    {
        RequireGcc();
        var build = Compiler.Compile(id, sources);
        Assert.That(build.Success, Is.True, () => string.Join("\n", build.Diagnostics.Select(d => d.Message)));
        using var grader = new FakeGrader(build.Driver!, sandbox);
        grader.ReadReady();
        Assert.That(grader.Init().Value, Is.Zero);
        return grader.Calls;
    }
}

/// <summary>One kernel call the fake grader saw.</summary>
internal sealed record KernelCall(Msg Type, ulong Address = 0, ulong Value = 0, int Size = 0, Api Api = Api.Unknown, string? Text = null, byte[]? Bytes = null, uint Minor = 0);

/// <summary>What a command ended with.</summary>
internal sealed record CommandOutcome(ResultStatus? Status, long Value, string Message, OopsKind? Oops, string? OopsMessage, ulong OopsAddress, bool Eof);

/// <summary>
/// Runs a built driver host over two anonymous pipes and plays a tiny grader: ioremap answers
/// the I/O window base, MMIO reads a constant, user copies succeed (copy_from_user reads
/// <see cref="UserValue"/>), chrdev registration succeeds, PCI finds one device at 0xfebf1000.
/// </summary>
internal sealed class FakeGrader : IDisposable
{
    public const uint DeviceValue = 1804289383;
    public const ulong PciHandle = 0x77;

    private readonly Process _process;
    private readonly AnonymousPipeServerStream _toHost;
    private readonly AnonymousPipeServerStream _fromHost;
    private readonly FrameReader _reader = new();
    private readonly FrameWriter _writer = new();

    public FakeGrader(CDriver driver, bool sandbox, int cpuSeconds = 5)
    {
        _toHost = new AnonymousPipeServerStream(PipeDirection.Out, HandleInheritability.Inheritable);
        _fromHost = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.Inheritable);
        var info = new ProcessStartInfo(driver.Host)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        info.ArgumentList.Add("--driver");
        info.ArgumentList.Add(driver.Object);
        info.ArgumentList.Add("--in-fd");
        info.ArgumentList.Add(_toHost.GetClientHandleAsString());
        info.ArgumentList.Add("--out-fd");
        info.ArgumentList.Add(_fromHost.GetClientHandleAsString());
        info.ArgumentList.Add("--cpu-seconds");
        info.ArgumentList.Add(cpuSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--mem-mb");
        info.ArgumentList.Add("256");
        if (!sandbox)
        {
            info.ArgumentList.Add("--no-sandbox");
        }

        _process = Process.Start(info)!;
        _toHost.DisposeLocalCopyOfClientHandle();
        _fromHost.DisposeLocalCopyOfClientHandle();
        Stderr = _process.StandardError.ReadToEndAsync();
        _ = _process.StandardOutput.ReadToEndAsync();
    }

    public uint UserValue { get; set; } = 42;

    /// <summary>Kernel calls of this type are answered with ReplyStatus.Oops.</summary>
    public Msg? OopsOn { get; set; }

    public int Pid => _process.Id;

    /// <summary>What RegisterChrdev answers (0: fixed major accepted; a major: the dynamic one).</summary>
    public long RegisterResult { get; set; }
    public List<KernelCall> Calls { get; } = [];
    public Task<string> Stderr { get; }

    public (uint Version, string Kind) ReadReady()
    {
        Assert.That(_reader.Read(_fromHost), Is.True, "the host closed the channel before Ready");
        Assert.That(_reader.Type, Is.EqualTo(Msg.Ready));
        return (_reader.U32(), _reader.Str());
    }

    public CommandOutcome Begin() => Command(w => w.Start(Msg.Begin));
    public CommandOutcome Init() => Command(w => w.Start(Msg.Init));
    public CommandOutcome Exit() => Command(w => w.Start(Msg.Exit));
    public CommandOutcome End() => Command(w => w.Start(Msg.End));
    public CommandOutcome Ioctl(uint major, uint cmd, ulong arg) =>
        Command(w => w.Start(Msg.Ioctl).U32(major).U32(cmd).U64(arg).UserRuns(UserRuns));

    /// <summary>The writable user runs each Ioctl names (none: the host asks for every copy_to_user).</summary>
    public List<(ulong Start, ulong Length)> UserRuns { get; } = [];

    /// <summary>Kernel calls the host posted (no Reply); they are in <see cref="Calls"/> under their plain type.</summary>
    public int Posted { get; private set; }
    public CommandOutcome Raw(Msg type) => Command(w => w.Start(type));

    /// <summary>Closes the grader-to-host pipe, as a grader that goes away does.</summary>
    public void CloseChannel() => _toHost.Dispose();

    public int WaitForExit()
    {
        if (!_process.WaitForExit(30_000))
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail("the host did not exit");
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        _toHost.Dispose();
        _fromHost.Dispose();
    }

    private CommandOutcome Command(Func<FrameWriter, FrameWriter> build)
    {
        build(_writer).SendTo(_toHost);
        while (true)
        {
            if (!_reader.Read(_fromHost))
            {
                return new CommandOutcome(null, 0, "", null, null, 0, Eof: true);
            }

            switch (_reader.Type)
            {
                case Msg.Result:
                    var status = (ResultStatus)_reader.U8();
                    var value = _reader.I64();
                    return new CommandOutcome(status, value, _reader.Str(), null, null, 0, Eof: false);
                case Msg.Oops:
                    var kind = (OopsKind)_reader.U8();
                    var address = _reader.U64();
                    return new CommandOutcome(null, 0, "", kind, _reader.Str(), address, Eof: false);
                default:
                    Answer();
                    break;
            }
        }
    }

    private void Answer()
    {
        ulong a = 0, b = 0;
        byte[] blob = [];
        var posted = _reader.Type is Msg.MmioWritePosted or Msg.CopyToUserPosted;
        switch (_reader.Type)
        {
            case Msg.Ioremap:
                {
                    var phys = _reader.U64();
                    var size = _reader.U64();
                    Calls.Add(new KernelCall(Msg.Ioremap, phys, size, 0, (Api)_reader.U8()));
                    a = Layout.IoWindowBase;
                    break;
                }

            case Msg.Iounmap:
                Calls.Add(new KernelCall(Msg.Iounmap, _reader.U64(), Api: (Api)_reader.U8()));
                break;
            case Msg.MmioRead:
                {
                    var va = _reader.U64();
                    var size = _reader.U8();
                    Calls.Add(new KernelCall(Msg.MmioRead, va, 0, size, (Api)_reader.U8()));
                    a = DeviceValue;
                    break;
                }

            case Msg.MmioWrite:
            case Msg.MmioWritePosted:
                {
                    var va = _reader.U64();
                    var size = _reader.U8();
                    var value = _reader.U64();
                    Calls.Add(new KernelCall(Msg.MmioWrite, va, value, size, (Api)_reader.U8()));
                    break;
                }

            case Msg.CopyToUser:
            case Msg.CopyToUserPosted:
                {
                    var address = _reader.U64();
                    var api = (Api)_reader.U8();
                    var bytes = _reader.Blob().ToArray();
                    Calls.Add(new KernelCall(Msg.CopyToUser, address, 0, bytes.Length, api, Bytes: bytes));
                    break;
                }

            case Msg.CopyFromUser:
                {
                    var address = _reader.U64();
                    var length = (int)_reader.U32();
                    Calls.Add(new KernelCall(Msg.CopyFromUser, address, 0, length, (Api)_reader.U8()));
                    blob = new byte[length];
                    BitConverter.TryWriteBytes(blob.AsSpan(0, Math.Min(4, length)), UserValue);
                    break;
                }

            case Msg.RegisterChrdev:
                {
                    var major = _reader.U32();
                    var hasIoctl = _reader.U8();
                    Calls.Add(new KernelCall(Msg.RegisterChrdev, major, hasIoctl, Text: _reader.Str()));
                    a = (ulong)RegisterResult;
                    break;
                }

            case Msg.UnregisterChrdev:
                {
                    var major = _reader.U32();
                    Calls.Add(new KernelCall(Msg.UnregisterChrdev, major, Text: _reader.Str()));
                    break;
                }

            case Msg.CdevAdd:
                {
                    var major = _reader.U32();
                    var minor = _reader.U32();
                    var count = _reader.U32();
                    var hasIoctl = _reader.U8();
                    Calls.Add(new KernelCall(Msg.CdevAdd, major, hasIoctl, (int)count, Text: _reader.Str(), Minor: minor));
                    break;
                }

            case Msg.CdevDel:
                {
                    var major = _reader.U32();
                    var minor = _reader.U32();
                    Calls.Add(new KernelCall(Msg.CdevDel, major, 0, (int)_reader.U32(), Minor: minor));
                    break;
                }

            case Msg.Printk:
            case Msg.Note:
            case Msg.PciUnregisterDriver:
                Calls.Add(new KernelCall(_reader.Type, Text: _reader.Str()));
                break;
            case Msg.PciGetDevice:
                Calls.Add(new KernelCall(Msg.PciGetDevice, _reader.U32(), _reader.U32()));
                a = PciHandle;
                b = 0x1234_cafe;
                break;
            case Msg.PciResource:
                Calls.Add(new KernelCall(Msg.PciResource, _reader.U64(), _reader.U32()));
                a = 0xfebf1000;
                b = 4096;
                break;
            case Msg.PciRegisterDriver:
                {
                    var name = _reader.Str();
                    var count = _reader.U32();
                    for (var i = 0; i < count; i++)
                    {
                        _reader.U32();
                        _reader.U32();
                    }

                    Calls.Add(new KernelCall(Msg.PciRegisterDriver, count, Text: name));
                    a = PciHandle;
                    b = 0x1234_cafe;
                    break;
                }

            default:
                Assert.Fail($"unexpected frame {_reader.Type} from the host");
                break;
        }

        if (posted)
        {
            Posted++;
            return;
        }

        var status = _reader.Type == OopsOn ? ReplyStatus.Oops : ReplyStatus.Ok;
        _writer.Start(Msg.Reply).U8((byte)status).U64(a).U64(b).Blob(blob).SendTo(_toHost);
    }
}
