using Autograder.Exercise;
using Autograder.Protocol;

namespace Autograder.Load;

/// <summary>
/// Runs one submission's driver: hands out fresh driver instances, each in a fresh kernel. A crash,
/// timeout or oops costs only the instance it happened in; the next instance gets a fresh process.
/// </summary>
internal interface IDriverHost : IDisposable
{
    /// <summary>Starts a fresh instance (module not yet initialised). <paramref name="begin"/> says whether
    /// the driver could be instantiated (a missing module_init is the submission's; a host failure ours).</summary>
    DriverInstance Start(SimKernel kernel, CheckBudget budget, out DriverCall begin);

    /// <summary>Captured output of the host processes so far (capped).</summary>
    string Output { get; }

    /// <summary>Kills whatever runs now (Ctrl+C); safe from any thread. The running command then fails.</summary>
    void Abort();
}

/// <summary>
/// C# drivers: one worker process serves every instance (a fresh collectible load context each), and is
/// replaced when an instance kills it. A healthy worker goes back to the launcher's pool when the submission
/// is done: the next submission's driver gets fresh load contexts in it, and the compile-time allowlist
/// leaves a driver nothing else to leave behind (no threads, files, timers, finalizers or reflection).
/// </summary>
internal sealed class CSharpDriverHost(byte[] assembly, HostLauncher launcher) : IDriverHost
{
    private HostProcess? _worker;
    private int _outputMark;
    private bool _faulted;
    private readonly System.Text.StringBuilder _output = new();

    public string Output => _output.ToString() + (_worker?.OutputSince(_outputMark) ?? "");

    public DriverInstance Start(SimKernel kernel, CheckBudget budget, out DriverCall begin)
    {
        if (_worker is null || _worker.HasExited)
        {
            Retire();
            if (!launcher.TryRentWorker(out _worker, out var problem))
            {
                begin = new DriverCall(CallStatus.HarnessError, 0, problem);
                return new DriverInstance(kernel, budget, problem);
            }

            _outputMark = _worker.OutputLength;
            var load = HostLauncher.Call(_worker, w => w.Start(Msg.LoadAssembly).Blob(assembly), TimeSpan.FromSeconds(30));
            if (!load.Returned)
            {
                Retire();
                begin = load with { Status = CallStatus.HarnessError, Message = $"the worker could not load the driver: {load.Message}" };
                return new DriverInstance(kernel, budget, begin.Message!);
            }
        }

        var instance = new DriverInstance(kernel, _worker, budget, i =>
        {
            if (i.Dead)
            {
                Retire();
            }
            else if (i.Kernel.Oops is not null)
            {
                // A driver that oopsed may have been stopped anywhere: its worker is not lent out again.
                _faulted = true;
            }
        });
        begin = instance.Begin();
        return instance;
    }

    private void Retire()
    {
        if (_worker is not null)
        {
            // Kill first: Output waits (up to 1 s) for the output pipes to close, which a live worker never
            // does. The worker holds no state worth a graceful exit. (bench: this was 1 s per C# submission.)
            _worker.Kill("retired");
            _output.Append(_worker.Output[Math.Min(_outputMark, _worker.Output.Length)..]);
            _worker.Dispose();
            _worker = null;
        }
    }

    public void Abort()
    {
        _faulted = true;
        _worker?.Kill("interrupted");
    }

    public void Dispose()
    {
        if (_worker is { HasExited: false } worker && !_faulted)
        {
            _output.Append(worker.OutputSince(_outputMark));
            _worker = null;
            launcher.ReturnWorker(worker);
        }
        else
        {
            Retire();
        }
    }
}

/// <summary>C drivers: a fresh process of the linked executable per instance (a few ms: no runtime).</summary>
internal sealed class CDriverHost(string executable, HostLauncher launcher) : IDriverHost
{
    private readonly System.Text.StringBuilder _output = new();

    public string Output => _output.ToString();

    public DriverInstance Start(SimKernel kernel, CheckBudget budget, out DriverCall begin)
    {
        if (!launcher.TryStartC(executable, budget, out var host, out var problem))
        {
            begin = new DriverCall(CallStatus.HarnessError, 0, problem);
            return new DriverInstance(kernel, budget, problem);
        }

        lock (_live)
        {
            _live.Add(host);
        }

        var instance = new DriverInstance(kernel, host, budget, i =>
        {
            lock (_output)
            {
                _output.Append(i.Host.Output);
            }

            lock (_live)
            {
                _live.Remove(i.Host);
            }

            i.Host.Dispose();
        });
        begin = instance.Begin();
        return instance;
    }

    private readonly HashSet<HostProcess> _live = [];

    public void Abort()
    {
        lock (_live)
        {
            foreach (var host in _live)
            {
                host.Kill("interrupted");
            }
        }
    }

    public void Dispose() => Abort();
}
