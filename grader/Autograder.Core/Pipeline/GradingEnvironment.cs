using Autograder.Load;
using Autograder.Submissions;

namespace Autograder.Pipeline;

/// <summary>
/// The machinery one run needs, set up once: compilers, the sandbox launcher, the worker files. Finds
/// what the machine lacks (gcc, namespaces) and says so once as a warning instead of failing.
/// </summary>
internal sealed class GradingEnvironment : IDisposable
{
    private readonly List<string> _warnings = [];
    private readonly Dictionary<Language, ISubmissionBuilder> _builders = [];

    private GradingEnvironment(HostLauncher launcher)
    {
        Launcher = launcher;
    }

    public HostLauncher Launcher { get; private set; }

    public IReadOnlyList<string> Warnings => _warnings;

    public ISubmissionBuilder Builder(Language language) => _builders[language];

    public static GradingEnvironment Create(Action<string> warn)
    {
        var limits = new HostLimits();
        var environment = new GradingEnvironment(new HostLauncher(AppContext.BaseDirectory, null, limits));
        void Warn(string message)
        {
            environment._warnings.Add(message);
            warn(message);
        }

        environment._builders[Language.CSharp] = new UnavailableBuilder("C# support is not wired yet");
        environment._builders[Language.C] = new UnavailableBuilder("C support is not wired yet");
        Warn("no OS sandbox: workers run without namespaces or an unprivileged user");
        return environment;
    }

    public void Dispose()
    {
    }

    private sealed class UnavailableBuilder(string reason) : ISubmissionBuilder
    {
        public BuildResult Build(Submission submission) => new() { Sources = [], GraderGap = reason };
    }
}
