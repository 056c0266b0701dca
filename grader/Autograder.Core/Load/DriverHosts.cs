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
}

/// <summary>C# drivers: one worker process serves every instance (a fresh collectible load context each),
/// and is replaced when an instance kills it.</summary>
internal sealed class CSharpDriverHost(byte[] assembly, HostLauncher launcher) : IDriverHost
{
    private HostProcess? _worker;
    private readonly System.Text.StringBuilder _output = new();

    public string Output => _output.ToString() + (_worker?.Output ?? "");

    public DriverInstance Start(SimKernel kernel, CheckBudget budget, out DriverCall begin)
    {
        if (_worker is null || _worker.HasExited)
        {
            Retire();
            if (!launcher.TryStartWorker(out _worker, out var problem))
            {
                begin = new DriverCall(CallStatus.HarnessError, 0, problem);
                return new DriverInstance(kernel, budget, problem);
            }

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
            _output.Append(_worker.Output);
            _worker.Dispose();
            _worker = null;
        }
    }

    public void Dispose() => Retire();
}

/// <summary>
/// C drivers: one fork server per submission (the linked executable, sandboxed once) and a fresh child
/// forked from its pristine state per instance. A crash, timeout or oops ends only that child; a server
/// that dies or loses track of a child is replaced at the next instance.
/// </summary>
internal sealed class CDriverHost(string executable, HostLauncher launcher) : IDriverHost
{
    private readonly System.Text.StringBuilder _output = new();
    private HostProcess? _server;

    public string Output => _output.ToString() + (_server?.Output ?? "");

    public DriverInstance Start(SimKernel kernel, CheckBudget budget, out DriverCall begin)
    {
        HostProcess? child = null;
        var problem = "";
        // A second try with a fresh server: the first one may have died with (or after) a previous child.
        for (var attempt = 0; attempt < 2 && child is null; attempt++)
        {
            if (_server is null || _server.HasExited)
            {
                Retire();
                if (!launcher.TryStartC(executable, out var server, out problem))
                {
                    break;
                }

                _server = server;
            }

            if (!HostLauncher.TryFork(_server, budget, out child, out problem))
            {
                child = null;
                Retire();
            }
        }

        if (child is null)
        {
            begin = new DriverCall(CallStatus.HarnessError, 0, problem);
            return new DriverInstance(kernel, budget, problem);
        }

        // Disposing the child waits for the server's ChildEnded, so the channel is clean for the next Fork.
        var instance = new DriverInstance(kernel, child, budget, static i => i.Host.Dispose());
        begin = instance.Begin();
        return instance;
    }

    private void Retire()
    {
        if (_server is not null)
        {
            // Kill first: Output waits (up to 1 s) for the output pipes to close, which a live server never does.
            _server.Kill("retired");
            _output.Append(_server.Output);
            _server.Dispose();
            _server = null;
        }
    }

    public void Dispose() => Retire();
}
