using Autograder.Worker;
using Microsoft.Win32.SafeHandles;

// Autograder.Worker [--compile] --in-fd N --out-fd M
// Runs untrusted C# drivers for the grader, or (--compile) compiles students' C# sources for it without ever
// running them. Protocol frames travel only over the two inherited file descriptors; stdout and stderr are
// never part of the protocol.

var compile = args.Length > 0 && args[0] == "--compile";
if (!TryParse(compile ? args[1..] : args, out var inFd, out var outFd))
{
    await Console.Error.WriteLineAsync("usage: Autograder.Worker [--compile] --in-fd N --out-fd M");
    return ExitCodes.Usage;
}

// Unbuffered both ways: FrameReader reads ahead itself.
using var input = new FileStream(new SafeFileHandle(inFd, ownsHandle: true), FileAccess.Read, bufferSize: 0);
// Unbuffered: each frame goes out in one write, and nothing waits in a buffer when a driver hangs.
using var output = new FileStream(new SafeFileHandle(outFd, ownsHandle: true), FileAccess.Write, bufferSize: 0);
if (compile)
{
    return CompileService.Run(input, output);
}

// The driver runs on a thread with a 1 MiB stack (a kernel's is 16 KiB): a runaway recursion overflows after
// thousands of frames, not the main thread's ~100,000, so the runtime's stack-overflow report is cheap enough
// to be told as what it is within the call's CPU budget, instead of as a timeout.
var code = ExitCodes.Done;
var driverThread = new Thread(() => code = new WorkerHost(input, output).Run(), maxStackSize: 1 << 20) { Name = "driver" };
driverThread.Start();
driverThread.Join();
return code;

static bool TryParse(string[] args, out nint inFd, out nint outFd)
{
    inFd = -1;
    outFd = -1;
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        if (!int.TryParse(args[i + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var fd))
        {
            return false;
        }

        switch (args[i])
        {
            case "--in-fd": inFd = fd; break;
            case "--out-fd": outFd = fd; break;
            default: return false;
        }
    }

    return args.Length == 4 && inFd >= 0 && outFd >= 0;
}
