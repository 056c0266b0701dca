using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using Autograder.KernelApi;

namespace Autograder.Worker;

/// <summary>
/// One loaded copy of the driver: its own load context, so its statics start fresh as a C module's globals
/// do. Not collectible (the runtime never tiers collectible code: each copy would be compiled fully
/// optimised); a worker whose heap they half fill refuses Begin and is replaced (WorkerHost.HalfFull). The kernel API (and
/// the framework) resolve from the default context, so every instance talks to the same backend.
/// </summary>
internal sealed class DriverInstance
{
    private readonly Func<int> _init;
    private readonly Action? _exit;

    private DriverInstance(Assembly assembly, Func<int> init, Action? exit)
    {
        Assembly = assembly;
        _init = init;
        _exit = exit;
    }

    public Assembly Assembly { get; }

    public int Init() => _init();

    /// <summary>False when the driver has no [module_exit].</summary>
    public bool TryExit()
    {
        if (_exit is null)
        {
            return false;
        }

        _exit();
        return true;
    }

    /// <summary>Loads the image into a fresh context and finds its entry points; the error says what is wrong.</summary>
    public static DriverInstance? Load(byte[] image, out Protocol.ResultStatus status, out string error)
    {
        var context = new DriverLoadContext();
        try
        {
            var assembly = context.LoadFromStream(new MemoryStream(image, writable: false));
            Type[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException e)
            {
                types = [.. e.Types.OfType<Type>()];
            }

            var inits = new List<MethodInfo>();
            var exits = new List<MethodInfo>();
            foreach (var type in types)
            {
                foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                {
                    if (method.IsDefined(typeof(Kernel.module_init), inherit: false))
                    {
                        inits.Add(method);
                    }

                    if (method.IsDefined(typeof(Kernel.module_exit), inherit: false))
                    {
                        exits.Add(method);
                    }
                }
            }

            if (inits.Count == 0)
            {
                return Fail(Protocol.ResultStatus.Missing, "no [module_init] method: mark the driver's init function with [module_init]", out status, out error);
            }

            if (inits.Count > 1 || exits.Count > 1)
            {
                var which = inits.Count > 1 ? "module_init" : "module_exit";
                var names = string.Join(", ", (inits.Count > 1 ? inits : exits).Select(Name));
                return Fail(Protocol.ResultStatus.LoadError, $"more than one [{which}] method ({names}): a module has exactly one", out status, out error);
            }

            var init = inits[0];
            if (!init.IsStatic || init.ReturnType != typeof(int) || init.GetParameters().Length != 0 || init.ContainsGenericParameters)
            {
                return Fail(Protocol.ResultStatus.LoadError, $"[module_init] method {Name(init)} must be declared `static int {init.Name}()`", out status, out error);
            }

            var exit = exits.FirstOrDefault();
            if (exit is not null && (!exit.IsStatic || exit.ReturnType != typeof(void) || exit.GetParameters().Length != 0 || exit.ContainsGenericParameters))
            {
                return Fail(Protocol.ResultStatus.LoadError, $"[module_exit] method {Name(exit)} must be declared `static void {exit.Name}()`", out status, out error);
            }

            status = Protocol.ResultStatus.Ok;
            error = "";
            return new DriverInstance(assembly, init.CreateDelegate<Func<int>>(), exit?.CreateDelegate<Action>());
        }
        catch (Exception e)
        {
            // No driver code runs while loading (static constructors wait for Init): whatever failed here is
            // the image itself.
            return Fail(Protocol.ResultStatus.LoadError, $"the driver assembly could not be loaded: {e.Message}", out status, out error);
        }
    }

    /// <summary>"ExceptionType: message at File.cs:line", naming the first frame in the driver's own code.</summary>
    public string Describe(Exception e)
    {
        // The exception is the driver's object: its Message or stack may itself throw.
        try
        {
            return DescribeUnsafe(e);
        }
        catch (Exception)
        {
            return $"{e.GetType().Name} (its message could not be read)";
        }
    }

    private string DescribeUnsafe(Exception e)
    {
        var inner = e is TypeInitializationException { InnerException: { } cause } ? cause : e;
        var message = inner.Message ?? "";
        message = message.Length > 1000 ? message[..1000] + "..." : message;
        var text = $"{inner.GetType().Name}: {message}";
        if (e != inner)
        {
            text += " (in a static initializer)";
        }

        foreach (var frame in new StackTrace(inner, fNeedFileInfo: true).GetFrames())
        {
            if (frame.GetMethod()?.Module.Assembly != Assembly)
            {
                continue;
            }

            var file = frame.GetFileName();
            return file is null
                ? $"{text} at {frame.GetMethod()?.Name}"
                : $"{text} at {Path.GetFileName(file)}:{frame.GetFileLineNumber()}";
        }

        return text;
    }

    private static string Name(MethodInfo m) => $"{m.DeclaringType?.Name}.{m.Name}";

    private static DriverInstance? Fail(Protocol.ResultStatus s, string message, out Protocol.ResultStatus status, out string error)
    {
        status = s;
        error = message;
        return null;
    }

    private sealed class DriverLoadContext() : AssemblyLoadContext("driver", isCollectible: false)
    {
        // Everything the driver references (the kernel API, the framework) comes from the default context.
        protected override Assembly? Load(AssemblyName assemblyName) => null;
    }
}
