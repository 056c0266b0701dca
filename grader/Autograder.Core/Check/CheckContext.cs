using Autograder.Exercise;
using Autograder.Load;
using Autograder.Model;

namespace Autograder.Check;

/// <summary>
/// What a check can do: boot fresh driver instances (each in a fresh kernel with the reference device),
/// read its rubric parameters, and record cases. One context per check per submission; not thread-safe.
/// A driver that oopses, crashes or times out inside <see cref="Driver"/> calls ends the check as an
/// error of the submission (cases recorded before keep their credit); a failure of the grader's own
/// machinery ends it as a grader fault. Checks never need to catch either.
/// </summary>
public sealed class CheckContext
{
    private readonly Func<SimKernel, CheckBudget, (DriverInstance Instance, DriverCall Begin)> _start;
    private readonly CheckBudget _budget;
    private readonly List<CaseResult> _cases = [];
    private readonly List<string> _hints = [];
    private readonly List<Driver> _drivers = [];

    internal CheckContext(
        string checkId,
        CheckParameters parameters,
        SubmissionView submission,
        Random random,
        CheckBudget budget,
        Func<SimKernel, CheckBudget, (DriverInstance, DriverCall)> start)
    {
        CheckId = checkId;
        Parameters = parameters;
        Submission = submission;
        Random = random;
        _budget = budget;
        _start = start;
    }

    public string CheckId { get; }

    /// <summary>This check's parameters from the rubric (with defaults).</summary>
    public CheckParameters Parameters { get; }

    /// <summary>The submission being graded (language, sources, build diagnostics).</summary>
    public SubmissionView Submission { get; }

    /// <summary>Seeded per run (recorded in results.json), so randomly drawn cases can be replayed.</summary>
    public Random Random { get; }

    /// <summary>Cases recorded so far.</summary>
    public IReadOnlyList<CaseResult> Cases => _cases;

    /// <summary>Fix-it hints gathered so far (shown under the failing cases).</summary>
    public IReadOnlyList<string> Hints => _hints;

    /// <summary>The drivers booted in this check, in order (their kernels hold the traces).</summary>
    public IReadOnlyList<Driver> Drivers => _drivers;

    /// <summary>Kernel options of a default boot: the device at the rubric's base.</summary>
    public KernelOptions DefaultKernel => new()
    {
        DeviceBase = Parameters.Get("device-base", 0xfebf1000UL),
    };

    // With accept-other-base, the device is placed where the driver maps it (found by one probe boot).
    private KernelOptions? AdaptedKernel()
    {
        if (!Parameters.Get("accept-other-base", false))
        {
            return null;
        }

        if (_adaptedBase is null)
        {
            using var probe = Boot();
            probe.TryInit();
            _adaptedBase = probe.Kernel.MappingHistory.FirstOrDefault()?.Phys ?? DefaultKernel.DeviceBase;
            _drivers.Remove(probe);
        }

        return DefaultKernel with { DeviceBase = _adaptedBase.Value };
    }

    private ulong? _adaptedBase;

    /// <summary>Boots a fresh kernel and driver instance without running module_init.</summary>
    public Driver Boot(KernelOptions? options = null)
    {
        var kernel = new SimKernel(options ?? DefaultKernel);
        var (instance, begin) = _start(kernel, _budget);
        var driver = new Driver(instance, _drivers.Count);
        _drivers.Add(driver);
        driver.Throw(begin, "loading the driver");
        return driver;
    }

    /// <summary>Boots a fresh driver and runs module_init. Use <see cref="Driver.InitResult"/> to judge it.
    /// When init did not return, oopsed or crashed under the same kernel in an earlier check of the
    /// submission, a check that has recorded no case yet is skipped naming that check (it would only
    /// see the same again).</summary>
    public Driver Load(KernelOptions? options = null)
    {
        var kernel = options ?? AdaptedKernel() ?? DefaultKernel;
        var key = $"{kernel.DeviceBase:x}/{kernel.DeviceSize}/{kernel.FailIoremap}/{string.Join(",", kernel.TakenMajors)}";
        if (_cases.Count == 0 && _budget.Lessons.FailedInit(key) is { } reason)
        {
            throw new SkipCheckException(reason);
        }

        var driver = Boot(kernel);
        driver.InitResult = driver.TryInit();
        var failed = driver.InitResult.Status switch
        {
            CallStatus.TimedOut => "did not return",
            CallStatus.Oops => "oopsed",
            CallStatus.Crashed => "crashed",
            _ => null,
        };
        if (failed is not null)
        {
            _budget.Lessons.LearnInit(key, $"init {failed}: see {driver.InitResult.LearnedIn ?? CheckId}");
        }

        driver.Throw(driver.InitResult, "module_init");
        return driver;
    }

    /// <summary>Boots and initialises a driver that must have registered an unlocked_ioctl; when it did not,
    /// the check is skipped with the reason (the load check is where that costs points).</summary>
    public Driver LoadForIoctl(KernelOptions? options = null)
    {
        var driver = Load(options);
        var init = driver.InitResult!;
        if (!init.Returned)
        {
            throw new SkipCheckException($"module_init could not run ({init.Message}), so there is no driver to call");
        }

        if (init.Value != 0)
        {
            throw new SkipCheckException($"module_init returned {init.Value}, so there is no driver to call");
        }

        if (driver.Instance.IoctlRegistration is null)
        {
            throw new SkipCheckException("module_init registered no character device with an unlocked_ioctl");
        }

        return driver;
    }

    /// <summary>How many cases the check plans to run: an early end (oops, crash) then credits only the
    /// cases that passed before it, out of this many.</summary>
    public int PlannedCases { get; set; }

    /// <summary>Where the first failing case was recorded: the driver last booted and how many events its
    /// kernel had traced by then (the report opens a long trace there).</summary>
    internal (Driver Driver, int Events)? FirstFailure { get; private set; }

    /// <summary>Records a case.</summary>
    public bool Case(string name, bool passed, string? detail = null)
    {
        if (!passed && FirstFailure is null && _drivers.Count > 0)
        {
            FirstFailure = (_drivers[^1], _drivers[^1].Kernel.Trace.Count);
        }

        _cases.Add(new CaseResult(name, passed, passed ? null : detail));
        return passed;
    }

    /// <summary>The verdict from the recorded cases: passed when every case passed.</summary>
    public CheckVerdict Verdict() => new()
    {
        Status = _cases.Count > 0 && _cases.All(c => c.Passed) ? Model.CheckStatuses.Passed : Model.CheckStatuses.Failed,
        Cases = [.. _cases],
        Feedback = string.Join("\n", _hints),
    };

    /// <summary>Adds a fix-it hint (once).</summary>
    public void Hint(string hint)
    {
        if (!_hints.Contains(hint))
        {
            _hints.Add(hint);
        }
    }
}

/// <summary>Thrown by a check (or <see cref="CheckContext.LoadForIoctl"/>) when it cannot run for a reason that is not a failure.</summary>
public sealed class SkipCheckException(string reason) : Exception(reason);

/// <summary>The driver misbehaved fatally (oops, crash, timeout): the check ends as an error of the submission.</summary>
internal sealed class DriverFaultException(DriverCall call, string during) : Exception($"{during}: {call.Message}")
{
    public DriverCall Call { get; } = call;
    public string During { get; } = during;
}

/// <summary>Our machinery failed: the check ends as a grader fault.</summary>
internal sealed class HarnessFaultException(string message) : Exception(message);

/// <summary>Rubric parameters of one check.</summary>
public sealed class CheckParameters(IReadOnlyDictionary<string, object?> values)
{
    public static readonly CheckParameters Empty = new(new Dictionary<string, object?>());

    public IReadOnlyDictionary<string, object?> Values { get; } = values;

    /// <summary>The value converted to <typeparamref name="T"/>; numbers accept 0x-hex strings.</summary>
    public T Get<T>(string name, T fallback)
    {
        if (!Values.TryGetValue(name, out var raw) || raw is null)
        {
            return fallback;
        }

        return ParameterConvert.To<T>(raw, name);
    }
}

/// <summary>What checks may read about the submission (not the grader's internals).</summary>
public sealed record SubmissionView(string Id, string Language, IReadOnlyList<SourceFile> Sources, IReadOnlyList<Model.Diagnostic> Diagnostics);
