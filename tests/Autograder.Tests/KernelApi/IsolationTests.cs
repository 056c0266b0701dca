using System.Reflection;
using Autograder.KernelApi;

namespace Autograder.Tests.KernelApi;

/// <summary>Every driver instance shares this assembly: it must carry no per-driver state and no way into the grader.</summary>
internal sealed class IsolationTests
{
    private static readonly Assembly Api = typeof(Kernel).Assembly;

    [Test]
    public void The_only_mutable_static_is_the_backend()
    {
        var mutable = Api.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(f => !f.IsLiteral && !f.IsInitOnly && !f.Name.Contains('<', StringComparison.Ordinal))
            .Select(f => $"{f.DeclaringType!.Name}.{f.Name}");
        Assert.That(mutable, Is.EquivalentTo(new[] { "Kernel._backend" }));
    }

    [Test]
    public void The_api_references_nothing_of_the_grader()
    {
        Assert.That(Api.GetReferencedAssemblies().Select(a => a.Name), Has.None.StartsWith("Autograder"));
    }

    [Test]
    public void The_backend_is_not_reachable_from_driver_code()
    {
        var backend = typeof(Kernel).GetProperty("Backend", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public);
        Assert.That(backend, Is.Not.Null);
        Assert.That(backend!.GetMethod!.IsPublic || backend.SetMethod!.IsPublic, Is.False);
        Assert.That(typeof(IKernelBackend).IsPublic, Is.False);
    }
}
