using Autograder.Compile;
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
/// C# drivers: one worker process serves every instance of one submission (a fresh load context each), and
/// is replaced when an instance kills it or earlier instances fill half its heap. It never serves another
/// submission: when this submission is done it is killed (<see cref="HostLauncher.TryRentWorker"/> hands out
/// only fresh workers), so nothing a driver leaves in its process (the intern pool, a static of the runtime it
/// reached through a hole in the allowlist) reaches anyone else's grade.
/// </summary>
internal sealed class CSharpDriverHost(byte[] assembly, HostLauncher launcher) : IDriverHost
{
    private HostProcess? _worker;
    private int _outputMark;
    private readonly System.Text.StringBuilder _output = new();

    public string Output => _output.ToString() + (_worker?.OutputSince(_outputMark) ?? "");

    public DriverInstance Start(SimKernel kernel, CheckBudget budget, out DriverCall begin)
    {
        var instance = StartOnce(kernel, budget, out begin);
        if (begin == DriverInstance.WorkerFull)
        {
            // Earlier instances' statics fill the worker (its load contexts are never freed): a fresh one.
            instance.Dispose();
            Retire();
            instance = StartOnce(kernel, budget, out begin);
        }

        return instance;
    }

    private DriverInstance StartOnce(SimKernel kernel, CheckBudget budget, out DriverCall begin)
    {
        if (_worker is null || _worker.HasExited)
        {
            Retire();
            if (!launcher.TryRentWorker(out _worker, out var problem))
            {
                begin = new DriverCall(CallStatus.HarnessError, 0, problem);
                return new DriverInstance(kernel, budget, begin);
            }

            _outputMark = _worker.OutputLength;
            var load = HostLauncher.Call(_worker, w => w.Start(Msg.LoadAssembly).Blob(assembly), TimeSpan.FromSeconds(30));
            if (!load.Returned)
            {
                Retire();
                // The assembly is the submission's: a worker that cannot load it (or dies trying) is its doing.
                begin = load with { Status = CallStatus.HostFailed, Message = $"the worker could not load the driver: {load.Message}" };
                return new DriverInstance(kernel, budget, begin);
            }
        }

        var instance = new DriverInstance(kernel, _worker, budget, i =>
        {
            if (i.Dead)
            {
                Retire();
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
            var all = _worker.Output;
            _output.Append(all[Math.Min(_outputMark, all.Length)..]);
            _worker.Dispose();
            _worker = null;
        }
    }

    public void Abort()
    {
        _worker?.Kill("interrupted");
    }

    public void Dispose() => Retire();
}

/// <summary>
/// C drivers: fork servers (the prebuilt host with the driver's object loaded, sandboxed once) and a fresh
/// child forked from a server's pristine state per instance. A server serves one child at a time, so a check that holds two
/// instances at once (determinism) gets a second server, kept for the rest of the submission. A crash,
/// timeout or oops ends only that child; a server that dies or loses track of a child is replaced.
/// Not thread-safe (one submission, one thread), except that <see cref="Dispose"/> may cancel.
/// </summary>
internal sealed class CDriverHost(CDriver driver, HostLauncher launcher) : IDriverHost
{
    private readonly System.Text.StringBuilder _output = new();
    private readonly List<HostProcess> _idle = [];
    private readonly List<HostProcess> _busy = [];
    private readonly Lock _lock = new();

    public string Output
    {
        get
        {
            lock (_lock)
            {
                return _output.ToString() + string.Concat(_idle.Concat(_busy).Select(s => s.Output));
            }
        }
    }

    public DriverInstance Start(SimKernel kernel, CheckBudget budget, out DriverCall begin)
    {
        HostProcess? child = null;
        HostProcess? server = null;
        DriverCall? failure = null;
        // A second try with a fresh server: the first one may have died with (or after) a previous child.
        for (var attempt = 0; attempt < 2 && child is null; attempt++)
        {
            server = TakeIdle();
            if (server is null)
            {
                if (!launcher.TryStartC(driver, out server, out var notStarted))
                {
                    failure = notStarted;
                    break;
                }
            }

            lock (_lock)
            {
                _busy.Add(server);
            }

            // Before its Ready a child runs only our code (the server never runs the driver's): ours.
            if (!HostLauncher.TryFork(server, budget, out child, out var problem))
            {
                failure = new DriverCall(CallStatus.HarnessError, 0, problem);
                child = null;
                Retire(server);
            }
        }

        if (child is null)
        {
            begin = failure ?? new DriverCall(CallStatus.HarnessError, 0, "no child");
            return new DriverInstance(kernel, budget, begin);
        }

        var owner = server!;
        var instance = new DriverInstance(kernel, child, budget, i =>
        {
            // Waits for the server's ChildEnded, so the channel is clean for the server's next Fork.
            i.Host.Dispose();
            lock (_lock)
            {
                if (_busy.Remove(owner))
                {
                    _idle.Add(owner);
                }
            }
        });
        begin = instance.Begin();
        return instance;
    }

    private HostProcess? TakeIdle()
    {
        var dead = new List<HostProcess>();
        HostProcess? found = null;
        lock (_lock)
        {
            while (_idle.Count > 0 && found is null)
            {
                var server = _idle[^1];
                _idle.RemoveAt(_idle.Count - 1);
                if (server.HasExited)
                {
                    _busy.Add(server);
                    dead.Add(server);
                }
                else
                {
                    found = server;
                }
            }
        }

        foreach (var server in dead)
        {
            Retire(server);
        }

        return found;
    }

    private void Retire(HostProcess server)
    {
        lock (_lock)
        {
            if (!_busy.Remove(server) && !_idle.Remove(server))
            {
                return;
            }
        }

        var output = server.KillAndRelease("retired");
        lock (_lock)
        {
            _output.Append(output);
        }
    }

    public void Dispose()
    {
        HostProcess[] all;
        lock (_lock)
        {
            all = [.. _idle, .. _busy];
        }

        foreach (var server in all)
        {
            Retire(server);
        }
    }

    /// <summary>Kills the running children (Ctrl+C); their servers are retired when the host is disposed.</summary>
    public void Abort()
    {
        HostProcess[] busy;
        lock (_lock)
        {
            busy = [.. _busy];
        }

        foreach (var server in busy)
        {
            server.Kill("interrupted");
        }
    }
}
