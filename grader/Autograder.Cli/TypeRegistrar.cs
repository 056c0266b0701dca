using System.Reflection;
using Spectre.Console.Cli;

namespace Autograder.Cli;

/// <summary>
/// The smallest container Spectre.Console.Cli needs: singletons and transients by service type, several
/// registrations of one service resolvable as IEnumerable&lt;T&gt; (Spectre asks for its help providers
/// that way), and constructor injection, so each command gets the consoles it was given (tests pass
/// capturing consoles).
/// </summary>
internal sealed class TypeRegistrar : ITypeRegistrar
{
    private readonly Dictionary<Type, List<Func<object>>> _factories = [];

    public void Register(Type service, Type implementation) => Add(service, () => Create(implementation));

    public void RegisterInstance(Type service, object implementation) => Add(service, () => implementation);

    public void RegisterLazy(Type service, Func<object> factory)
    {
        var lazy = new Lazy<object>(factory);
        Add(service, () => lazy.Value);
    }

    public ITypeResolver Build() => new Resolver(this);

    private void Add(Type service, Func<object> factory)
    {
        if (!_factories.TryGetValue(service, out var list))
        {
            _factories[service] = list = [];
        }
        list.Add(factory);
    }

    private object Create(Type type)
    {
        var constructor = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .OrderByDescending(c => c.GetParameters().Length)
            .First();
        var arguments = constructor.GetParameters()
            .Select(p => Resolve(p.ParameterType) ?? throw new InvalidOperationException($"cannot resolve {p.ParameterType} for {type}"))
            .ToArray();
        return constructor.Invoke(arguments);
    }

    private object? Resolve(Type? type)
    {
        if (type is null)
        {
            return null;
        }
        if (_factories.TryGetValue(type, out var factories) && factories.Count > 0)
        {
            return factories[^1]();
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>))
        {
            var element = type.GetGenericArguments()[0];
            var all = _factories.TryGetValue(element, out var registered) ? registered : [];
            var array = Array.CreateInstance(element, all.Count);
            for (var i = 0; i < all.Count; i++)
            {
                array.SetValue(all[i](), i);
            }
            return array;
        }
        return type.IsClass && !type.IsAbstract ? Create(type) : null;
    }

    private sealed class Resolver(TypeRegistrar registrar) : ITypeResolver
    {
        public object? Resolve(Type? type) => registrar.Resolve(type);
    }
}
